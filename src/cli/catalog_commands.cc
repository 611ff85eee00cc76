// `ads project ...`, `ads model list|get|update|activate|deactivate|delete`
// and `ads model-version-set ...`: thin wrappers over the Data Science API
// (20190101) of an ads server (or OCI), signed with the API key of an OCI
// config profile through client::Client. Flags and output: see table.h and
// docs/cli.md.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/strings.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/table.h"
#include "client/client.h"
#include "metadata/env_defaults.h"

namespace ads::cli {
namespace {

constexpr char kApi[] = "/20190101";

std::vector<Column> ProjectColumns() {
  return {FieldColumn("OCID", "id"), FieldColumn("DISPLAY NAME", "displayName", 40),
          FieldColumn("STATE", "lifecycleState"), TimeColumn("CREATED", "timeCreated")};
}

std::vector<Column> ModelColumns() {
  return {FieldColumn("OCID", "id"),
          FieldColumn("DISPLAY NAME", "displayName", 40),
          FieldColumn("STATE", "lifecycleState"),
          FieldColumn("VERSION SET", "modelVersionSetName", 30),
          FieldColumn("VERSION", "versionId"),
          FieldColumn("LABEL", "versionLabel", 30),
          TimeColumn("CREATED", "timeCreated")};
}

std::vector<Column> VersionSetColumns() {
  return {FieldColumn("OCID", "id"), FieldColumn("NAME", "name", 40),
          FieldColumn("STATE", "lifecycleState"), TimeColumn("CREATED", "timeCreated")};
}

// The defaults ADS takes from a notebook session, job or pipeline run.
metadata::EnvDefaults EnvDefaults() {
  return metadata::ReadEnvDefaults(*Env::Default()).value_or(metadata::EnvDefaults{});
}

// An OCID given as the positional ID or as --<noun>-id, as the OCI CLI names it.
void AddIdArgument(CLI::App* cmd, std::string* id, const std::string& noun) {
  cmd->add_option("ID", *id, noun + " OCID");
  cmd->add_option("--" + noun + "-id", *id, noun + " OCID (the same as ID)");
}

// Deletes answer 202 with a work request (projects, version sets); the work
// may run later on OCI, so wait until it is final and report its errors.
Status WaitForWorkRequest(client::Client& c, const std::string& id) {
  using std::chrono::milliseconds;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(30);
  milliseconds wait(50);
  while (true) {
    ADS_ASSIGN_OR_RETURN(Json wr, CallJson(c, "GET", std::string(kApi) + "/workRequests/" + id));
    const std::string status = StringMemberOr(wr, "status");
    if (status == "SUCCEEDED") return OkStatus();
    if (status == "FAILED" || status == "CANCELED") {
      std::string why;
      auto errors = CallJson(c, "GET", std::string(kApi) + "/workRequests/" + id + "/errors");
      if (errors.ok() && errors->is_array()) {
        for (const Json& e : *errors) why += " " + StringMemberOr(e, "message");
      }
      return FailedPreconditionError("work request " + id + " " + status + "." + why);
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return UnavailableError("work request " + id + " is still " + status + " after 30 minutes");
    }
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, milliseconds(2000));
  }
}

// DELETE that may answer with a work request; waits for it unless told not to.
Status DeleteResource(client::Client& c, const std::string& path, bool wait) {
  ADS_ASSIGN_OR_RETURN(client::Response r, c.Call("DELETE", path));
  const std::string wr(r.Header("opc-work-request-id"));
  if (!wr.empty() && wait) return WaitForWorkRequest(c, wr);
  return OkStatus();
}

// The flags of every list command.
struct ListFlags {
  std::string compartment_id;
  std::string sort_by;
  std::string sort_order;
  std::string page;
  int limit = 0;
};

void AddListFlags(CLI::App* cmd, ListFlags* f, const std::vector<std::string>& sort_keys) {
  cmd->add_option("--compartment-id,-c", f->compartment_id,
                  "Compartment OCID (else $NB_SESSION_COMPARTMENT_OCID, $JOB_RUN_COMPARTMENT_OCID, "
                  "...)");
  cmd->add_option("--sort-by", f->sort_by, "Sort key")->check(CLI::IsMember(sort_keys));
  cmd->add_option("--sort-order", f->sort_order, "ASC or DESC")
      ->check(CLI::IsMember({"ASC", "DESC"}));
  cmd->add_option("--limit", f->limit, "At most this many items (default: every page)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--page", f->page, "Continue from this page token (printed by --limit)");
}

// The compartment of a command: the flag, else the environment's default.
std::string CompartmentOrDefault(const std::string& flag) {
  return flag.empty() ? EnvDefaults().compartment_id : flag;
}

constexpr char kNoCompartment[] =
    "--compartment-id is required (or set NB_SESSION_COMPARTMENT_OCID, PROJECT_COMPARTMENT_OCID, "
    "JOB_RUN_COMPARTMENT_OCID or PIPELINE_RUN_COMPARTMENT_OCID)";

// Lists `collection` with the list flags and `filters`, and prints it.
int RunList(const ServerFlags& g, const ListFlags& lf, const std::string& collection,
            const std::map<std::string, std::string>& filters, const std::vector<Column>& columns) {
  const std::string compartment = CompartmentOrDefault(lf.compartment_id);
  if (compartment.empty()) return UsageError(kNoCompartment);
  PathWithQuery path(collection);
  path.Add("compartmentId", compartment);
  for (const auto& [name, value] : filters) path.Add(name, value);
  path.Add("sortBy", lf.sort_by).Add("sortOrder", lf.sort_order);
  return RunWithClient(g, [&](client::Client& c) -> Status {
    std::string next;
    ADS_ASSIGN_OR_RETURN(Json items, ListPages(c, path.str(), lf.limit, lf.page, &next));
    PrintList(items, columns, g.Format());
    if (!next.empty()) std::cerr << "note: more results: add --page " << next << "\n";
    return OkStatus();
  });
}

int RunGet(const ServerFlags& g, const std::string& path) {
  return RunWithClient(g, [&](client::Client& c) -> Status {
    ADS_ASSIGN_OR_RETURN(Json resource, CallJson(c, "GET", path));
    PrintOne(resource, g.Format());
    return OkStatus();
  });
}

// Confirms a delete on a terminal-style output; JSON output stays empty.
void PrintDeleted(const ServerFlags& g, const std::string& what, const std::string& id) {
  if (g.Format() == OutputFormat::kTable) std::cout << "Deleted " << what << " " << id << "\n";
}

// ---- Projects ----

struct ProjectFlags {
  ServerFlags g;
  ListFlags list;
  std::string id;
  std::string display_name;
  std::string description;
  std::string lifecycle_state;
  bool no_wait = false;
};

void AddProjectCreate(CLI::App* group, int* exit_code) {
  auto f = std::make_shared<ProjectFlags>();
  CLI::App* cmd = group->add_subcommand("create", "Create a project");
  cmd->add_option("--compartment-id,-c", f->list.compartment_id,
                  "Compartment OCID (else the environment's, as ADS)");
  cmd->add_option("--display-name", f->display_name, "Name");
  cmd->add_option("--description", f->description, "Description");
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    const std::string compartment = CompartmentOrDefault(f->list.compartment_id);
    if (compartment.empty()) {
      *exit_code = UsageError(kNoCompartment);
      return;
    }
    Json body = {{"compartmentId", compartment}};
    if (!f->display_name.empty()) body["displayName"] = f->display_name;
    if (!f->description.empty()) body["description"] = f->description;
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(Json p, CallJson(c, "POST", std::string(kApi) + "/projects", body));
      PrintRow(p, ProjectColumns(), f->g.Format());
      return OkStatus();
    });
  });
}

