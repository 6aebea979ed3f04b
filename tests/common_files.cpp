// write_file_atomically: a file is either the old one or the complete new one, never half of it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/files.hpp"
#include "tests/temp_folder.hpp"

namespace {

namespace fs = std::filesystem;

// Every test of this file writes under one temporary folder, removed when the program ends.
const course::test_support::TempFolder temp_folder("files");

fs::path fresh_dir(const std::string& name) { return temp_folder.fresh(name); }

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(CommonFiles, WritesTheWholeFile) {
  const fs::path file = fresh_dir("whole") / "sub" / "a.txt";  // the parent folder is created
  course::write_file_atomically(file, [](std::ostream& out) { out << "hello\nworld\n"; });
  EXPECT_EQ(slurp(file), "hello\nworld\n");
  course::write_file_atomically(file, [](std::ostream& out) { out << "again\n"; });
  EXPECT_EQ(slurp(file), "again\n");
}

TEST(CommonFiles, OldFileSurvivesAWriterThatThrows) {
  const fs::path dir = fresh_dir("throws");
  const fs::path file = dir / "keep.csv";
  course::write_file_atomically(file, [](std::ostream& out) { out << "old,content\n1,2\n"; });
  try {
    course::write_file_atomically(file, [](std::ostream& out) {
      out << "new,content\n";
      throw std::runtime_error("interrupted halfway");
    });
    FAIL() << "the writer's exception was swallowed";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("interrupted halfway"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(file), "old,content\n1,2\n");
  // no temporary file left behind
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST(CommonFiles, UnwritableFolderNamesTheFile) {
  const fs::path blocker = fresh_dir("blocked") / "not_a_folder";
  std::ofstream(blocker) << "x";
  const fs::path file = blocker / "a.txt";  // a file where a folder should be
  try {
    course::write_file_atomically(file, [](std::ostream& out) { out << "x"; });
    FAIL() << "writing under a regular file should fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not_a_folder"), std::string::npos) << e.what();
  }
}

}  // namespace
