// Saving and loading a network: every layer's parameters and state, in a file.
//
//   "course-network 2"
//   "layers <L>"
//   per layer: "layer <k> <kind> <count>", then per matrix its name on a line
//              and the matrix in Armadillo's binary format (its shape in its header)
//
// The file holds what parameters() and state() list, layer by layer, so a
// layer with state (batch norm's running averages, chapter 10) needs nothing
// new. It is written atomically (a crash never leaves half a file). Loading
// reads the whole file first and checks each layer's kind and each matrix's
// name, shape and numbers (no NaN or infinity) against the network, naming the
// first mismatch; only then does it change the network. Settings that are not
// matrices (a dropout rate) are not in the file: a model loads into a network
// that differs only in those. Files of format 1 (before chapter 8) are rejected.
#pragma once
#include <armadillo>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "chapters/06_backprop/network.hpp"
#include "common/files.hpp"

namespace course {

inline constexpr const char* kModelFormat = "course-network 2";

// What a model file holds for layer k: its parameters, then its state, by name.
template <typename eT>
std::vector<std::pair<std::string, arma::Mat<eT>*>> saved_matrices(Layer<eT>& layer) {
  std::vector<std::pair<std::string, arma::Mat<eT>*>> all;
  for (const Parameter<eT>& p : layer.parameters()) all.emplace_back(p.name, p.value);
  for (const State<eT>& s : layer.state()) all.emplace_back(s.name, s.value);
  return all;
}

// One layer of a model file: its kind, its matrices, and how messages name it.
template <typename eT>
struct SavedLayer {
  std::string kind;
  std::vector<std::pair<std::string, arma::Mat<eT>*>> matrices;
  std::string label;
};

// A layer that stands for several of the lessons' layers (chapter 11's fast path fuses
// batch norm, ReLU and dropout into one) derives from this too and lists them, so that
// its model file is the one the lessons' net writes, and each net loads the other's.
template <typename eT>
struct SavedAsLayers {
  virtual ~SavedAsLayers() = default;
  virtual std::vector<SavedLayer<eT>> saved_layers() = 0;
};

// The network as its model file lists it: one entry per layer, or several for a SavedAsLayers.
template <typename eT>
std::vector<SavedLayer<eT>> saved_layers(Network<eT>& net) {
  std::vector<SavedLayer<eT>> all;
  for (std::size_t k = 0; k < net.size(); ++k) {
    if (auto* several = dynamic_cast<SavedAsLayers<eT>*>(&net.layer(k))) {
      for (SavedLayer<eT>& part : several->saved_layers()) {
        part.label = net.layer_label(k) + " (its " + part.kind + ")";
        all.push_back(std::move(part));
      }
    } else {
      all.push_back({net.layer(k).kind(), saved_matrices(net.layer(k)), net.layer_label(k)});
    }
  }
  return all;
}

template <typename eT>
void save_model(Network<eT>& net, const std::filesystem::path& file) {
  write_file_atomically(
      file,
      [&](std::ostream& out) {
        const std::vector<SavedLayer<eT>> layers = saved_layers(net);
        out << kModelFormat << "\nlayers " << layers.size() << "\n";
        for (std::size_t k = 0; k < layers.size(); ++k) {
          out << "layer " << k + 1 << " " << layers[k].kind << " " << layers[k].matrices.size() << "\n";
          for (const auto& [name, value] : layers[k].matrices) {
            out << name << "\n";
            if (!value->save(out, arma::arma_binary)) throw std::runtime_error("Armadillo could not write " + name);
          }
        }
      },
      /*binary=*/true);
}

template <typename eT>
void load_model(Network<eT>& net, const std::filesystem::path& file) {
  using Mat = arma::Mat<eT>;
  if (std::filesystem::is_directory(file))
    throw std::runtime_error("the model file " + file.string() + " is a folder, not a file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open the model file " + file.string());
  const std::string where = file.string() + ": ";
  std::string line;
  std::getline(in, line);
  if (line != kModelFormat) {
    throw std::runtime_error(where + "not a saved network of this course's format (its first line is \"" +
                             line.substr(0, 40) + "\", expected \"" + kModelFormat + "\")" +
                             (line == "course-network 1" ? ": it was saved before format 2; train it again" : ""));
  }
  std::size_t count = 0;
  std::getline(in, line);
  if (std::sscanf(line.c_str(), "layers %zu", &count) != 1)
    throw std::runtime_error(where + "unreadable layer count (\"" + line.substr(0, 40) + "\")");
  const std::vector<SavedLayer<eT>> layers = saved_layers(net);
  if (count != layers.size())
    throw std::runtime_error(where + "holds " + std::to_string(count) + " layers, this network has " +
                             std::to_string(layers.size()) + " (" + net.describe() + ")");
  std::vector<std::vector<Mat>> values(layers.size());
  for (std::size_t k = 0; k < layers.size(); ++k) {
    const SavedLayer<eT>& expected = layers[k];
    std::getline(in, line);
    std::istringstream header(line);
    std::string word, kind;
    std::size_t number = 0, matrices = 0;
    header >> word >> number >> kind >> matrices;
    if (word != "layer" || number != k + 1)
      throw std::runtime_error(where + "unreadable header of layer " + std::to_string(k + 1));
    if (kind != expected.kind)
      throw std::runtime_error(where + "layer " + std::to_string(k + 1) + " is " + kind + " in the file but " +
                               expected.label + " in this network");
    if (matrices != expected.matrices.size())
      throw std::runtime_error(where + expected.label + " has " + std::to_string(matrices) +
                               " matrices in the file, expected " + std::to_string(expected.matrices.size()));
    for (const auto& [name, target] : expected.matrices) {
      std::getline(in, line);
      Mat value;
      if (line != name || !value.load(in, arma::arma_binary))
        throw std::runtime_error(where + expected.label + ": matrix " + name + " is missing or unreadable");
      if (value.n_rows != target->n_rows || value.n_cols != target->n_cols)
        throw std::runtime_error(where + expected.label + ": " + name + " is " + shape_of(value) +
                                 " in the file, expected " + shape_of(*target));
      if (!value.is_finite())
        throw std::runtime_error(where + expected.label + ": " + name +
                                 " holds a NaN or an infinity (a training that diverged?)");
      values[k].push_back(std::move(value));
    }
  }
  for (std::size_t k = 0; k < layers.size(); ++k)  // everything checked: now change the network
    for (std::size_t i = 0; i < layers[k].matrices.size(); ++i) *layers[k].matrices[i].second = std::move(values[k][i]);
}

}  // namespace course