void AddProjectReadCommands(CLI::App* group, int* exit_code) {
  const std::string collection = std::string(kApi) + "/projects";
  auto lf = std::make_shared<ProjectFlags>();
  CLI::App* cmd = group->add_subcommand("list", "List projects (every page unless --limit)");
  AddListFlags(cmd, &lf->list, {"timeCreated", "displayName"});
  cmd->add_option("--display-name", lf->display_name, "Exact display name");
  cmd->add_option("--lifecycle-state", lf->lifecycle_state, "ACTIVE, DELETED, ...");
  AddServerFlags(cmd, &lf->g);
  cmd->callback([lf, collection, exit_code] {
    *exit_code =
        RunList(lf->g, lf->list, collection,
                {{"displayName", lf->display_name}, {"lifecycleState", lf->lifecycle_state}},
                ProjectColumns());
  });

  auto gf = std::make_shared<ProjectFlags>();
  cmd = group->add_subcommand("get", "Show a project");
  AddIdArgument(cmd, &gf->id, "project");
  AddServerFlags(cmd, &gf->g);
  cmd->callback([gf, collection, exit_code] {
    *exit_code = gf->id.empty() ? UsageError("give the project OCID")
                                : RunGet(gf->g, collection + "/" + gf->id);
  });
}

void AddProjectWriteCommands(CLI::App* group, int* exit_code) {
  const std::string collection = std::string(kApi) + "/projects";
  auto uf = std::make_shared<ProjectFlags>();
  CLI::App* cmd = group->add_subcommand("update", "Change a project's name or description");
  AddIdArgument(cmd, &uf->id, "project");
  CLI::Option* name = cmd->add_option("--display-name", uf->display_name, "New name");
  CLI::Option* description = cmd->add_option("--description", uf->description, "New description");
  AddServerFlags(cmd, &uf->g);
  cmd->callback([uf, collection, name, description, exit_code] {
    if (uf->id.empty()) {
      *exit_code = UsageError("give the project OCID");
      return;
    }
    Json body = Json::object();
    if (name->count() > 0) body["displayName"] = uf->display_name;
    if (description->count() > 0) body["description"] = uf->description;
    if (body.empty()) {
      *exit_code = UsageError("nothing to update: give --display-name or --description");
      return;
    }
    *exit_code = RunWithClient(uf->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(Json p, CallJson(c, "PUT", collection + "/" + uf->id, body));
      PrintRow(p, ProjectColumns(), uf->g.Format());
      return OkStatus();
    });
  });

  auto df = std::make_shared<ProjectFlags>();
  cmd = group->add_subcommand("delete", "Delete an empty project");
  AddIdArgument(cmd, &df->id, "project");
  cmd->add_flag("--no-wait", df->no_wait, "Do not wait for the delete work request");
  AddServerFlags(cmd, &df->g);
  cmd->callback([df, collection, exit_code] {
    if (df->id.empty()) {
      *exit_code = UsageError("give the project OCID");
      return;
    }
    *exit_code = RunWithClient(df->g, [&](client::Client& c) -> Status {
      ADS_RETURN_IF_ERROR(DeleteResource(c, collection + "/" + df->id, !df->no_wait));
      PrintDeleted(df->g, "project", df->id);
      return OkStatus();
    });
  });
}

