// ServerApp: one `ads server` process. It owns the data directory
// (<data-dir>/ads.db, blobs/, tmp/), brings the stores up (migrations,
// recovery of interrupted uploads), bootstraps the tenancy and the admin's
// signing key on first start, wires the OCI routes (Identity, Data Science,
// Object Storage, model deployments) and /health onto one Router, and serves them over HTTP.
//
//   server::ServerAppOptions options;
//   options.data_dir = "/var/lib/ads";
//   ADS_ASSIGN_OR_RETURN(auto app, server::ServerApp::Open(env, options));
//   ADS_RETURN_IF_ERROR(app->Start());
//   ...                    // serve until told to stop
//   app->Stop();
//
// Thread-safety: Open/Start/Stop from one thread; the services it owns are
// thread-safe and serve requests on the HTTP server's threads.
#ifndef ADS_SERVER_SERVER_APP_H_
#define ADS_SERVER_SERVER_APP_H_

#include <chrono>
#include <memory>
#include <string>

#include "base/env.h"
#include "base/status.h"
#include "iam/bootstrap.h"
#include "server/api.h"
#include "serving/endpoint.h"

namespace ads::server {

struct ServerAppOptions {
  std::string data_dir;  // required; created when missing
  std::string host = "127.0.0.1";
  int port = 8080;
  // The OCI config file written on first start when absent ("" means
  // ~/.ads/config), naming the admin's key and this server as endpoint.
  std::string config_file;
  std::string region = "us-ashburn-1";
  // The KServe v2 model routes (metadata, ready, infer) require an OCI
  // signature like predict. false opens them, as a bare Triton server is,
  // for a server whose network is trusted (the demo on 127.0.0.1).
  bool kserve_signed = true;
  // Lifetime of the resource-principal session tokens given to Python
  // deployments (refreshed at half of it); see docs/deployments.md.
  std::chrono::seconds session_token_lifetime{3600};
};

class ServerApp {
 public:
  // Opens (initialising on first use) the data directory and every store,
  // and bootstraps the tenancy. Nothing listens yet.
  static Result<std::unique_ptr<ServerApp>> Open(Env& env, const ServerAppOptions& options);
  ~ServerApp();

  // Listens on host:port; Unavailable when the port is taken.
  Status Start();
  // The port being served (after Start).
  int port() const;
  // Finishes the requests in flight and stops listening.
  void Stop();

  const iam::BootstrapResult& bootstrap() const;
  // The routes being served (tests enumerate them).
  const Router& router() const;
  // The model deployments, for the data-plane routes (predict, KServe v2,
  // /metrics): valid as long as the ServerApp.
  serving::EndpointDirectory& endpoints();

 private:
  struct State;
  explicit ServerApp(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace ads::server

#endif  // ADS_SERVER_SERVER_APP_H_
