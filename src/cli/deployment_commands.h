// What `ads model deploy` shares with `ads model prepare-save-deploy`
// (deployment_commands.cc, model_prepare_save_deploy.cc): the flags that
// shape a deployment, and creating one and waiting for it.
//
//   DeployFlags f;
//   AddDeploymentConfigFlags(cmd, &f);  // shape, instances, bandwidth, env, logs, --wait
//   ...
//   RunWithClient(f.g, [&](client::Client& c) -> Status {
//     ADS_ASSIGN_OR_RETURN(Json d, CreateDeployment(c, f));
//     std::cout << PredictUrl(d) << "\n";
//     return OkStatus();
//   });
//
// Thread-safety: plain functions; the flags belong to one command invocation.
#ifndef ADS_CLI_DEPLOYMENT_COMMANDS_H_
#define ADS_CLI_DEPLOYMENT_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "cli/table.h"
#include "client/client.h"

namespace ads::cli {

struct WaitFlags {
  bool wait = false;            // the default of --wait / --no-wait
  int max_wait_seconds = 1200;  // ADS's DEFAULT_WAIT_TIME
};
void AddWaitFlags(CLI::App* cmd, WaitFlags* w);

// categoryLogDetails. On OCI a log is a Logging service OCID; an ads server
// keeps the lines itself (<data-dir>/logs/<deployment>/) and records the ids
// as given, so the flags alone are enough there.
struct LogFlags {
  bool access = false;
  bool predict = false;
  std::string log_group_id;
  std::string access_log_id;
  std::string predict_log_id;
};
void AddLogFlags(CLI::App* cmd, LogFlags* l);

struct DeployFlags {
  ServerFlags g;
  WaitFlags w;
  LogFlags logs;
  std::string model_id;
  std::string display_name;  // empty: the server picks an ADS-style name
  std::string description;
  std::string compartment_id;  // empty: the model's
  std::string project_id;      // empty: the model's
  std::string shape = "VM.Standard.E4.Flex";
  int instance_count = 1;
  int bandwidth_mbps = 10;
  std::vector<std::string> env;  // KEY=VALUE
};

// --instance-shape, --instance-count, --bandwidth-mbps, --env, the log flags
// and --wait/--no-wait/--max-wait-seconds.
void AddDeploymentConfigFlags(CLI::App* cmd, DeployFlags* f);

// The checks CLI11 cannot make; an InvalidArgument status for a usage error.
Status CheckDeployFlags(const DeployFlags& f);

// CreateModelDeployment for f.model_id (compartment and project default to
// the model's), then, with f.w.wait, follows the work request until the
// deployment is ACTIVE (any other end is an error naming the state and
// lifecycleDetails). `on_created` hears the deployment's OCID as soon as it
// exists. Returns the deployment document.
Result<Json> CreateDeployment(client::Client& c, DeployFlags& f,
                              const std::function<void(const std::string& id)>& on_created = {});

// "<modelDeploymentUrl>/predict", or "" while the deployment has no URL.
std::string PredictUrl(const Json& deployment);

}  // namespace ads::cli

#endif  // ADS_CLI_DEPLOYMENT_COMMANDS_H_
