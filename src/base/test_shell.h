// Test-only: runs a shell command and returns what it printed (stdout and
// stderr together). Tests use it to ask Python (pandas, PyYAML, zipfile) for
// the answers our code must match.
#ifndef ADS_BASE_TEST_SHELL_H_
#define ADS_BASE_TEST_SHELL_H_

#include <array>
#include <cstdio>
#include <string>

namespace ads::testing_util {

inline std::string RunShell(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  std::string out;
  if (pipe == nullptr) return out;
  std::array<char, 4096> buf{};
  while (fgets(buf.data(), buf.size(), pipe) != nullptr) out += buf.data();
  pclose(pipe);
  return out;
}

}  // namespace ads::testing_util

#endif  // ADS_BASE_TEST_SHELL_H_
