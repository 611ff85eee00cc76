// `ads model deploy`, `ads model predict` and `ads model-deployment
// list|get|update|activate|deactivate|delete|logs`: thin wrappers over the
// modelDeployments routes of the Data Science API (OCI 20190101 shapes) and
// the data plane's POST /{deploymentId}/predict, signed with the API key of an
// OCI config profile through client::Client.
//
// Defaults follow ADS (ADS_FORMATS.md §5.2): shape VM.Standard.E4.Flex, one
// instance, 10 Mbps, the compartment and project of the model, and (from the
// server) an ADS-style random display name. Long actions answer at once with
// a work request; --wait follows it (and then the deployment) until the
// action is over, and a deployment that ends elsewhere (FAILED, ...) is exit
// status 1 with its lifecycleDetails.
//
// Flags and output as the other server commands (table.h, docs/cli.md);
// `deploy` in table form prints two lines, the deployment OCID and its
// predict URL, so that scripts can `read` them.
#include "cli/deployment_commands.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/env.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/table.h"
#include "client/client.h"

namespace ads::cli {

void AddWaitFlags(CLI::App* cmd, WaitFlags* w) {
  cmd->add_flag("--wait,!--no-wait", w->wait,
                std::string("Wait until the action is over (exit 1 if it failed); default ") +
                    (w->wait ? "--wait" : "--no-wait"));
  cmd->add_option("--max-wait-seconds", w->max_wait_seconds, "Give up waiting after this long")
      ->check(CLI::PositiveNumber);
}

namespace {

constexpr char kDeployments[] = "/20190101/modelDeployments";
constexpr char kWorkRequests[] = "/20190101/workRequests";

// ---------------------------------------------------------------- shared pieces

std::string ModelIdOf(const Json& deployment) {
  const Json* j = &deployment;
  for (const char* key : {"modelDeploymentConfigurationDetails", "modelConfigurationDetails"}) {
    auto it = j->find(key);
    if (it == j->end() || !it->is_object()) return "";
    j = &*it;
  }
  return FieldText(*j, "modelId");
}

std::vector<Column> DeploymentColumns() {
  return {FieldColumn("OCID", "id"), FieldColumn("DISPLAY NAME", "displayName", 40),
          FieldColumn("STATE", "lifecycleState"),
          Column{"MODEL", [](const Json& d) { return ModelIdOf(d); }},
          TimeColumn("CREATED", "timeCreated")};
}

// A deployment after an action: one table row, or its JSON.
void PrintDeployment(const Json& deployment, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    PrintOne(deployment, format);
  } else {
    PrintList(Json::array({deployment}), DeploymentColumns(), format);
  }
}

Result<Json> CallJson(client::Client& c, std::string_view method, const std::string& path,
                      const std::optional<Json>& body = std::nullopt, const HeaderMap& headers = {},
                      client::Response* response = nullptr) {
  ADS_ASSIGN_OR_RETURN(client::Response r, c.Call(method, path, body, headers));
  Json json(nullptr);
  if (!r.body.empty()) {
    ADS_ASSIGN_OR_RETURN(json, r.ParseJson());
  }
  if (response != nullptr) *response = std::move(r);
  return json;
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
    const std::string status = FieldText(wr, "status");
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
  static const std::vector<std::string> kSettled = {"ACTIVE", "INACTIVE", "FAILED", "DELETED",
                                                    "NEEDS_ATTENTION"};
  Poller poller(max_wait_seconds);
  while (true) {
    auto r = c.Call("GET", std::string(kDeployments) + "/" + id);
    if (!r.ok() && r.status().code() == StatusCode::kNotFound && Contains(targets, "DELETED")) {
      return Json{{"id", id}, {"lifecycleState", "DELETED"}};
    }
    if (!r.ok()) return r.status();
    ADS_ASSIGN_OR_RETURN(Json d, r->ParseJson());
    const std::string state = FieldText(d, "lifecycleState");
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
    wr_status = FieldText(wr, "status");
  }
  ADS_ASSIGN_OR_RETURN(Json d, WaitForState(c, id, targets, max_wait_seconds));
  const std::string state = FieldText(d, "lifecycleState");
  if (Contains(targets, state) && wr_status != "FAILED" && wr_status != "CANCELED") return d;
  std::string message = "model deployment " + id + " is " + state;
  const std::string details = FieldText(d, "lifecycleDetails");
  if (!details.empty()) message += ": " + details;
  if (!wr_status.empty() && wr_status != "SUCCEEDED") {
    message += " (work request " + wr_id + " " + wr_status + ")";
  }
  return FailedPreconditionError(message);
}

// ---------------------------------------------------------------- deploy

// categoryLogDetails for the flags; null when no log was asked for.
Json CategoryLogDetails(const LogFlags& l) {
  Json details = Json::object();
  const std::string group = l.log_group_id.empty() ? "default" : l.log_group_id;
  if (l.access || !l.access_log_id.empty()) {
    details["access"] = {{"logGroupId", group},
                         {"logId", l.access_log_id.empty() ? "access" : l.access_log_id}};
  }
  if (l.predict || !l.predict_log_id.empty()) {
    details["predict"] = {{"logGroupId", group},
                          {"logId", l.predict_log_id.empty() ? "predict" : l.predict_log_id}};
  }
  return details.empty() ? Json() : details;
}

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
// Without --display-name the server picks an ADS-style random name.
Json CreateDetails(const DeployFlags& f, const Json& env_vars) {
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
      {"compartmentId", f.compartment_id},
      {"projectId", f.project_id},
      {"modelDeploymentConfigurationDetails",
       {{"deploymentType", "SINGLE_MODEL"},
        {"modelConfigurationDetails", model_config},
        {"environmentConfigurationDetails",
         {{"environmentConfigurationType", "DEFAULT"}, {"environmentVariables", env_vars}}}}}};
  if (!f.display_name.empty()) body["displayName"] = f.display_name;
  if (!f.description.empty()) body["description"] = f.description;
  Json logs = CategoryLogDetails(f.logs);
  if (!logs.is_null()) body["categoryLogDetails"] = logs;
  return body;
}

}  // namespace

