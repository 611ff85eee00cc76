// `ads model deploy`, `ads model predict` and `ads model-deployment
// list|get|update|activate|deactivate|delete|logs`: thin wrappers over the
// modelDeployments routes of the Data Science API (OCI 20190101 shapes) and
// the data plane's POST /{deploymentId}/predict, signed with the API key of an
// OCI config profile through client::Client.
//
// Defaults follow ADS (ADS_FORMATS.md §5.2): shape VM.Standard.E4.Flex, one
// instance, 10 Mbps, an ADS-style random display name, the compartment and
// project of the model. Long actions answer at once with a work request;
// --wait follows it (and then the deployment) until the action is over, and
// a FAILED deployment is exit status 1 with its lifecycleDetails.
//
// Output: --output json prints the server's JSON; table prints aligned
// columns. Default: table on a terminal, json otherwise. `deploy` without
// json prints two lines, the deployment OCID and its predict URL, so scripts
// can read them with `read`.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/env.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "client/client.h"

namespace ads::cli {
namespace {

constexpr char kDeployments[] = "/20190101/modelDeployments";
constexpr char kWorkRequests[] = "/20190101/workRequests";

// ---------------------------------------------------------------- shared flags and output

struct GlobalFlags {
  std::string config_file;
  std::string profile;
  std::string endpoint;
  std::string output;  // empty: table on a terminal, json otherwise
};

void AddGlobalFlags(CLI::App* cmd, GlobalFlags* g) {
  cmd->add_option("--config-file", g->config_file, "OCI config file");
  cmd->add_option("--profile", g->profile, "Config profile (else $OCI_CONFIG_PROFILE)");
  cmd->add_option("--endpoint", g->endpoint, "Override the profile's endpoint");
  cmd->add_option("--output,-o", g->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
}

struct WaitFlags {
  bool wait = false;
  int max_wait_seconds = 1200;  // ADS's DEFAULT_WAIT_TIME
};

void AddWaitFlags(CLI::App* cmd, WaitFlags* w) {
  cmd->add_flag("--wait", w->wait, "Wait until the action is over (exit 1 if it failed)");
  cmd->add_option("--max-wait-seconds", w->max_wait_seconds, "Give up waiting after this long")
      ->check(CLI::PositiveNumber);
}

int ReportCallError(const Status& status, const GlobalFlags& g) {
  std::string hint;
  switch (status.code()) {
    case StatusCode::kUnauthenticated:
      hint = "check the key and fingerprint in " +
             (g.config_file.empty() ? std::string("your OCI config") : g.config_file);
      break;
    case StatusCode::kNotFound:
      hint = "the id is wrong or your policies do not allow this";
      break;
    case StatusCode::kUnavailable:
      hint = "is `ads server` running at the configured endpoint?";
      break;
    default:
      break;
  }
  return ReportError(status, hint);
}

// A usage problem found after parsing (a flag's value, not its syntax).
int UsageError(const std::string& message) {
  ReportError(InvalidArgumentError(message));
  return kExitUsage;
}

Result<std::unique_ptr<client::Client>> Connect(const GlobalFlags& g) {
  client::ClientOptions options;
  options.config_path = g.config_file;
  options.profile = g.profile;
  options.endpoint = g.endpoint;
  return client::Client::FromConfig(options);
}

bool UseJson(const GlobalFlags& g) {
  if (!g.output.empty()) return g.output == "json";
  return isatty(STDOUT_FILENO) == 0;
}

std::string Field(const Json& item, const char* name) {
  auto it = item.find(name);
  if (it == item.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string ModelIdOf(const Json& deployment) {
  const Json* j = &deployment;
  for (const char* key : {"modelDeploymentConfigurationDetails", "modelConfigurationDetails"}) {
    auto it = j->find(key);
    if (it == j->end() || !it->is_object()) return "";
    j = &*it;
  }
  return Field(*j, "modelId");
}

void PrintDeployments(const Json& value, const GlobalFlags& g) {
  if (UseJson(g)) {
    std::cout << value.dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  auto add = [&rows](const Json& item) {
    rows.push_back({Field(item, "id"), Field(item, "displayName"), Field(item, "lifecycleState"),
                    ModelIdOf(item), Field(item, "timeCreated")});
  };
  if (value.is_array()) {
    for (const Json& item : value) add(item);
  } else {
    add(value);
  }
  std::cout << RenderTable({"ID", "DISPLAY NAME", "STATE", "MODEL ID", "TIME CREATED"}, rows);
}

void AddQuery(std::string* path, const std::string& name, const std::string& value) {
  if (value.empty()) return;
  path->append(path->find('?') == std::string::npos ? "?" : "&");
  std::string escaped;
  for (char ch : value) {
    if (ch == ' ') escaped += "%20";
    else if (ch == '&') escaped += "%26";
    else if (ch == '#') escaped += "%23";
    else if (ch == '+') escaped += "%2B";
    else escaped += ch;
  }
  path->append(name + "=" + escaped);
}

std::string RetryToken(Env& env) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 2; ++i) {
    uint64_t r = env.RandomU64();
    for (int j = 0; j < 16; ++j, r >>= 4) token += kHex[r & 15];
  }
  return token;
}

// ---------------------------------------------------------------- ADS-style names

// ADS names an unnamed deployment "<adjective>-<animal>-<UTC time>", the
// animal alliterating with the adjective (ads/common/utils.py). These short
// lists keep that shape; the exact words are not part of any contract.
std::string RandomDisplayName(Env& env) {
  static const std::vector<std::string> kAdjectives = {
      "agile", "brave", "calm", "daring", "eager", "fancy", "gentle", "happy", "icy",
      "jolly", "keen", "lively", "merry", "noble", "odd", "polite", "quick", "rapid",
      "shiny", "tidy", "upbeat", "vivid", "witty", "young", "zesty"};
  static const std::vector<std::string> kAnimals = {
      "alpaca", "badger", "camel", "dolphin", "eagle", "falcon", "gazelle", "heron", "ibis",
      "jaguar", "koala", "lemur", "moose", "newt", "otter", "panther", "quail", "raven",
      "seal", "tapir", "urchin", "vulture", "walrus", "yak", "zebra"};
  const std::string& adjective = kAdjectives[env.RandomU64() % kAdjectives.size()];
  std::vector<const std::string*> matching;
  for (const std::string& a : kAnimals) {
    if (a[0] == adjective[0]) matching.push_back(&a);
  }
  const std::string& animal = matching.empty()
                                  ? kAnimals[env.RandomU64() % kAnimals.size()]
                                  : *matching[env.RandomU64() % matching.size()];
  const std::time_t now = std::chrono::system_clock::to_time_t(env.Now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%d-%H:%M.%S", &tm);
  return adjective + "-" + animal + "-" + stamp;
}

// ---------------------------------------------------------------- waiting

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Polls quickly at first (a local server finishes most actions in
// milliseconds), then backs off to the 2 s a remote service deserves.
class Poller {
 public:
  explicit Poller(int max_wait_seconds)
      : deadline_(std::chrono::steady_clock::now() + std::chrono::seconds(max_wait_seconds)) {}
  // Sleeps before the next poll; false once the deadline has passed.
  bool Next() {
    if (std::chrono::steady_clock::now() >= deadline_) return false;
    std::this_thread::sleep_for(delay_);
    delay_ = std::min(delay_ * 3 / 2, std::chrono::milliseconds(2000));
    return true;
  }

 private:
  std::chrono::steady_clock::time_point deadline_;
  std::chrono::milliseconds delay_{20};
};

// Follows a work request until it is SUCCEEDED, FAILED or CANCELED; returns
// its last document.
Result<Json> WaitForWorkRequest(client::Client& c, const std::string& id, int max_wait_seconds) {
  Poller poller(max_wait_seconds);
  while (true) {
    ADS_ASSIGN_OR_RETURN(client::Response r, c.Call("GET", std::string(kWorkRequests) + "/" + id));
    ADS_ASSIGN_OR_RETURN(Json wr, r.ParseJson());
    const std::string status = Field(wr, "status");
    if (status == "SUCCEEDED" || status == "FAILED" || status == "CANCELED") return wr;
    if (!poller.Next()) {
      return UnavailableError("gave up after " + std::to_string(max_wait_seconds) +
                              " s waiting for work request " + id + " (status " + status + ")");
    }
  }
}

// Polls the deployment until its state is one of `targets` or a state no
// action leaves by itself; a deleted deployment (404) counts as DELETED.
Result<Json> WaitForState(client::Client& c, const std::string& id,
                          const std::vector<std::string>& targets, int max_wait_seconds) {
  static const std::vector<std::string> kSettled = {"ACTIVE",  "INACTIVE", "FAILED",
                                                    "DELETED", "NEEDS_ATTENTION"};
  Poller poller(max_wait_seconds);
  while (true) {
    auto r = c.Call("GET", std::string(kDeployments) + "/" + id);
    if (!r.ok() && r.status().code() == StatusCode::kNotFound && Contains(targets, "DELETED")) {
      return Json{{"id", id}, {"lifecycleState", "DELETED"}};
    }
    if (!r.ok()) return r.status();
    ADS_ASSIGN_OR_RETURN(Json d, r->ParseJson());
    const std::string state = Field(d, "lifecycleState");
    if (Contains(targets, state) || Contains(kSettled, state)) return d;
    if (!poller.Next()) {
      return UnavailableError("gave up after " + std::to_string(max_wait_seconds) +
                              " s waiting for model deployment " + id + " (state " + state + ")");
    }
  }
}

// After an action answered `r`: follows its work request (when there is one),
// then the deployment, until it reaches one of `targets`. Any other settled
// state is an error naming it and the deployment's lifecycleDetails.
Result<Json> WaitForAction(client::Client& c, const client::Response& r, const std::string& id,
                           const std::vector<std::string>& targets, int max_wait_seconds) {
  const std::string wr_id(r.Header("opc-work-request-id"));
  std::string wr_status;
  if (!wr_id.empty()) {
    ADS_ASSIGN_OR_RETURN(Json wr, WaitForWorkRequest(c, wr_id, max_wait_seconds));
    wr_status = Field(wr, "status");
  }
  ADS_ASSIGN_OR_RETURN(Json d, WaitForState(c, id, targets, max_wait_seconds));
  const std::string state = Field(d, "lifecycleState");
  if (Contains(targets, state) && wr_status != "FAILED" && wr_status != "CANCELED") return d;
  std::string message = "model deployment " + id + " is " + state;
  const std::string details = Field(d, "lifecycleDetails");
  if (!details.empty()) message += ": " + details;
  if (!wr_status.empty() && wr_status != "SUCCEEDED") {
    message += " (work request " + wr_id + " " + wr_status + ")";
  }
  return FailedPreconditionError(message);
}

// ---------------------------------------------------------------- deploy

struct LogFlags {
  std::string log_group_id;
  std::string access_log;  // a log OCID, or "" when not asked for
  std::string predict_log;
};

void AddLogFlags(CLI::App* cmd, LogFlags* l) {
  cmd->add_option("--log-group-id", l->log_group_id,
                  "Log group of the access/predict logs (default: the deployment's own)");
  cmd->add_option("--access-log", l->access_log,
                  "Keep an access log (categoryLogDetails.access); value: its log id")
      ->expected(0, 1)
      ->default_str("access");
  cmd->add_option("--predict-log", l->predict_log,
                  "Keep a predict log (categoryLogDetails.predict); value: its log id")
      ->expected(0, 1)
      ->default_str("predict");
}

// categoryLogDetails for the flags; null when no log was asked for.
Json CategoryLogDetails(const LogFlags& l) {
  Json details = Json::object();
  const std::string group = l.log_group_id.empty() ? "default" : l.log_group_id;
  if (!l.access_log.empty()) details["access"] = {{"logGroupId", group}, {"logId", l.access_log}};
  if (!l.predict_log.empty()) {
    details["predict"] = {{"logGroupId", group}, {"logId", l.predict_log}};
  }
  return details.empty() ? Json() : details;
}

struct DeployFlags {
  GlobalFlags g;
  WaitFlags w;
  LogFlags logs;
  std::string model_id;
  std::string display_name;
  std::string description;
  std::string compartment_id;
  std::string project_id;
  std::string shape = "VM.Standard.E4.Flex";
  int instance_count = 1;
  int bandwidth_mbps = 10;
  std::vector<std::string> env;
};

Result<Json> EnvironmentVariables(const std::vector<std::string>& pairs) {
  Json vars = Json::object();
  for (const std::string& kv : pairs) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--env `" + kv + "` is not KEY=VALUE");
    }
    vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return vars;
}

// The CreateModelDeploymentDetails document (ADS _build_model_deployment_details).
Json CreateDetails(const DeployFlags& f, const Json& env_vars, Env& env) {
  Json model_config = {
      {"modelId", f.model_id},
      {"bandwidthMbps", f.bandwidth_mbps},
      {"instanceConfiguration", {{"instanceShapeName", f.shape}}},
      {"scalingPolicy", {{"policyType", "FIXED_SIZE"}, {"instanceCount", f.instance_count}}}};
  if (f.shape.ends_with("Flex")) {
    model_config["instanceConfiguration"]["modelDeploymentInstanceShapeConfigDetails"] = {
        {"ocpus", 1}, {"memoryInGBs", 16}};
  }
  Json body = {
      {"displayName", f.display_name.empty() ? RandomDisplayName(env) : f.display_name},
      {"compartmentId", f.compartment_id},
      {"projectId", f.project_id},
      {"modelDeploymentConfigurationDetails",
       {{"deploymentType", "SINGLE_MODEL"},
        {"modelConfigurationDetails", model_config},
        {"environmentConfigurationDetails",
         {{"environmentConfigurationType", "DEFAULT"}, {"environmentVariables", env_vars}}}}}};
  if (!f.description.empty()) body["description"] = f.description;
  Json logs = CategoryLogDetails(f.logs);
  if (!logs.is_null()) body["categoryLogDetails"] = logs;
  return body;
}

std::string PredictUrl(const Json& deployment) {
  std::string url = Field(deployment, "modelDeploymentUrl");
  return url.empty() ? "" : url + "/predict";
}

int RunDeploy(DeployFlags& f) {
  if (f.instance_count < 1) return UsageError("--instance-count must be at least 1");
  if (f.bandwidth_mbps < 1) return UsageError("--bandwidth-mbps must be at least 1");
  auto env_vars = EnvironmentVariables(f.env);
  if (!env_vars.ok()) return UsageError(std::string(env_vars.status().message()));
  auto c = Connect(f.g);
  if (!c.ok()) return ReportError(c.status());
  if (f.compartment_id.empty() || f.project_id.empty()) {
    auto model = (*c)->Call("GET", "/20190101/models/" + f.model_id);
    if (!model.ok()) return ReportCallError(model.status().WithContext("model " + f.model_id), f.g);
    auto json = model->ParseJson();
    if (!json.ok()) return ReportError(json.status());
    if (f.compartment_id.empty()) f.compartment_id = Field(*json, "compartmentId");
    if (f.project_id.empty()) f.project_id = Field(*json, "projectId");
  }
  Env& env = *Env::Default();
  auto r = (*c)->Call("POST", kDeployments, CreateDetails(f, *env_vars, env),
                      {{"opc-retry-token", RetryToken(env)}});
  if (!r.ok()) return ReportCallError(r.status(), f.g);
  auto deployment = r->ParseJson();
  if (!deployment.ok()) return ReportError(deployment.status());
  if (f.w.wait) {
    auto done = WaitForAction(**c, *r, Field(*deployment, "id"), {"ACTIVE"}, f.w.max_wait_seconds);
    if (!done.ok()) return ReportCallError(done.status(), f.g);
    deployment = std::move(done);
  }
  if (UseJson(f.g)) {
    std::cout << deployment->dump(2) << "\n";
  } else {
    std::cout << Field(*deployment, "id") << "\n" << PredictUrl(*deployment) << "\n";
  }
  return kExitOk;
}

// ---------------------------------------------------------------- predict

struct PredictFlags {
  GlobalFlags g;
  std::string deployment_id;
  std::string data;
  std::string content_type = "application/json";
};

// The payload: the flag's text, or the bytes of the file after '@'.
Result<std::string> ReadData(const std::string& data) {
  if (data.empty() || data[0] != '@') return data;
  return Env::Default()->ReadFile(data.substr(1));
}

int RunPredict(const PredictFlags& f) {
  auto payload = ReadData(f.data);
  if (!payload.ok()) return UsageError("--data " + f.data + ": " + payload.status().ToString());
  const bool is_json = f.content_type == "application/json" || f.content_type == "text/json";
  Json json_body;
  if (is_json) {
    json_body = Json::parse(*payload, nullptr, /*allow_exceptions=*/false);
    if (json_body.is_discarded()) {
      return UsageError("--data is not valid JSON (use --content-type for other payloads)");
    }
  }
  auto c = Connect(f.g);
  if (!c.ok()) return ReportError(c.status());
  const std::string path = "/" + f.deployment_id + "/predict";
  // JSON is signed over its body, as requests+OCI signer send it (ADS
  // predict); other payloads go as the SDKs send binary bodies.
  const std::string& bytes = *payload;
  const client::BodySourceFactory body = [&bytes]() -> Result<http::BodySource> {
    auto offset = std::make_shared<size_t>(0);
    return http::BodySource([&bytes, offset](char* buf, size_t n) -> Result<size_t> {
      const size_t k = std::min(n, bytes.size() - *offset);
      std::memcpy(buf, bytes.data() + *offset, k);
      *offset += k;
      return k;
    });
  };
  auto r = is_json ? (*c)->Call("POST", path, json_body)
                   : (*c)->Upload("POST", path, body, bytes.size(),
                                  {{"content-type", f.content_type}});
  if (!r.ok()) {
    std::string hint;
    if (r.status().code() == StatusCode::kUnavailable) {
      hint = "the deployment may be inactive, or over its bandwidth (see `ads model-deployment "
             "get " + f.deployment_id + "`)";
    }
    return hint.empty() ? ReportCallError(r.status(), f.g) : ReportError(r.status(), hint);
  }
  std::cout << r->body;
  if (r->body.empty() || r->body.back() != '\n') std::cout << "\n";
  return kExitOk;
}


// ---------------------------------------------------------------- model-deployment group

struct MdFlags {
  GlobalFlags g;
  WaitFlags w;
  LogFlags logs;
  std::string id;
  std::string compartment_id;
  std::string project_id;
  std::string display_name;
  std::string description;
  std::string lifecycle_state;
  std::string model_id;
  int instance_count = 0;  // 0: unchanged
  int bandwidth_mbps = 0;  // 0: unchanged
};

// Runs an action that answers with a work request; with --wait follows it to
// one of `targets`, then prints the deployment (or, without a body, nothing).
int RunAction(const MdFlags& f, const std::string& method, const std::string& path,
              const std::optional<Json>& body, const std::vector<std::string>& targets) {
  auto c = Connect(f.g);
  if (!c.ok()) return ReportError(c.status());
  auto r = (*c)->Call(method, path, body);
  if (!r.ok()) return ReportCallError(r.status(), f.g);
  if (f.w.wait) {
    auto done = WaitForAction(**c, *r, f.id, targets, f.w.max_wait_seconds);
    if (!done.ok()) return ReportCallError(done.status(), f.g);
    PrintDeployments(*done, f.g);
    return kExitOk;
  }
  if (!r->body.empty()) {
    auto json = r->ParseJson();
    if (!json.ok()) return ReportError(json.status());
    PrintDeployments(*json, f.g);
  } else if (!r->Header("opc-work-request-id").empty()) {
    std::cerr << "work request " << r->Header("opc-work-request-id") << " accepted\n";
  }
  return kExitOk;
}

// UpdateModelDeploymentDetails with only what the flags change; null when
// they change nothing.
Json UpdateDetails(const MdFlags& f) {
  Json body = Json::object();
  if (!f.display_name.empty()) body["displayName"] = f.display_name;
  if (!f.description.empty()) body["description"] = f.description;
  Json model_config = Json::object();
  if (!f.model_id.empty()) model_config["modelId"] = f.model_id;
  if (f.instance_count > 0) {
    model_config["scalingPolicy"] = {{"policyType", "FIXED_SIZE"},
                                     {"instanceCount", f.instance_count}};
  }
  if (f.bandwidth_mbps > 0) model_config["bandwidthMbps"] = f.bandwidth_mbps;
  if (!model_config.empty()) {
    body["modelDeploymentConfigurationDetails"] = {
        {"deploymentType", "SINGLE_MODEL"}, {"modelConfigurationDetails", model_config}};
  }
  Json logs = CategoryLogDetails(f.logs);
  if (!logs.is_null()) body["categoryLogDetails"] = logs;
  return body.empty() ? Json() : body;
}

void AddDeploymentGet(CLI::App* group, int* exit_code) {
  auto f = std::make_shared<MdFlags>();
  CLI::App* cmd = group->add_subcommand("get", "Show one model deployment");
  cmd->add_option("ID", f->id, "Model deployment OCID")->required();
  AddGlobalFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    auto c = Connect(f->g);
    if (!c.ok()) {
      *exit_code = ReportError(c.status());
      return;
    }
    auto r = (*c)->Call("GET", std::string(kDeployments) + "/" + f->id);
    if (!r.ok()) {
      *exit_code = ReportCallError(r.status(), f->g);
      return;
    }
    auto json = r->ParseJson();
    if (!json.ok()) {
      *exit_code = ReportError(json.status());
      return;
    }
    PrintDeployments(*json, f->g);
    *exit_code = kExitOk;
  });
}

void AddDeploymentList(CLI::App* group, int* exit_code) {
  auto f = std::make_shared<MdFlags>();
  CLI::App* cmd = group->add_subcommand("list", "List model deployments (all pages)");
  cmd->add_option("--compartment-id", f->compartment_id, "Compartment OCID")->required();
  cmd->add_option("--project-id", f->project_id, "Project OCID");
  cmd->add_option("--display-name", f->display_name, "Exact display name");
  cmd->add_option("--lifecycle-state", f->lifecycle_state, "e.g. ACTIVE");
  AddGlobalFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    std::string path = kDeployments;
    AddQuery(&path, "compartmentId", f->compartment_id);
    AddQuery(&path, "projectId", f->project_id);
    AddQuery(&path, "displayName", f->display_name);
    AddQuery(&path, "lifecycleState", f->lifecycle_state);
    auto c = Connect(f->g);
    if (!c.ok()) {
      *exit_code = ReportError(c.status());
      return;
    }
    auto items = (*c)->ListAll(path);
    if (!items.ok()) {
      *exit_code = ReportCallError(items.status(), f->g);
      return;
    }
    PrintDeployments(*items, f->g);
    *exit_code = kExitOk;
  });
}

void AddDeploymentUpdate(CLI::App* group, int* exit_code) {
  auto f = std::make_shared<MdFlags>();
  CLI::App* cmd = group->add_subcommand(
      "update", "Change a model deployment (the model while ACTIVE; instances and bandwidth "
                "while INACTIVE)");
  cmd->add_option("ID", f->id, "Model deployment OCID")->required();
  cmd->add_option("--model-id", f->model_id, "Serve this model instead");
  cmd->add_option("--display-name", f->display_name, "New name");
  cmd->add_option("--description", f->description, "New description");
  cmd->add_option("--instance-count", f->instance_count, "Instances (FIXED_SIZE)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--bandwidth-mbps", f->bandwidth_mbps, "Load balancer bandwidth")
      ->check(CLI::PositiveNumber);
  AddLogFlags(cmd, &f->logs);
  AddWaitFlags(cmd, &f->w);
  AddGlobalFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    const Json body = UpdateDetails(*f);
    if (body.is_null()) {
      *exit_code = UsageError("nothing to update: give --model-id, --display-name, "
                              "--description, --instance-count, --bandwidth-mbps or a log flag");
      return;
    }
    *exit_code = RunAction(*f, "PUT", std::string(kDeployments) + "/" + f->id, body,
                           {"ACTIVE", "INACTIVE"});
  });
}

