// Test support for end-to-end tests of the `ads` binary (ADS_BINARY): a
// fixture with a fresh temporary folder per test and a runner that captures
// the exit status, stdout and stderr of one command.
//
//   class MyTest : public AdsBinaryTest {
//     void SetUp() override { MakeRoot("ads-my-test-"); }
//   };
//   CmdResult r = Ads({"model", "status", root_ + "/iris"});
//
// Thread-safety: one fixture per test, as GoogleTest runs them.
#ifndef ADS_CLI_CLI_TEST_UTIL_H_
#define ADS_CLI_CLI_TEST_UTIL_H_

#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "base/env.h"

namespace ads::cli {

struct CmdResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class AdsBinaryTest : public ::testing::Test {
 protected:
  void MakeRoot(const std::string& prefix) {
    auto dir = env_.MakeTempDir(prefix);
    ASSERT_TRUE(dir.ok()) << dir.status().ToString();
    root_ = *dir;
  }
  void TearDown() override {
    if (!root_.empty()) env_.RemoveAll(root_).IgnoreError();
  }

  static std::string Quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }

  // Runs `ads ARGS...` through the shell with every argument quoted.
  CmdResult Ads(const std::vector<std::string>& args) {
    std::string cmd = Quote(ADS_BINARY);
    for (const auto& a : args) cmd += " " + Quote(a);
    cmd += " >" + Quote(root_ + "/out") + " 2>" + Quote(root_ + "/err");
    const int status = std::system(cmd.c_str());
    CmdResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = env_.ReadFile(root_ + "/out").value_or("");
    r.err = env_.ReadFile(root_ + "/err").value_or("");
    return r;
  }

  Env& env_ = *Env::Default();
  std::string root_;
};

}  // namespace ads::cli

#endif  // ADS_CLI_CLI_TEST_UTIL_H_