void AddLogFlags(CLI::App* cmd, LogFlags* l) {
  cmd->add_flag("--access-log", l->access, "Keep an access log (categoryLogDetails.access)");
  cmd->add_flag("--predict-log", l->predict, "Keep a predict log (categoryLogDetails.predict)");
  cmd->add_option("--log-group-id", l->log_group_id, "Log group OCID of both logs");
  cmd->add_option("--access-log-id", l->access_log_id,
                  "Log OCID of the access log (implies "
                  "--access-log)");
  cmd->add_option("--predict-log-id", l->predict_log_id,
                  "Log OCID of the predict log (implies "
                  "--predict-log)");
}

void AddDeploymentConfigFlags(CLI::App* cmd, DeployFlags* f) {
  cmd->add_option("--instance-shape", f->shape, "Instance shape name")->capture_default_str();
  cmd->add_option("--instance-count", f->instance_count, "Instances (FIXED_SIZE)")
      ->capture_default_str();
  cmd->add_option("--bandwidth-mbps", f->bandwidth_mbps, "Load balancer bandwidth")
      ->capture_default_str();
  cmd->add_option("--env", f->env, "Environment variable KEY=VALUE (repeatable)");
  AddLogFlags(cmd, &f->logs);
  AddWaitFlags(cmd, &f->w);
}

Status CheckDeployFlags(const DeployFlags& f) {
  if (f.instance_count < 1) return InvalidArgumentError("--instance-count must be at least 1");
  if (f.bandwidth_mbps < 1) return InvalidArgumentError("--bandwidth-mbps must be at least 1");
  return EnvironmentVariables(f.env).status();
}

Result<Json> CreateDeployment(client::Client& c, DeployFlags& f,
                              const std::function<void(const std::string& id)>& on_created) {
  ADS_ASSIGN_OR_RETURN(Json env_vars, EnvironmentVariables(f.env));
  if (f.compartment_id.empty() || f.project_id.empty()) {
    auto got = c.Call("GET", "/20190101/models/" + f.model_id);
    if (!got.ok()) return got.status().WithContext("model " + f.model_id);
    ADS_ASSIGN_OR_RETURN(Json model, got->ParseJson());
    if (f.compartment_id.empty()) f.compartment_id = FieldText(model, "compartmentId");
    if (f.project_id.empty()) f.project_id = FieldText(model, "projectId");
  }
  client::Response r;
  ADS_ASSIGN_OR_RETURN(Json deployment,
                       CallJson(c, "POST", kDeployments, CreateDetails(f, env_vars),
                                {{"opc-retry-token", RetryToken(*Env::Default())}}, &r));
  const std::string id = FieldText(deployment, "id");
  if (on_created) on_created(id);
  if (!f.w.wait) return deployment;
  return WaitForAction(c, r, id, {"ACTIVE"}, f.w.max_wait_seconds);
}

