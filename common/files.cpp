#include "common/files.hpp"

#include <unistd.h>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace course {

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write, bool binary) {
  if (path.has_parent_path()) ensure_directory(path.parent_path());
  const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  try {
    std::ofstream out(tmp, binary ? std::ios::binary | std::ios::trunc : std::ios::trunc);
    if (!out) throw std::runtime_error("cannot open " + tmp.string() + " for writing");
    write(out);
    out.flush();
    if (!out) throw std::runtime_error("error while writing " + tmp.string());
    out.close();
    fs::rename(tmp, path);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw std::runtime_error("could not write " + path.string() + ": " + e.what());
  }
}

void ensure_directory(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create directory " + dir.string() + ": " + ec.message());
}

void write_results(const fs::path& out_dir, const std::vector<std::pair<std::string, double>>& results) {
  write_file_atomically(out_dir / "results.txt", [&](std::ostream& out) {
    out.precision(10);
    for (const auto& [name, value] : results) out << name << " " << value << "\n";
  });
}

}  // namespace course
