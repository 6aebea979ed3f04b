// Temporary folders for the tests that write files: each test file keeps its files
// under one folder of its own, <system temp>/course_test_<tag>_<process id>, removed
// when the test program ends (even when a test failed).
#pragma once
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace course::test_support {

class TempFolder {
 public:
  explicit TempFolder(const std::string& tag)
      : root_(std::filesystem::temp_directory_path() / ("course_test_" + tag + "_" + std::to_string(::getpid()))) {}
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(root_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& root() const { return root_; }

  // root/name, emptied and created afresh.
  std::filesystem::path fresh(const std::string& name) const {
    const std::filesystem::path dir = root_ / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
  }

 private:
  std::filesystem::path root_;
};

// The name of the test that is running (for a folder of its own).
inline std::string current_test_name() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

}  // namespace course::test_support