std::string PredictUrl(const Json& deployment) {
  std::string url = FieldText(deployment, "modelDeploymentUrl");
  return url.empty() ? "" : url + "/predict";
}

namespace {

int RunDeploy(DeployFlags& f) {
  if (Status s = CheckDeployFlags(f); !s.ok()) return UsageError(std::string(s.message()));
  return RunWithClient(f.g, [&](client::Client& c) -> Status {
    ADS_ASSIGN_OR_RETURN(Json deployment, CreateDeployment(c, f));
    if (f.g.Format() == OutputFormat::kJson) {
      PrintOne(deployment, OutputFormat::kJson);
    } else {
      std::cout << FieldText(deployment, "id") << "\n" << PredictUrl(deployment) << "\n";
    }
    return OkStatus();
  });
}

// ---------------------------------------------------------------- predict

struct PredictFlags {
  ServerFlags g;
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
  return RunWithClient(f.g, [&](client::Client& c) -> Status {
    const std::string path = "/" + f.deployment_id + "/predict";
    // JSON is signed over its body, as ADS's requests + OCI signer send it;
    // other payloads go as the SDKs send binary bodies.
    ADS_ASSIGN_OR_RETURN(
        client::Response r,
        is_json ? c.Call("POST", path, json_body)
                : c.Upload("POST", path, body, bytes.size(), {{"content-type", f.content_type}}));
    std::cout << r.body;
    if (r.body.empty() || r.body.back() != '\n') std::cout << "\n";
    return OkStatus();
  });
}

// ---------------------------------------------------------------- model-deployment group

struct MdFlags {
  ServerFlags g;
  WaitFlags w;
  LogFlags logs;
  std::string id;
  std::string compartment_id;
  std::string project_id;
  std::string display_name;
  std::string description;
  std::string lifecycle_state;
  std::string model_id;
  std::string page;
  int limit = 0;
  int instance_count = 0;  // 0: unchanged
  int bandwidth_mbps = 0;  // 0: unchanged
};

// Runs an action that answers with a work request; with --wait follows it to
// one of `targets` and prints the deployment.
int RunAction(const MdFlags& f, const std::string& method, const std::string& path,
              const std::optional<Json>& body, const std::vector<std::string>& targets) {
  return RunWithClient(f.g, [&](client::Client& c) -> Status {
    client::Response r;
    ADS_ASSIGN_OR_RETURN(Json answer, CallJson(c, method, path, body, {}, &r));
    if (f.w.wait) {
      ADS_ASSIGN_OR_RETURN(answer, WaitForAction(c, r, f.id, targets, f.w.max_wait_seconds));
    }
    if (answer.is_object()) {
      PrintDeployment(answer, f.g.Format());
    } else if (!r.Header("opc-work-request-id").empty()) {
      std::cerr << "work request " << r.Header("opc-work-request-id")
                << " accepted (add --wait to follow it)\n";
    }
    return OkStatus();
  });
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
    body["modelDeploymentConfigurationDetails"] = {{"deploymentType", "SINGLE_MODEL"},
                                                   {"modelConfigurationDetails", model_config}};
  }
  Json logs = CategoryLogDetails(f.logs);
  if (!logs.is_null()) body["categoryLogDetails"] = logs;
  return body.empty() ? Json() : body;
}

void AddDeploymentGet(CLI::App* group, int* exit_code) {
  auto f = std::make_shared<MdFlags>();
  CLI::App* cmd = group->add_subcommand("get", "Show one model deployment");
  cmd->add_option("ID", f->id, "Model deployment OCID")->required();
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(Json d, CallJson(c, "GET", std::string(kDeployments) + "/" + f->id));
      PrintOne(d, f->g.Format());
      return OkStatus();
    });
  });
}

void AddDeploymentList(CLI::App* group, int* exit_code) {
  auto f = std::make_shared<MdFlags>();
  CLI::App* cmd =
      group->add_subcommand("list", "List model deployments (every page unless --limit)");
  cmd->add_option("--compartment-id,-c", f->compartment_id, "Compartment OCID")->required();
  cmd->add_option("--project-id", f->project_id, "Project OCID");
  cmd->add_option("--display-name", f->display_name, "Exact display name");
  cmd->add_option("--lifecycle-state", f->lifecycle_state, "ACTIVE, INACTIVE, FAILED, ...");
  cmd->add_option("--limit", f->limit, "At most this many items (default: every page)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--page", f->page, "Continue from this page token (printed by --limit)");
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    PathWithQuery path(kDeployments);
    path.Add("compartmentId", f->compartment_id)
        .Add("projectId", f->project_id)
        .Add("displayName", f->display_name)
        .Add("lifecycleState", f->lifecycle_state);
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      std::string next;
      ADS_ASSIGN_OR_RETURN(Json items, ListPages(c, path.str(), f->limit, f->page, &next));
      PrintList(items, DeploymentColumns(), f->g.Format());
      if (!next.empty()) std::cerr << "note: more results: add --page " << next << "\n";
      return OkStatus();
    });
  });
}