// activate, deactivate and delete: one OCID, a work request, --wait.
void AddDeploymentAction(CLI::App* group, const std::string& name, const std::string& help,
                         const std::string& method, const std::string& suffix,
                         const std::string& target, int* exit_code) {
  auto f = std::make_shared<MdFlags>();
  CLI::App* cmd = group->add_subcommand(name, help);
  cmd->add_option("ID", f->id, "Model deployment OCID")->required();
  AddWaitFlags(cmd, &f->w);
  AddGlobalFlags(cmd, &f->g);
  cmd->callback([f, method, suffix, target, exit_code] {
    *exit_code = RunAction(*f, method, std::string(kDeployments) + "/" + f->id + suffix,
                           std::nullopt, {target});
  });
}

struct LogsFlags {
  GlobalFlags g;
  std::string id;
  std::string type = "access";
  int tail = 100;  // ADS show_logs(limit=100)
  bool follow = false;
};

// The entries of a logs answer: a bare array or an object with "items".
Json LogEntries(const Json& answer) {
  if (answer.is_array()) return answer;
  auto it = answer.find("items");
  return it != answer.end() && it->is_array() ? *it : Json::array();
}

// One entry as ADS's show_logs columns (time, type, message), or its JSON.
void PrintLogEntry(const Json& entry, const LogsFlags& f) {
  if (UseJson(f.g)) {
    std::cout << entry.dump() << "\n";
    return;
  }
  std::string message = Field(entry, "message");
  if (message.empty()) message = entry.dump();
  std::cout << Field(entry, "time") << "  " << f.type << "  " << message << "\n";
}