// ---- Models ----

struct ModelFlags {
  ServerFlags g;
  ListFlags list;
  std::string id;
  std::string project_id;
  std::string lifecycle_state;
  std::string display_name;
  std::string description;
  std::string version_set_name;
  std::string version_label;
  std::vector<std::string> freeform_tags;
  std::vector<std::string> remove_tags;
  std::vector<std::string> custom_metadata;
  std::vector<std::string> defined_metadata;
  std::vector<std::string> remove_metadata;
  bool force = false;
};

// "key=value[,category=..][,description=..]" as a metadata item. Commas that
// do not start a known attribute belong to the value (or description).
Result<Json> ParseMetadataItem(const std::string& text, bool custom) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    return InvalidArgumentError("metadata " + Quoted(text) + " is not key=value[,category=..," +
                                "description=..]");
  }
  Json item = {{"key", text.substr(0, eq)}};
  std::string field = "value";
  std::string current;
  bool fresh = true;  // nothing of `field` read yet
  for (const std::string& part : Split(text.substr(eq + 1), ',')) {
    const bool attribute =
        custom && (part.rfind("category=", 0) == 0 || part.rfind("description=", 0) == 0);
    if (attribute) {
      item[field] = current;
      const size_t at = part.find('=');
      field = part.substr(0, at);
      current = part.substr(at + 1);
    } else {
      current = fresh ? part : current + "," + part;
    }
    fresh = false;
  }
  item[field] = current;
  return item;
}

// Replaces the item with the same key (case-insensitively, as the server
// compares them), or appends.
void MergeMetadata(Json& list, const Json& item) {
  const std::string key = StringMemberOr(item, "key");
  for (Json& existing : list) {
    if (EqualsIgnoreCase(StringMemberOr(existing, "key"), key)) {
      for (auto it = item.begin(); it != item.end(); ++it) existing[it.key()] = it.value();
      return;
    }
  }
  list.push_back(item);
}