void AddDeploymentUpdate(CLI::App* group, int* exit_code) {
  auto f = std::make_shared<MdFlags>();
  CLI::App* cmd = group->add_subcommand(
      "update",
      "Change a model deployment (the model while ACTIVE; instances and bandwidth "
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
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    const Json body = UpdateDetails(*f);
    if (body.is_null()) {
      *exit_code = UsageError(
          "nothing to update: give --model-id, --display-name, "
          "--description, --instance-count, --bandwidth-mbps or a log flag");
      return;
    }
    *exit_code =
        RunAction(*f, "PUT", std::string(kDeployments) + "/" + f->id, body, {"ACTIVE", "INACTIVE"});
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
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, method, suffix, target, exit_code] {
    *exit_code = RunAction(*f, method, std::string(kDeployments) + "/" + f->id + suffix,
                           std::nullopt, {target});
  });
}

// ---------------------------------------------------------------- logs

struct LogsFlags {
  ServerFlags g;
  std::string id;
  std::string type = "access";
  int tail = 100;  // ADS show_logs(limit=100)
  bool follow = false;
};

// One line as ADS's show_logs columns (time, type, message) on a terminal,
// or as the JSON line the server keeps.
void PrintLogLine(const Json& line, const LogsFlags& f) {
  if (f.g.Format() == OutputFormat::kJson || !line.is_object()) {
    std::cout << (line.is_string() ? line.get<std::string>() : line.dump()) << "\n";
    return;
  }
  Json message = line;
  message.erase("time");
  std::cout << FieldText(line, "time") << "  " << f.type << "  " << message.dump() << "\n";
}

// GET .../logs answers the last `tail` lines, oldest first. --follow asks
// again every second and prints what follows the last line it printed (lines
// carry their opc-request-id, so equal lines are rare; if the last printed one
// has scrolled out of the answer, everything in it is new).
Status FollowLogs(client::Client& c, const LogsFlags& f) {
  PathWithQuery base(std::string(kDeployments) + "/" + f.id + "/logs");
  base.Add("type", f.type);
  std::optional<std::string> last;  // the last line printed, serialised
  while (true) {
    PathWithQuery path = base;
    path.Add("tail", std::to_string(last ? 10000 : f.tail));
    ADS_ASSIGN_OR_RETURN(Json lines, CallJson(c, "GET", path.str()));
    if (!lines.is_array()) return InternalError("the logs answer is not a JSON array");
    size_t first = 0;
    if (last) {
      for (size_t i = lines.size(); i > 0; --i) {
        if (lines[i - 1].dump() == *last) {
          first = i;
          break;
        }
      }
    }
    for (size_t i = first; i < lines.size(); ++i) PrintLogLine(lines[i], f);
    if (!lines.empty()) last = lines.back().dump();
    if (!f.follow) {
      if (lines.empty()) {
        std::cerr << "No " << f.type << " log lines for model deployment " << f.id
                  << " (is categoryLogDetails." << f.type << " set? see --" << f.type << "-log)\n";
      }
      return OkStatus();
    }
    if (!last) last = "";
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
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_flag("--follow,-f", f->follow, "Keep printing new lines (Ctrl-C stops)");
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    *exit_code = RunWithClient(f->g, [&](client::Client& c) { return FollowLogs(c, *f); });
  });
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
  AddDeploymentConfigFlags(cmd, f.get());
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, exit_code] { *exit_code = RunDeploy(*f); });
}

void RegisterModelPredict(CLI::App& model, int* exit_code) {
  auto f = std::make_shared<PredictFlags>();
  CLI::App* cmd = model.add_subcommand("predict", "Call a model deployment's predict endpoint");
  cmd->add_option("DEPLOYMENT_ID", f->deployment_id, "Model deployment OCID")->required();
  cmd->add_option("--data,-d", f->data, "Payload: JSON text, or @FILE")->required();
  cmd->add_option("--content-type", f->content_type, "Content type of the payload")
      ->capture_default_str();
  AddServerFlags(cmd, &f->g);
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
