// Test support for CLI commands that talk to a server: an in-process
// `ads server` (server::ServerApp) on a fresh data dir and a free port, whose
// first start wrote an OCI config file that the `ads` binary under test reads
// through OCI_CONFIG_FILE.
//
//   class SaveTest : public AdsServerTest {};
//   TEST_F(SaveTest, Saves) {
//     CmdResult r = Ads({"project", "create", "--compartment-id", tenancy_id()});
//     ...
//   }
//
// Thread-safety: one fixture per test, as GoogleTest runs them.
#ifndef ADS_CLI_CLI_SERVER_TEST_UTIL_H_
#define ADS_CLI_CLI_SERVER_TEST_UTIL_H_

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "cli/cli_test_util.h"
#include "server/server_app.h"

namespace ads::cli {

// A port nothing listens on right now (the kernel's choice for port 0).
inline int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

class AdsServerTest : public AdsBinaryTest {
 protected:
  void SetUp() override {
    MakeRoot("ads-cli-server-");
    server::ServerAppOptions options;
    options.data_dir = root_ + "/data";
    options.config_file = root_ + "/config";
    options.port = FreeLoopbackPort();
    auto app = server::ServerApp::Open(env_, options);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    const Status started = app_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    ::setenv("OCI_CONFIG_FILE", options.config_file.c_str(), 1);
    ::unsetenv("OCI_CONFIG_PROFILE");
  }
  void TearDown() override {
    if (app_) app_->Stop();
    app_.reset();
    AdsBinaryTest::TearDown();
  }

  const std::string& tenancy_id() const { return app_->bootstrap().tenancy_id; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(app_->port()); }

  std::unique_ptr<server::ServerApp> app_;
};

}  // namespace ads::cli

#endif  // ADS_CLI_CLI_SERVER_TEST_UTIL_H_
