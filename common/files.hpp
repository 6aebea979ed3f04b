// Files that are never half-written: write to a temporary name, then rename.
#pragma once
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace course {

namespace fs = std::filesystem;

// Writes `path` through `write`, atomically: the data goes to "<path>.tmp-<pid>" and
// is renamed over `path` only once `write` returned and the stream is flushed
// without error. On any failure the temporary file is removed, `path` is left as
// it was, and a std::runtime_error names the file.
void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write, bool binary = false);

// <out>/results.txt: "name value" lines that scripts read (./course accept checks
// the accuracy goals from them), written atomically.
void write_results(const fs::path& out_dir, const std::vector<std::pair<std::string, double>>& results);

// Creates `dir` (and its parents) if needed; a std::runtime_error names it on failure.
void ensure_directory(const fs::path& dir);

}  // namespace course
