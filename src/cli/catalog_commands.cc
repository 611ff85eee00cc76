// `ads project ...` and `ads model list|get|activate|deactivate|delete`: thin
// wrappers over the Data Science API of an ads server (or OCI), signed with
// the API key of an OCI config profile through client::Client.
//
// Output: --output json prints the server's JSON; table prints aligned
// columns (id, display name, state, time created). Default: table on a
// terminal, json otherwise.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/output.h"
#include "client/client.h"

namespace ads::cli {
namespace {

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

// Why a call failed, with a hint a user can act on.
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

void Print(const Json& value, const GlobalFlags& g) {
  if (UseJson(g)) {
    std::cout << value.dump(2) << "\n";
    return;
  }
  std::vector<std::vector<std::string>> rows;
  auto add = [&rows](const Json& item) {
    rows.push_back({Field(item, "id"), Field(item, "displayName"), Field(item, "lifecycleState"),
                    Field(item, "timeCreated")});
  };
  if (value.is_array()) {
    for (const Json& item : value) add(item);
  } else {
    add(value);
  }
  std::cout << RenderTable({"ID", "DISPLAY NAME", "STATE", "TIME CREATED"}, rows);
}

// Runs one call and prints its JSON answer (if any).
int RunCall(const GlobalFlags& g, const std::string& method, const std::string& path,
            const std::optional<Json>& body = std::nullopt) {
  auto c = Connect(g);
  if (!c.ok()) return ReportError(c.status());
  auto r = (*c)->Call(method, path, body);
  if (!r.ok()) return ReportCallError(r.status(), g);
  if (r->body.empty()) return kExitOk;
  auto json = r->ParseJson();
  if (!json.ok()) return ReportError(json.status());
  Print(*json, g);
  return kExitOk;
}

int RunList(const GlobalFlags& g, const std::string& path) {
  auto c = Connect(g);
  if (!c.ok()) return ReportError(c.status());
  auto items = (*c)->ListAll(path);
  if (!items.ok()) return ReportCallError(items.status(), g);
  Print(*items, g);
  return kExitOk;
}

// Appends `name=value` to a query string when value is set.
void AddQuery(std::string* path, const std::string& name, const std::string& value) {
  if (value.empty()) return;
  path->append(path->find('?') == std::string::npos ? "?" : "&");
  // OCIDs, states and names from flags: escape the few characters that matter.
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

struct ResourceFlags {
  GlobalFlags g;
  std::string id;
  std::string compartment_id;
  std::string project_id;
  std::string display_name;
  std::string description;
  std::string lifecycle_state;
};

// get ID / delete ID under `collection` (e.g. "/20190101/projects").
void AddGetDelete(CLI::App* group, const std::string& collection, int* exit_code) {
  auto get = std::make_shared<ResourceFlags>();
  CLI::App* cmd = group->add_subcommand("get", "Show one by OCID");
  cmd->add_option("ID", get->id, "OCID")->required();
  AddGlobalFlags(cmd, &get->g);
  cmd->callback([get, collection, exit_code] {
    *exit_code = RunCall(get->g, "GET", collection + "/" + get->id);
  });
  auto del = std::make_shared<ResourceFlags>();
  cmd = group->add_subcommand("delete", "Delete one by OCID");
  cmd->add_option("ID", del->id, "OCID")->required();
  AddGlobalFlags(cmd, &del->g);
  cmd->callback([del, collection, exit_code] {
    *exit_code = RunCall(del->g, "DELETE", collection + "/" + del->id);
  });
}

void AddList(CLI::App* group, const std::string& collection, int* exit_code) {
  auto f = std::make_shared<ResourceFlags>();
  CLI::App* cmd = group->add_subcommand("list", "List (all pages)");
  cmd->add_option("--compartment-id", f->compartment_id, "Compartment OCID")->required();
  cmd->add_option("--project-id", f->project_id, "Project OCID");
  cmd->add_option("--display-name", f->display_name, "Exact display name");
  cmd->add_option("--lifecycle-state", f->lifecycle_state, "e.g. ACTIVE");
  AddGlobalFlags(cmd, &f->g);
  cmd->callback([f, collection, exit_code] {
    std::string path = collection;
    AddQuery(&path, "compartmentId", f->compartment_id);
    AddQuery(&path, "projectId", f->project_id);
    AddQuery(&path, "displayName", f->display_name);
    AddQuery(&path, "lifecycleState", f->lifecycle_state);
    *exit_code = RunList(f->g, path);
  });
}

}  // namespace

void RegisterProject(CLI::App& parent, int* exit_code) {
  const std::string collection = "/20190101/projects";
  CLI::App* group = parent.add_subcommand("project", "Data Science projects");
  group->require_subcommand(1);
  auto f = std::make_shared<ResourceFlags>();
  CLI::App* cmd = group->add_subcommand("create", "Create a project");
  cmd->add_option("--compartment-id", f->compartment_id, "Compartment OCID")->required();
  cmd->add_option("--display-name", f->display_name, "Name");
  cmd->add_option("--description", f->description, "Description");
  AddGlobalFlags(cmd, &f->g);
  cmd->callback([f, collection, exit_code] {
    Json body = {{"compartmentId", f->compartment_id}};
    if (!f->display_name.empty()) body["displayName"] = f->display_name;
    if (!f->description.empty()) body["description"] = f->description;
    *exit_code = RunCall(f->g, "POST", collection, body);
  });
  AddList(group, collection, exit_code);
  AddGetDelete(group, collection, exit_code);
}

void RegisterModelCatalog(CLI::App& model, int* exit_code) {
  const std::string collection = "/20190101/models";
  AddList(&model, collection, exit_code);
  AddGetDelete(&model, collection, exit_code);
  for (const char* action : {"activate", "deactivate"}) {
    auto f = std::make_shared<ResourceFlags>();
    CLI::App* cmd = model.add_subcommand(action, std::string(action) + " a model");
    cmd->add_option("ID", f->id, "Model OCID")->required();
    AddGlobalFlags(cmd, &f->g);
    const std::string verb = action;
    cmd->callback([f, collection, verb, exit_code] {
      *exit_code = RunCall(f->g, "POST", collection + "/" + f->id + "/actions/" + verb);
    });
  }
}

}  // namespace ads::cli
