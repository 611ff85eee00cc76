// `ads server [--data-dir DIR] [--host H] [--port P] [--config-file F]`:
// the catalog server with embedded storage, serving until SIGINT/SIGTERM.
// `ads server init` only initialises the data directory (tenancy, admin,
// signing key, OCI config file) and exits.
//
//   ads server --data-dir ~/.ads/data --port 8080
//   ads server init --data-dir ~/.ads/data
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/output.h"
#include "server/server_app.h"

namespace ads::cli {
namespace {

struct ServerFlags {
  server::ServerAppOptions options;
};

std::string DefaultDataDir(Env& env) {
  const std::string home = env.GetEnvVar("HOME").value_or(".");
  return JoinPath(home, ".ads/data");
}

void PrintStart(const server::ServerApp& app, const server::ServerAppOptions& options) {
  const iam::BootstrapResult& boot = app.bootstrap();
  std::cout << "data dir:   " << options.data_dir << "\n"
            << "tenancy:    " << boot.tenancy_id << (boot.created ? " (new)" : "") << "\n"
            << "namespace:  " << boot.namespace_name << "\n"
            << "admin user: " << boot.admin_user_id << "\n"
            << "config:     " << boot.config_path
            << (boot.config_written ? " (written)" : " (kept as it was)") << "\n";
}

int RunInit(ServerFlags& flags) {
  Env& env = *Env::Default();
  if (flags.options.data_dir.empty()) flags.options.data_dir = DefaultDataDir(env);
  auto app = server::ServerApp::Open(env, flags.options);
  if (!app.ok()) return ReportError(app.status(), "check that the data directory is writable");
  PrintStart(**app, flags.options);
  return kExitOk;
}

int RunServe(ServerFlags& flags) {
  Env& env = *Env::Default();
  if (flags.options.data_dir.empty()) flags.options.data_dir = DefaultDataDir(env);
  // Block the stop signals before any thread starts, so that every thread
  // inherits the mask and only sigwait below receives them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that goes away mid-response must not kill the server.
  signal(SIGPIPE, SIG_IGN);

  auto app = server::ServerApp::Open(env, flags.options);
  if (!app.ok()) return ReportError(app.status(), "check that the data directory is writable");
  if (Status started = (*app)->Start(); !started.ok()) {
    return ReportError(started, "choose another port with --port");
  }
  PrintStart(**app, flags.options);
  std::cout << "listening:  http://" << flags.options.host << ":" << (*app)->port() << "\n"
            << std::flush;
  int received = 0;
  sigwait(&stop_signals, &received);
  std::cout << "stopping (signal " << received << ")\n" << std::flush;
  (*app)->Stop();
  return kExitOk;
}

}  // namespace

void RegisterServer(CLI::App& parent, int* exit_code) {
  auto flags = std::make_shared<ServerFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "server", "Run the model catalog server (OCI Data Science, Object Storage and Identity APIs)");
  cmd->require_subcommand(0, 1);
  cmd->add_option("--data-dir", flags->options.data_dir,
                  "Where the catalog keeps its database and blobs (default ~/.ads/data)");
  cmd->add_option("--host", flags->options.host, "Address to listen on (default 127.0.0.1)");
  cmd->add_option("--port", flags->options.port, "Port to listen on (default 8080)");
  cmd->add_option("--config-file", flags->options.config_file,
                  "OCI config file written on first start when absent (default ~/.ads/config)");
  cmd->add_option("--region", flags->options.region, "Region name (default us-ashburn-1)");
  cmd->add_flag_callback(
      "--kserve-unsigned", [flags] { flags->options.kserve_signed = false; },
      "Serve the KServe v2 model routes (metadata, ready, infer) without OCI signatures, for a "
      "trusted network only; predict stays signed");
  CLI::App* init = cmd->add_subcommand(
      "init", "Initialise the data directory, admin user, key and config file, then exit");
  init->fallthrough();
  init->callback([flags, exit_code] { *exit_code = RunInit(*flags); });
  cmd->callback([flags, exit_code, init] {
    if (init->parsed()) return;
    *exit_code = RunServe(*flags);
  });
}

}  // namespace ads::cli