// The UpdateModelDetails for `current`: only the metadata the flags change.
// Lists and tags are replaced as a whole by the API, so they are sent merged
// with what the model has. modelVersionSetId is never sent (as in ADS).
Result<Json> ModelUpdateBody(const Json& current, const ModelFlags& f, const CLI::App& cmd) {
  Json body = Json::object();
  if (cmd.count("--display-name") > 0) body["displayName"] = f.display_name;
  if (cmd.count("--description") > 0) body["description"] = f.description;
  if (cmd.count("--version-label") > 0) body["versionLabel"] = f.version_label;
  if (!f.freeform_tags.empty() || !f.remove_tags.empty()) {
    const Json* tags = FindMember(current, "freeformTags");
    Json merged = tags != nullptr && tags->is_object() ? *tags : Json::object();
    for (const std::string& kv : f.freeform_tags) {
      const size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) {
        return InvalidArgumentError("--freeform-tag " + Quoted(kv) + " is not key=value");
      }
      merged[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    for (const std::string& k : f.remove_tags) merged.erase(k);
    body["freeformTags"] = merged;
  }
  for (const bool custom : {true, false}) {
    const std::vector<std::string>& items = custom ? f.custom_metadata : f.defined_metadata;
    const std::vector<std::string> no_removals;
    const std::vector<std::string>& removals = custom ? f.remove_metadata : no_removals;
    if (items.empty() && removals.empty()) continue;
    const char* name = custom ? "customMetadataList" : "definedMetadataList";
    const Json* have = FindMember(current, name);
    Json list = have != nullptr && have->is_array() ? *have : Json::array();
    for (const std::string& text : items) {
      ADS_ASSIGN_OR_RETURN(Json item, ParseMetadataItem(text, custom));
      MergeMetadata(list, item);
    }
    for (const std::string& key : removals) {
      Json kept = Json::array();
      for (Json& i : list) {
        if (!EqualsIgnoreCase(StringMemberOr(i, "key"), key)) kept.push_back(std::move(i));
      }
      list = std::move(kept);
    }
    body[name] = list;
  }
  if (body.empty()) {
    return InvalidArgumentError(
        "nothing to update: give --display-name, --description, "
        "--version-label, --freeform-tag or --custom-metadata");
  }
  return body;
}

void AddModelList(CLI::App& model, int* exit_code) {
  auto f = std::make_shared<ModelFlags>();
  CLI::App* cmd = model.add_subcommand("list", "List models (every page unless --limit)");
  AddListFlags(cmd, &f->list, {"timeCreated", "displayName"});
  cmd->add_option("--project-id", f->project_id, "Project OCID");
  cmd->add_option("--lifecycle-state", f->lifecycle_state, "ACTIVE, INACTIVE, DELETED, ...");
  cmd->add_option("--display-name", f->display_name, "Exact display name");
  cmd->add_option("--model-version-set-name", f->version_set_name, "Version set name");
  cmd->add_option("--version-label", f->version_label, "Exact version label");
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    *exit_code = RunList(f->g, f->list, std::string(kApi) + "/models",
                         {{"projectId", f->project_id},
                          {"lifecycleState", f->lifecycle_state},
                          {"displayName", f->display_name},
                          {"modelVersionSetName", f->version_set_name},
                          {"versionLabel", f->version_label}},
                         ModelColumns());
  });
}