int RunLogs(const LogsFlags& f) {
  auto c = Connect(f.g);
  if (!c.ok()) return ReportError(c.status());
  std::string last_time;
  bool first = true;
  while (true) {
    std::string path = std::string(kDeployments) + "/" + f.id + "/logs";
    AddQuery(&path, "type", f.type);
    AddQuery(&path, "limit", std::to_string(f.tail));
    if (!last_time.empty()) AddQuery(&path, "timeGreaterThan", last_time);
    auto r = (*c)->Call("GET", path);
    if (!r.ok()) return ReportCallError(r.status(), f.g);
    auto answer = r->ParseJson();
    if (!answer.ok()) return ReportError(answer.status());
    const Json entries = LogEntries(*answer);
    for (const Json& entry : entries) {
      const std::string time = Field(entry, "time");
      // The server filters by time; a server that does not is filtered here.
      if (!last_time.empty() && !time.empty() && time <= last_time) continue;
      PrintLogEntry(entry, f);
      if (!time.empty()) last_time = time;
    }
    if (first && entries.empty() && !f.follow) {
      std::cerr << "No " << f.type << " log lines for model deployment " << f.id << ".\n";
    }
    first = false;
    if (!f.follow) return kExitOk;
    std::cout.flush();
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

void AddDeploymentLogs(CLI::App* group, int* exit_code) {
  auto f = std::make_shared<LogsFlags>();
  CLI::App* cmd = group->add_subcommand("logs", "Show a model deployment's access or predict log");
  cmd->add_option("ID", f->id, "Model deployment OCID")->required();
  cmd->add_option("--type", f->type, "access or predict")
      ->check(CLI::IsMember({"access", "predict"}))
      ->capture_default_str();
  cmd->add_option("--tail", f->tail, "Show the last N lines")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--follow,-f", f->follow, "Keep printing new lines (Ctrl-C stops)");
  AddGlobalFlags(cmd, &f->g);
  cmd->callback([f, exit_code] { *exit_code = RunLogs(*f); });
}

}  // namespace

void RegisterModelDeploy(CLI::App& model, int* exit_code) {
  auto f = std::make_shared<DeployFlags>();
  CLI::App* cmd = model.add_subcommand("deploy", "Deploy a saved model (CreateModelDeployment)");
  cmd->add_option("MODEL_ID", f->model_id, "Model OCID")->required();
  cmd->add_option("--display-name", f->display_name, "Name (default: an ADS-style random name)");
  cmd->add_option("--description", f->description, "Description");
  cmd->add_option("--compartment-id", f->compartment_id, "Compartment (default: the model's)");
  cmd->add_option("--project-id", f->project_id, "Project (default: the model's)");
  cmd->add_option("--instance-shape", f->shape, "Instance shape name")
      ->capture_default_str();
  cmd->add_option("--instance-count", f->instance_count, "Instances (FIXED_SIZE)")
      ->capture_default_str();
  cmd->add_option("--bandwidth-mbps", f->bandwidth_mbps, "Load balancer bandwidth")
      ->capture_default_str();
  cmd->add_option("--env", f->env, "Environment variable KEY=VALUE (repeatable)");
  AddLogFlags(cmd, &f->logs);
  AddWaitFlags(cmd, &f->w);
  AddGlobalFlags(cmd, &f->g);
  cmd->callback([f, exit_code] { *exit_code = RunDeploy(*f); });
}

void RegisterModelPredict(CLI::App& model, int* exit_code) {
  auto f = std::make_shared<PredictFlags>();
  CLI::App* cmd = model.add_subcommand("predict", "Call a model deployment's predict endpoint");
  cmd->add_option("DEPLOYMENT_ID", f->deployment_id, "Model deployment OCID")->required();
  cmd->add_option("--data,-d", f->data, "Payload: JSON text, or @FILE")->required();
  cmd->add_option("--content-type", f->content_type, "Content type of the payload")
      ->capture_default_str();
  AddGlobalFlags(cmd, &f->g);
  cmd->callback([f, exit_code] { *exit_code = RunPredict(*f); });
}

void RegisterModelDeployment(CLI::App& parent, int* exit_code) {
  CLI::App* group = parent.add_subcommand("model-deployment", "Model deployments");
  group->require_subcommand(1);
  AddDeploymentList(group, exit_code);
  AddDeploymentGet(group, exit_code);
  AddDeploymentUpdate(group, exit_code);
  AddDeploymentAction(group, "activate", "Start serving again (from INACTIVE)", "POST",
                      "/actions/activate", "ACTIVE", exit_code);
  AddDeploymentAction(group, "deactivate", "Stop serving, keep the deployment (from ACTIVE)",
                      "POST", "/actions/deactivate", "INACTIVE", exit_code);
  AddDeploymentAction(group, "delete", "Delete a model deployment", "DELETE", "", "DELETED",
                      exit_code);
  AddDeploymentLogs(group, exit_code);
}

}  // namespace ads::cli
