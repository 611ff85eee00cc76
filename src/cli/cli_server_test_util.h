// Test support for CLI commands that talk to a server: an in-process
// `ads server` (server::ServerApp) on a fresh data dir and a free port, whose
// first start wrote an OCI config file that the `ads` binary under test reads
// through OCI_CONFIG_FILE; a client signed as its administrator for checks
// over HTTP; and a restart on the same data dir and port.
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

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "cli/cli_test_util.h"
#include "client/client.h"
#include "server/server_app.h"

namespace ads::cli {

// A service conda pack path, for artifacts that must pass introspection.
inline const std::string kServicePack =
    "oci://service-conda-packs@id19sfcrra6z/service_pack/cpu/General_ML/1.0/"
    "generalml_p311_cpu_x86_64_v1";

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
    options_.data_dir = root_ + "/data";
    options_.config_file = root_ + "/config";
    options_.port = FreeLoopbackPort();
    StartServer();
    if (HasFatalFailure()) return;
    ::setenv("OCI_CONFIG_FILE", options_.config_file.c_str(), 1);
    ::unsetenv("OCI_CONFIG_PROFILE");
    client_ = NewClient(/*max_attempts=*/5);
    ASSERT_NE(client_, nullptr);
  }
  void TearDown() override {
    if (app_) app_->Stop();
    app_.reset();
    AdsBinaryTest::TearDown();
  }

  // Stops the server and opens it again on the same data dir and port, as a
  // restart of `ads server` does.
  void RestartServer() {
    app_->Stop();
    app_.reset();
    StartServer();
    client_ = NewClient(/*max_attempts=*/5);  // no connection of the old server lingers
  }

  // A client of its own (one per thread), signed as the administrator.
  // max_attempts 1: the caller sees every refusal.
  std::unique_ptr<client::Client> NewClient(int max_attempts = 1) const {
    auto c = client::Client::FromConfig(
        {.config_path = options_.config_file, .max_attempts = max_attempts});
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? std::move(*c) : nullptr;
  }

  // A call signed as the administrator; the parsed body (null when empty).
  // Fails the test when the call fails.
  Json Call(const std::string& method, const std::string& path,
            const std::optional<Json>& body = std::nullopt) {
    auto r = client_->Call(method, path, body);
    EXPECT_TRUE(r.ok()) << method << " " << path << ": " << r.status().ToString();
    if (!r.ok() || r->body.empty()) return Json();
    return r->ParseJson().value_or(Json());
  }

  // A new project in the tenancy; its OCID.
  std::string NewProject() {
    return Call("POST", "/20190101/projects", Json{{"compartmentId", tenancy_id()}})
        .value("id", "");
  }

  // `ads ARGS... --output json`, parsed; fails the test when the command fails.
  Json AdsJson(std::vector<std::string> args) {
    args.insert(args.end(), {"--output", "json"});
    CmdResult r = Ads(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Json j = Json::parse(r.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.out;
    return j;
  }

  const std::string& tenancy_id() const { return app_->bootstrap().tenancy_id; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(app_->port()); }

  std::unique_ptr<server::ServerApp> app_;
  std::unique_ptr<client::Client> client_;

 private:
  void StartServer() {
    auto app = server::ServerApp::Open(env_, options_);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = std::move(*app);
    const Status started = app_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  server::ServerAppOptions options_;
};

// AdsServerTest with a project in the tenancy, for tests that save models.
class AdsProjectTest : public AdsServerTest {
 protected:
  void SetUp() override {
    AdsServerTest::SetUp();
    if (!HasFatalFailure()) project_ = NewProject();
  }

  std::string project_;
};

}  // namespace ads::cli

#endif  // ADS_CLI_CLI_SERVER_TEST_UTIL_H_