void AddModelUpdate(CLI::App& model, int* exit_code) {
  auto f = std::make_shared<ModelFlags>();
  CLI::App* cmd = model.add_subcommand(
      "update", "Change a model's metadata (schemas and artifact are immutable)");
  AddIdArgument(cmd, &f->id, "model");
  cmd->add_option("--display-name", f->display_name, "New name");
  cmd->add_option("--description", f->description, "New description");
  cmd->add_option("--version-label", f->version_label, "New version label");
  cmd->add_option("--freeform-tag", f->freeform_tags, "key=value (repeatable; merged)");
  cmd->add_option("--remove-freeform-tag", f->remove_tags, "Tag key to remove (repeatable)");
  cmd->add_option("--custom-metadata", f->custom_metadata,
                  "key=value[,category=..,description=..] (repeatable; replaces the same key)");
  cmd->add_option("--defined-metadata", f->defined_metadata,
                  "key=value of a defined item, e.g. UseCaseType=regression (repeatable)");
  cmd->add_option("--remove-custom-metadata", f->remove_metadata, "Key to remove (repeatable)");
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, cmd, exit_code] {
    if (f->id.empty()) {
      *exit_code = UsageError("give the model OCID");
      return;
    }
    // Flags are checked before anything is sent, against an empty model.
    if (auto check = ModelUpdateBody(Json::object(), *f, *cmd); !check.ok()) {
      *exit_code = UsageError(check.status().message());
      return;
    }
    const std::string path = std::string(kApi) + "/models/" + f->id;
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      std::string etag;
      ADS_ASSIGN_OR_RETURN(Json current, CallJson(c, "GET", path, std::nullopt, {}, &etag));
      ADS_ASSIGN_OR_RETURN(Json body, ModelUpdateBody(current, *f, *cmd));
      // if-match: a concurrent change between GET and PUT is a 412, not lost.
      HeaderMap headers;
      if (!etag.empty()) headers["if-match"] = etag;
      ADS_ASSIGN_OR_RETURN(Json updated, CallJson(c, "PUT", path, body, headers));
      PrintRow(updated, ModelColumns(), f->g.Format());
      return OkStatus();
    });
  });
}

void AddModelGetDeleteActions(CLI::App& model, int* exit_code) {
  const std::string collection = std::string(kApi) + "/models";
  auto gf = std::make_shared<ModelFlags>();
  CLI::App* cmd = model.add_subcommand("get", "Show a model's catalog entry");
  AddIdArgument(cmd, &gf->id, "model");
  AddServerFlags(cmd, &gf->g);
  cmd->callback([gf, collection, exit_code] {
    *exit_code = gf->id.empty() ? UsageError("give the model OCID")
                                : RunGet(gf->g, collection + "/" + gf->id);
  });

  auto df = std::make_shared<ModelFlags>();
  cmd = model.add_subcommand("delete", "Delete a model");
  AddIdArgument(cmd, &df->id, "model");
  cmd->add_flag("--force", df->force, "Delete even when a model deployment uses it");
  AddServerFlags(cmd, &df->g);
  cmd->callback([df, collection, exit_code] {
    if (df->id.empty()) {
      *exit_code = UsageError("give the model OCID");
      return;
    }
    PathWithQuery path(collection + "/" + df->id);
    if (df->force) path.Add("isForceDelete", "true");
    *exit_code = RunWithClient(df->g, [&](client::Client& c) -> Status {
      ADS_RETURN_IF_ERROR(DeleteResource(c, path.str(), true));
      PrintDeleted(df->g, "model", df->id);
      return OkStatus();
    });
  });

  for (const char* action : {"activate", "deactivate"}) {
    auto f = std::make_shared<ModelFlags>();
    const std::string verb = action;
    cmd = model.add_subcommand(verb, verb == "activate" ? "Make an INACTIVE model ACTIVE"
                                                        : "Make an ACTIVE model INACTIVE");
    AddIdArgument(cmd, &f->id, "model");
    AddServerFlags(cmd, &f->g);
    cmd->callback([f, collection, verb, exit_code] {
      if (f->id.empty()) {
        *exit_code = UsageError("give the model OCID");
        return;
      }
      *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
        ADS_ASSIGN_OR_RETURN(
            Json m,
            CallJson(c, "POST", collection + "/" + f->id + "/actions/" + verb, Json::object()));
        PrintRow(m, ModelColumns(), f->g.Format());
        return OkStatus();
      });
    });
  }
}

// ---- Model version sets ----

struct VersionSetFlags {
  ServerFlags g;
  ListFlags list;
  std::string id;  // NAME or OCID for get/models
  std::string name;
  std::string project_id;
  std::string description;
  std::string lifecycle_state;
  bool delete_related = false;
  bool no_wait = false;
};

bool IsOcid(const std::string& s) { return s.rfind("ocid1.", 0) == 0; }

