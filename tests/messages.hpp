// The message of the exception that f throws, or "(no exception)": for tests
// that check what an error says.
#pragma once
#include <exception>
#include <functional>
#include <string>

namespace course::test_support {

inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

}  // namespace course::test_support
