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

template <typename eT>
void save_model(Network<eT>& net, const std::filesystem::path& file) {
  write_file_atomically(
      file,
      [&](std::ostream& out) {
        out << kModelFormat << "\nlayers " << net.size() << "\n";
        for (std::size_t k = 0; k < net.size(); ++k) {
          const auto matrices = saved_matrices(net.layer(k));
          out << "layer " << k + 1 << " " << net.layer(k).kind() << " " << matrices.size() << "\n";
          for (const auto& [name, value] : matrices) {
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
  if (count != net.size())
    throw std::runtime_error(where + "holds " + std::to_string(count) + " layers, this network has " +
                             std::to_string(net.size()) + " (" + net.describe() + ")");
  std::vector<std::vector<Mat>> values(net.size());
  for (std::size_t k = 0; k < net.size(); ++k) {
    const auto expected = saved_matrices(net.layer(k));
    std::getline(in, line);
    std::istringstream header(line);
    std::string word, kind;
    std::size_t number = 0, matrices = 0;
    header >> word >> number >> kind >> matrices;
    if (word != "layer" || number != k + 1)
      throw std::runtime_error(where + "unreadable header of layer " + std::to_string(k + 1));
    if (kind != net.layer(k).kind())
      throw std::runtime_error(where + "layer " + std::to_string(k + 1) + " is " + kind + " in the file but " +
                               net.layer_label(k) + " in this network");
    if (matrices != expected.size())
      throw std::runtime_error(where + net.layer_label(k) + " has " + std::to_string(matrices) +
                               " matrices in the file, expected " + std::to_string(expected.size()));
    for (const auto& [name, target] : expected) {
      std::getline(in, line);
      Mat value;
      if (line != name || !value.load(in, arma::arma_binary))
        throw std::runtime_error(where + net.layer_label(k) + ": matrix " + name + " is missing or unreadable");
      if (value.n_rows != target->n_rows || value.n_cols != target->n_cols)
        throw std::runtime_error(where + net.layer_label(k) + ": " + name + " is " + shape_of(value) +
                                 " in the file, expected " + shape_of(*target));
      if (!value.is_finite())
        throw std::runtime_error(where + net.layer_label(k) + ": " + name +
                                 " holds a NaN or an infinity (a training that diverged?)");
      values[k].push_back(std::move(value));
    }
  }
  for (std::size_t k = 0; k < net.size(); ++k) {  // everything checked: now change the network
    const auto targets = saved_matrices(net.layer(k));
    for (std::size_t i = 0; i < targets.size(); ++i) *targets[i].second = std::move(values[k][i]);
  }
}

}  // namespace course