// A version set by OCID, or by name in `compartment` (names are unique among
// the sets of a compartment that are not DELETED).
Result<Json> FindVersionSet(client::Client& c, const std::string& name_or_id,
                            const std::string& compartment) {
  if (IsOcid(name_or_id)) {
    return CallJson(c, "GET", std::string(kApi) + "/modelVersionSets/" + name_or_id);
  }
  if (compartment.empty()) return InvalidArgumentError(kNoCompartment);
  PathWithQuery path(std::string(kApi) + "/modelVersionSets");
  path.Add("compartmentId", compartment).Add("name", name_or_id);
  ADS_ASSIGN_OR_RETURN(Json sets, c.ListAll(path.str()));
  if (sets.empty()) {
    return NotFoundError("no model version set named " + Quoted(name_or_id) + " in compartment " +
                         compartment);
  }
  return sets[0];
}

void AddVersionSetCreate(CLI::App* group, int* exit_code) {
  auto f = std::make_shared<VersionSetFlags>();
  CLI::App* cmd = group->add_subcommand("create", "Create a model version set");
  cmd->add_option("--name", f->name, "Name (unique in the compartment)")->required();
  cmd->add_option("--project-id", f->project_id, "Project OCID (else $PROJECT_OCID)");
  cmd->add_option("--compartment-id,-c", f->list.compartment_id,
                  "Compartment OCID (else the environment's, as ADS)");
  cmd->add_option("--description", f->description, "Description");
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    const std::string compartment = CompartmentOrDefault(f->list.compartment_id);
    const std::string project = f->project_id.empty() ? EnvDefaults().project_id : f->project_id;
    if (compartment.empty()) {
      *exit_code = UsageError(kNoCompartment);
      return;
    }
    if (project.empty()) {
      *exit_code = UsageError("--project-id is required (or set PROJECT_OCID)");
      return;
    }
    Json body = {{"compartmentId", compartment}, {"projectId", project}, {"name", f->name}};
    if (!f->description.empty()) body["description"] = f->description;
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(Json s,
                           CallJson(c, "POST", std::string(kApi) + "/modelVersionSets", body));
      PrintRow(s, VersionSetColumns(), f->g.Format());
      return OkStatus();
    });
  });
}

void AddVersionSetRead(CLI::App* group, int* exit_code) {
  auto lf = std::make_shared<VersionSetFlags>();
  CLI::App* cmd = group->add_subcommand("list", "List model version sets");
  AddListFlags(cmd, &lf->list, {"timeCreated", "name"});
  cmd->add_option("--project-id", lf->project_id, "Project OCID");
  cmd->add_option("--name", lf->name, "Exact name");
  cmd->add_option("--lifecycle-state", lf->lifecycle_state, "ACTIVE, DELETED, ...");
  AddServerFlags(cmd, &lf->g);
  cmd->callback([lf, exit_code] {
    *exit_code = RunList(lf->g, lf->list, std::string(kApi) + "/modelVersionSets",
                         {{"projectId", lf->project_id},
                          {"name", lf->name},
                          {"lifecycleState", lf->lifecycle_state}},
                         VersionSetColumns());
  });

  auto gf = std::make_shared<VersionSetFlags>();
  cmd = group->add_subcommand("get",
                              "Show a model version set (by OCID, or name with "
                              "--compartment-id)");
  cmd->add_option("SET", gf->id, "OCID or name")->required();
  cmd->add_option("--compartment-id,-c", gf->list.compartment_id,
                  "Where to look a name up (else the environment's)");
  AddServerFlags(cmd, &gf->g);
  cmd->callback([gf, exit_code] {
    *exit_code = RunWithClient(gf->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(
          Json set, FindVersionSet(c, gf->id, CompartmentOrDefault(gf->list.compartment_id)));
      PrintOne(set, gf->g.Format());
      return OkStatus();
    });
  });
}

int64_t VersionOf(const Json& model) {
  const Json* v = FindMember(model, "versionId");
  return v != nullptr && v->is_number_integer() ? v->get<int64_t>() : 0;
}

// `models SET`: the members of a set in version order.
void AddVersionSetModels(CLI::App* group, int* exit_code) {
  auto f = std::make_shared<VersionSetFlags>();
  CLI::App* cmd = group->add_subcommand("models", "List the models of a version set by version");
  cmd->add_option("SET", f->id, "OCID or name")->required();
  cmd->add_option("--compartment-id,-c", f->list.compartment_id,
                  "Compartment of the models (default: the set's; a name is looked up here)");
  cmd->add_option("--lifecycle-state", f->lifecycle_state, "Only models in this state");
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      std::string compartment = CompartmentOrDefault(f->list.compartment_id);
      ADS_ASSIGN_OR_RETURN(Json set, FindVersionSet(c, f->id, compartment));
      if (compartment.empty()) compartment = StringMemberOr(set, "compartmentId");
      PathWithQuery path(std::string(kApi) + "/models");
      path.Add("compartmentId", compartment)
          .Add("modelVersionSetName", StringMemberOr(set, "name"))
          .Add("lifecycleState", f->lifecycle_state);
      ADS_ASSIGN_OR_RETURN(Json models, c.ListAll(path.str()));
      Json members = Json::array();
      const std::string set_id = StringMemberOr(set, "id");
      for (Json& m : models) {
        if (StringMemberOr(m, "modelVersionSetId") == set_id) members.push_back(std::move(m));
      }
      std::stable_sort(members.begin(), members.end(),
                       [](const Json& a, const Json& b) { return VersionOf(a) < VersionOf(b); });
      PrintList(members,
                {FieldColumn("VERSION", "versionId"), FieldColumn("LABEL", "versionLabel", 30),
                 FieldColumn("OCID", "id"), FieldColumn("DISPLAY NAME", "displayName", 40),
                 FieldColumn("STATE", "lifecycleState"), TimeColumn("CREATED", "timeCreated")},
                f->g.Format());
      return OkStatus();
    });
  });
}

void AddVersionSetWrite(CLI::App* group, int* exit_code) {
  const std::string collection = std::string(kApi) + "/modelVersionSets";
  auto uf = std::make_shared<VersionSetFlags>();
  CLI::App* cmd = group->add_subcommand("update", "Change a version set's description");
  AddIdArgument(cmd, &uf->id, "model-version-set");
  cmd->add_option("--description", uf->description, "New description")->required();
  AddServerFlags(cmd, &uf->g);
  cmd->callback([uf, collection, exit_code] {
    if (uf->id.empty()) {
      *exit_code = UsageError("give the model version set OCID");
      return;
    }
    *exit_code = RunWithClient(uf->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(Json s, CallJson(c, "PUT", collection + "/" + uf->id,
                                            Json{{"description", uf->description}}));
      PrintRow(s, VersionSetColumns(), uf->g.Format());
      return OkStatus();
    });
  });

  auto df = std::make_shared<VersionSetFlags>();
  cmd = group->add_subcommand("delete", "Delete a model version set");
  AddIdArgument(cmd, &df->id, "model-version-set");
  cmd->add_flag("--delete-related-models", df->delete_related,
                "Also delete its models (else a set with models is refused)");
  cmd->add_flag("--no-wait", df->no_wait, "Do not wait for the delete work request");
  AddServerFlags(cmd, &df->g);
  cmd->callback([df, collection, exit_code] {
    if (df->id.empty()) {
      *exit_code = UsageError("give the model version set OCID");
      return;
    }
    PathWithQuery path(collection + "/" + df->id);
    if (df->delete_related) path.Add("isDeleteRelatedModels", "true");
    *exit_code = RunWithClient(df->g, [&](client::Client& c) -> Status {
      ADS_RETURN_IF_ERROR(DeleteResource(c, path.str(), !df->no_wait));
      PrintDeleted(df->g, "model version set", df->id);
      return OkStatus();
    });
  });
}

}  // namespace

void RegisterProject(CLI::App& parent, int* exit_code) {
  CLI::App* group = parent.add_subcommand("project", "Data Science projects on the server");
  group->require_subcommand(1);
  AddProjectCreate(group, exit_code);
  AddProjectReadCommands(group, exit_code);
  AddProjectWriteCommands(group, exit_code);
}

void RegisterModelCatalog(CLI::App& model, int* exit_code) {
  AddModelList(model, exit_code);
  AddModelUpdate(model, exit_code);
  AddModelGetDeleteActions(model, exit_code);
}

void RegisterModelVersionSet(CLI::App& parent, int* exit_code) {
  CLI::App* group =
      parent.add_subcommand("model-version-set", "Model version sets: a model's versions");
  group->require_subcommand(1);
  AddVersionSetCreate(group, exit_code);
  AddVersionSetRead(group, exit_code);
  AddVersionSetModels(group, exit_code);
  AddVersionSetWrite(group, exit_code);
}

}  // namespace ads::cli
