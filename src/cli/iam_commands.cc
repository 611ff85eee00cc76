// `ads iam ...`: users, groups and their members, API keys, compartments,
// policies and dynamic groups over the Identity API (20160918) of an ads server, named as the OCI
// CLI names them (`ads iam user create --name alice`). Flags and output: see
// table.h and docs/cli.md.
//
// Users, groups and dynamic groups may be named by OCID or by name (names are unique in the
// tenancy); compartments and policies by OCID. Lists and creates default to
// the tenancy (the root compartment) of the signing profile.
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/strings.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "cli/table.h"
#include "client/client.h"
#include "iam/keys.h"

namespace ads::cli {
namespace {

constexpr char kIdentity[] = "/20160918";

// The tenancy of the signing key: keyId is "<tenancy>/<user>/<fingerprint>".
std::string TenancyOf(const client::Client& c) {
  return c.key_id().substr(0, c.key_id().find('/'));
}

bool IsOcid(const std::string& s) { return s.rfind("ocid1.", 0) == 0; }

struct IamFlags {
  ServerFlags g;
  std::string id;              // the resource of get/update/delete
  std::string compartment_id;  // parent (compartments) or attachment (policies)
  std::string name;
  std::string description;
  std::string email;
  std::vector<std::string> statements;
  std::string statements_json;
  std::string statements_file;
  std::string matching_rule;
  bool subtree = false;
  // memberships and keys
  std::string user;
  std::string group;
  std::string key_file;
  std::string key;
  std::string fingerprint;
};

// One IAM resource kind and what differs between kinds.
struct Kind {
  std::string noun;        // "user"
  std::string collection;  // "/users"
  std::vector<Column> columns;
  bool by_name = false;    // users and groups: a name is looked up in the tenancy
  bool in_tenancy = true;  // users and groups live in the tenancy
  bool renamable = false;  // only compartments can be renamed
  // The kind's own flags on create/update, and their fields in the body.
  std::function<void(CLI::App*, IamFlags*)> add_fields;
  std::function<Status(const IamFlags&, const CLI::App&, Json*)> fill;
};

std::string Plural(const Kind& k) { return k.noun == "policy" ? "policies" : k.noun + "s"; }

std::string CollectionPath(const Kind& k) { return std::string(kIdentity) + k.collection; }

// A user or group by OCID or name; compartments and policies by OCID only.
Result<std::string> ResolveId(client::Client& c, const Kind& k, const std::string& name_or_id) {
  if (IsOcid(name_or_id) || !k.by_name) return name_or_id;
  PathWithQuery path(CollectionPath(k));
  path.Add("compartmentId", TenancyOf(c));
  ADS_ASSIGN_OR_RETURN(Json items, c.ListAll(path.str()));
  for (const Json& item : items) {
    if (EqualsIgnoreCase(StringMemberOr(item, "name"), name_or_id)) {
      return StringMemberOr(item, "id");
    }
  }
  return NotFoundError("no " + k.noun + " named " + Quoted(name_or_id) + " in the tenancy");
}

Kind UserKind();
Kind GroupKind();

// ---- policy statements ----

// Statements from --statement, --statements (a JSON array) and
// --statements-file (a JSON array, or one statement per line; blank lines
// and lines starting with '#' are skipped).
Result<std::vector<std::string>> Statements(const IamFlags& f) {
  std::vector<std::string> out = f.statements;
  auto add_json = [&out](const std::string& text, const std::string& where) -> Status {
    Json parsed = Json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array()) {
      return InvalidArgumentError(where + " is not a JSON array of strings");
    }
    for (const Json& s : parsed) {
      if (!s.is_string()) return InvalidArgumentError(where + " is not a JSON array of strings");
      out.push_back(s.get<std::string>());
    }
    return OkStatus();
  };
  if (!f.statements_json.empty()) ADS_RETURN_IF_ERROR(add_json(f.statements_json, "--statements"));
  if (!f.statements_file.empty()) {
    ADS_ASSIGN_OR_RETURN(std::string text, Env::Default()->ReadFile(f.statements_file));
    const std::string_view trimmed = Trim(text);
    if (!trimmed.empty() && trimmed.front() == '[') {
      ADS_RETURN_IF_ERROR(add_json(std::string(trimmed), f.statements_file));
    } else {
      for (const std::string& line : Split(text, '\n')) {
        const std::string_view s = Trim(line);
        if (!s.empty() && s.front() != '#') out.emplace_back(s);
      }
    }
  }
  return out;
}

// ---- kinds ----

std::vector<Column> NamedColumns() {
  return {FieldColumn("OCID", "id"), FieldColumn("NAME", "name", 40),
          FieldColumn("DESCRIPTION", "description", 40), FieldColumn("STATE", "lifecycleState"),
          TimeColumn("CREATED", "timeCreated")};
}

Kind UserKind() {
  Kind k{"user",
         "/users",
         {FieldColumn("OCID", "id"), FieldColumn("NAME", "name", 40),
          FieldColumn("EMAIL", "email", 40), FieldColumn("STATE", "lifecycleState"),
          TimeColumn("CREATED", "timeCreated")}};
  k.by_name = true;
  k.add_fields = [](CLI::App* cmd, IamFlags* f) {
    cmd->add_option("--email", f->email, "E-mail address");
  };
  k.fill = [](const IamFlags& f, const CLI::App& cmd, Json* body) {
    if (cmd.count("--email") > 0) (*body)["email"] = f.email;
    return OkStatus();
  };
  return k;
}

Kind GroupKind() {
  Kind k{"group", "/groups", NamedColumns()};
  k.by_name = true;
  return k;
}

Kind CompartmentKind() {
  Kind k{"compartment",
         "/compartments",
         {FieldColumn("OCID", "id"), FieldColumn("NAME", "name", 40),
          FieldColumn("PARENT", "compartmentId"), FieldColumn("STATE", "lifecycleState"),
          TimeColumn("CREATED", "timeCreated")}};
  k.in_tenancy = false;
  k.renamable = true;
  return k;
}

Kind PolicyKind() {
  Kind k{"policy",
         "/policies",
         {FieldColumn("OCID", "id"), FieldColumn("NAME", "name", 40),
          Column{"STATEMENTS",
                 [](const Json& p) {
                   const Json* s = FindMember(p, "statements");
                   return std::to_string(s != nullptr && s->is_array() ? s->size() : 0);
                 }},
          FieldColumn("STATE", "lifecycleState"), TimeColumn("CREATED", "timeCreated")}};
  k.in_tenancy = false;
  k.add_fields = [](CLI::App* cmd, IamFlags* f) {
    cmd->add_option("--statement", f->statements, "A policy statement (repeatable)");
    cmd->add_option("--statements", f->statements_json, "Statements as a JSON array");
    cmd->add_option("--statements-file", f->statements_file,
                    "File of statements: a JSON array, or one per line");
  };
  k.fill = [](const IamFlags& f, const CLI::App&, Json* body) -> Status {
    ADS_ASSIGN_OR_RETURN(std::vector<std::string> statements, Statements(f));
    if (!statements.empty()) (*body)["statements"] = statements;
    return OkStatus();
  };
  return k;
}

Kind DynamicGroupKind() {
  Kind k{"dynamic-group",
         "/dynamicGroups",
         {FieldColumn("OCID", "id"), FieldColumn("NAME", "name", 40),
          FieldColumn("MATCHING RULE", "matchingRule", 60), FieldColumn("STATE", "lifecycleState"),
          TimeColumn("CREATED", "timeCreated")}};
  k.by_name = true;
  k.add_fields = [](CLI::App* cmd, IamFlags* f) {
    cmd->add_option("--matching-rule", f->matching_rule,
                    "e.g. ALL {resource.type = 'datasciencemodeldeployment'}");
  };
  k.fill = [](const IamFlags& f, const CLI::App& cmd, Json* body) {
    if (cmd.count("--matching-rule") > 0) (*body)["matchingRule"] = f.matching_rule;
    return OkStatus();
  };
  return k;
}

// ---- create / list / get / update / delete of one kind ----

void AddIdArgument(CLI::App* cmd, std::string* id, const Kind& k) {
  const std::string what = k.by_name ? k.noun + " OCID or name" : k.noun + " OCID";
  cmd->add_option("ID", *id, what);
  cmd->add_option("--" + k.noun + "-id", *id, what + " (the same as ID)");
}

void AddCreate(CLI::App* group, const Kind& k, int* exit_code) {
  auto f = std::make_shared<IamFlags>();
  CLI::App* cmd = group->add_subcommand("create", "Create a " + k.noun);
  cmd->add_option("--name", f->name, "Name")->required();
  cmd->add_option("--description", f->description, "Description");
  cmd->add_option("--compartment-id,-c", f->compartment_id,
                  k.noun == "compartment" ? "Parent compartment (default: the tenancy)"
                  : k.in_tenancy          ? "The tenancy (the default)"
                                          : "Compartment it is attached to (default: the tenancy)");
  if (k.add_fields) k.add_fields(cmd, f.get());
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, k, cmd, exit_code] {
    Json body = {{"name", f->name}, {"description", f->description}};
    if (k.fill) {
      if (Status s = k.fill(*f, *cmd, &body); !s.ok()) {
        *exit_code = UsageError(s.message());
        return;
      }
    }
    if (k.noun == "policy" && !body.contains("statements")) {
      *exit_code = UsageError("a policy needs --statement, --statements or --statements-file");
      return;
    }
    if (k.noun == "dynamic-group" && !body.contains("matchingRule")) {
      *exit_code = UsageError("a dynamic group needs --matching-rule");
      return;
    }
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      body["compartmentId"] = f->compartment_id.empty() ? TenancyOf(c) : f->compartment_id;
      ADS_ASSIGN_OR_RETURN(Json created, CallJson(c, "POST", CollectionPath(k), body));
      PrintRow(created, k.columns, f->g.Format());
      return OkStatus();
    });
  });
}

// Compartments below `parent`, breadth first.
Result<Json> ListSubtree(client::Client& c, const Kind& k, const std::string& parent) {
  Json all = Json::array();
  std::vector<std::string> queue = {parent};
  for (size_t i = 0; i < queue.size(); ++i) {
    PathWithQuery path(CollectionPath(k));
    path.Add("compartmentId", queue[i]);
    ADS_ASSIGN_OR_RETURN(Json children, c.ListAll(path.str()));
    for (Json& child : children) {
      queue.push_back(StringMemberOr(child, "id"));
      all.push_back(std::move(child));
    }
  }
  return all;
}

void AddList(CLI::App* group, const Kind& k, int* exit_code) {
  auto f = std::make_shared<IamFlags>();
  CLI::App* cmd = group->add_subcommand("list", "List " + Plural(k));
  cmd->add_option(
      "--compartment-id,-c", f->compartment_id,
      k.in_tenancy ? "The tenancy (the default)" : "Compartment (default: the tenancy)");
  if (k.noun == "compartment") {
    cmd->add_flag("--compartment-id-in-subtree", f->subtree,
                  "Every compartment below, not only the children");
  }
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, k, exit_code] {
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      const std::string where = f->compartment_id.empty() ? TenancyOf(c) : f->compartment_id;
      Json items;
      if (f->subtree) {
        ADS_ASSIGN_OR_RETURN(items, ListSubtree(c, k, where));
      } else {
        PathWithQuery path(CollectionPath(k));
        path.Add("compartmentId", where);
        ADS_ASSIGN_OR_RETURN(items, c.ListAll(path.str()));
      }
      PrintList(items, k.columns, f->g.Format());
      return OkStatus();
    });
  });
}

void AddGet(CLI::App* group, const Kind& k, int* exit_code) {
  auto f = std::make_shared<IamFlags>();
  CLI::App* cmd = group->add_subcommand("get", "Show a " + k.noun);
  AddIdArgument(cmd, &f->id, k);
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, k, exit_code] {
    if (f->id.empty()) {
      *exit_code = UsageError("give the " + k.noun + " to show");
      return;
    }
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(std::string id, ResolveId(c, k, f->id));
      ADS_ASSIGN_OR_RETURN(Json r, CallJson(c, "GET", CollectionPath(k) + "/" + id));
      PrintOne(r, f->g.Format());
      return OkStatus();
    });
  });
}

void AddUpdate(CLI::App* group, const Kind& k, int* exit_code) {
  auto f = std::make_shared<IamFlags>();
  CLI::App* cmd = group->add_subcommand("update", "Change a " + k.noun);
  AddIdArgument(cmd, &f->id, k);
  cmd->add_option("--description", f->description, "New description");
  if (k.renamable) cmd->add_option("--name", f->name, "New name");
  if (k.add_fields) k.add_fields(cmd, f.get());
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, k, cmd, exit_code] {
    if (f->id.empty()) {
      *exit_code = UsageError("give the " + k.noun + " to update");
      return;
    }
    Json body = Json::object();
    if (cmd->count("--description") > 0) body["description"] = f->description;
    if (k.renamable && cmd->count("--name") > 0) body["name"] = f->name;
    if (k.fill) {
      if (Status s = k.fill(*f, *cmd, &body); !s.ok()) {
        *exit_code = UsageError(s.message());
        return;
      }
    }
    if (body.empty()) {
      *exit_code = UsageError("nothing to update: see `ads iam " + k.noun + " update --help`");
      return;
    }
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(std::string id, ResolveId(c, k, f->id));
      ADS_ASSIGN_OR_RETURN(Json r, CallJson(c, "PUT", CollectionPath(k) + "/" + id, body));
      PrintRow(r, k.columns, f->g.Format());
      return OkStatus();
    });
  });
}

void AddDelete(CLI::App* group, const Kind& k, int* exit_code) {
  auto f = std::make_shared<IamFlags>();
  CLI::App* cmd = group->add_subcommand("delete", "Delete a " + k.noun);
  AddIdArgument(cmd, &f->id, k);
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, k, exit_code] {
    if (f->id.empty()) {
      *exit_code = UsageError("give the " + k.noun + " to delete");
      return;
    }
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(std::string id, ResolveId(c, k, f->id));
      ADS_RETURN_IF_ERROR(CallJson(c, "DELETE", CollectionPath(k) + "/" + id).status());
      if (f->g.Format() == OutputFormat::kTable)
        std::cout << "Deleted " << k.noun << " " << id << "\n";
      return OkStatus();
    });
  });
}

CLI::App* AddKind(CLI::App* iam, const Kind& k, int* exit_code) {
  CLI::App* group = iam->add_subcommand(k.noun, "IAM " + Plural(k));
  group->require_subcommand(1);
  AddCreate(group, k, exit_code);
  AddList(group, k, exit_code);
  AddGet(group, k, exit_code);
  AddUpdate(group, k, exit_code);
  AddDelete(group, k, exit_code);
  return group;
}

// ---- group membership ----

std::vector<Column> MembershipColumns() {
  return {FieldColumn("OCID", "id"), FieldColumn("USER", "userId"), FieldColumn("GROUP", "groupId"),
          TimeColumn("CREATED", "timeCreated")};
}

// Memberships of a user and/or a group (OCIDs).
Result<Json> Memberships(client::Client& c, const std::string& user_id,
                         const std::string& group_id) {
  PathWithQuery path(std::string(kIdentity) + "/userGroupMemberships");
  path.Add("compartmentId", TenancyOf(c)).Add("userId", user_id).Add("groupId", group_id);
  return c.ListAll(path.str());
}

void AddMembershipChange(CLI::App* group_cmd, bool add, int* exit_code) {
  auto f = std::make_shared<IamFlags>();
  CLI::App* cmd =
      group_cmd->add_subcommand(add ? "add-user" : "remove-user",
                                add ? "Add a user to a group" : "Remove a user from a group");
  cmd->add_option("--group-id", f->group, "Group OCID or name")->required();
  cmd->add_option("--user-id", f->user, "User OCID or name")->required();
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, add, exit_code] {
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(std::string user_id, ResolveId(c, UserKind(), f->user));
      ADS_ASSIGN_OR_RETURN(std::string group_id, ResolveId(c, GroupKind(), f->group));
      if (add) {
        ADS_ASSIGN_OR_RETURN(Json m,
                             CallJson(c, "POST", std::string(kIdentity) + "/userGroupMemberships",
                                      Json{{"userId", user_id}, {"groupId", group_id}}));
        PrintRow(m, MembershipColumns(), f->g.Format());
        return OkStatus();
      }
      ADS_ASSIGN_OR_RETURN(Json found, Memberships(c, user_id, group_id));
      if (found.empty()) {
        return NotFoundError("user " + f->user + " is not a member of group " + f->group);
      }
      for (const Json& m : found) {
        ADS_RETURN_IF_ERROR(
            CallJson(c, "DELETE",
                     std::string(kIdentity) + "/userGroupMemberships/" + StringMemberOr(m, "id"))
                .status());
      }
      if (f->g.Format() == OutputFormat::kTable) {
        std::cout << "Removed user " << user_id << " from group " << group_id << "\n";
      }
      return OkStatus();
    });
  });
}

// `group list-users G` / `user list-groups U`: the other side of the
// memberships, as full resources.
void AddMembershipList(CLI::App* parent, bool users_of_group, int* exit_code) {
  auto f = std::make_shared<IamFlags>();
  const Kind self = users_of_group ? GroupKind() : UserKind();
  const Kind other = users_of_group ? UserKind() : GroupKind();
  CLI::App* cmd =
      parent->add_subcommand(users_of_group ? "list-users" : "list-groups",
                             users_of_group ? "The users in a group" : "The groups of a user");
  AddIdArgument(cmd, &f->id, self);
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, self, other, users_of_group, exit_code] {
    if (f->id.empty()) {
      *exit_code = UsageError("give the " + self.noun);
      return;
    }
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(std::string id, ResolveId(c, self, f->id));
      ADS_ASSIGN_OR_RETURN(Json found,
                           users_of_group ? Memberships(c, "", id) : Memberships(c, id, ""));
      Json items = Json::array();
      for (const Json& m : found) {
        const std::string other_id = StringMemberOr(m, users_of_group ? "userId" : "groupId");
        ADS_ASSIGN_OR_RETURN(Json r, CallJson(c, "GET", CollectionPath(other) + "/" + other_id));
        items.push_back(std::move(r));
      }
      PrintList(items, other.columns, f->g.Format());
      return OkStatus();
    });
  });
}

// ---- API keys ----

std::vector<Column> KeyColumns() {
  return {FieldColumn("FINGERPRINT", "fingerprint"), FieldColumn("USER", "userId"),
          FieldColumn("STATE", "lifecycleState"), TimeColumn("CREATED", "timeCreated")};
}

// The public key PEM to upload from a PEM file's text. A private key file is
// accepted too: only its public half is sent.
Result<std::string> PublicKeyPem(const std::string& pem) {
  if (pem.find("PRIVATE KEY-----") != std::string::npos) {
    ADS_ASSIGN_OR_RETURN(iam::PrivateKey key, iam::PrivateKey::FromPem(pem));
    return key.public_key().ToPem();
  }
  ADS_ASSIGN_OR_RETURN(iam::PublicKey key, iam::PublicKey::FromPem(pem));
  return key.ToPem();
}

std::string KeysPath(const std::string& user_id) {
  return std::string(kIdentity) + "/users/" + user_id + "/apiKeys";
}

void AddApiKeyUpload(CLI::App* keys, int* exit_code) {
  auto f = std::make_shared<IamFlags>();
  CLI::App* cmd = keys->add_subcommand("upload", "Upload a public key; prints its fingerprint");
  cmd->add_option("--user-id", f->user, "User OCID or name")->required();
  CLI::Option* file = cmd->add_option("--key-file", f->key_file,
                                      "PEM file: a public key (or a private key: only its public "
                                      "half is sent)");
  cmd->add_option("--key", f->key, "The public key PEM text")->excludes(file);
  AddServerFlags(cmd, &f->g);
  cmd->callback([f, exit_code] {
    std::string pem = f->key;
    if (!f->key_file.empty()) {
      auto text = Env::Default()->ReadFile(f->key_file);
      if (!text.ok()) {
        *exit_code = ReportError(text.status());
        return;
      }
      pem = *text;
    }
    if (pem.empty()) {
      *exit_code = UsageError("give --key-file or --key");
      return;
    }
    auto public_pem = PublicKeyPem(pem);
    if (!public_pem.ok()) {
      *exit_code = ReportError(public_pem.status(), "the key must be an RSA key in PEM form");
      return;
    }
    *exit_code = RunWithClient(f->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(std::string user_id, ResolveId(c, UserKind(), f->user));
      ADS_ASSIGN_OR_RETURN(Json key,
                           CallJson(c, "POST", KeysPath(user_id), Json{{"key", *public_pem}}));
      PrintRow(key, KeyColumns(), f->g.Format());
      return OkStatus();
    });
  });
}

void AddApiKeyListDelete(CLI::App* keys, int* exit_code) {
  auto lf = std::make_shared<IamFlags>();
  CLI::App* cmd = keys->add_subcommand("list", "A user's API keys");
  cmd->add_option("--user-id", lf->user, "User OCID or name")->required();
  AddServerFlags(cmd, &lf->g);
  cmd->callback([lf, exit_code] {
    *exit_code = RunWithClient(lf->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(std::string user_id, ResolveId(c, UserKind(), lf->user));
      ADS_ASSIGN_OR_RETURN(Json items, CallJson(c, "GET", KeysPath(user_id)));
      PrintList(items, KeyColumns(), lf->g.Format());
      return OkStatus();
    });
  });

  auto df = std::make_shared<IamFlags>();
  cmd = keys->add_subcommand("delete", "Delete an API key by fingerprint");
  cmd->add_option("--user-id", df->user, "User OCID or name")->required();
  cmd->add_option("--fingerprint", df->fingerprint, "aa:bb:...")->required();
  AddServerFlags(cmd, &df->g);
  cmd->callback([df, exit_code] {
    *exit_code = RunWithClient(df->g, [&](client::Client& c) -> Status {
      ADS_ASSIGN_OR_RETURN(std::string user_id, ResolveId(c, UserKind(), df->user));
      ADS_RETURN_IF_ERROR(
          CallJson(c, "DELETE", KeysPath(user_id) + "/" + df->fingerprint).status());
      if (df->g.Format() == OutputFormat::kTable) {
        std::cout << "Deleted API key " << df->fingerprint << "\n";
      }
      return OkStatus();
    });
  });
}

}  // namespace

void RegisterIam(CLI::App& parent, int* exit_code) {
  CLI::App* iam = parent.add_subcommand(
      "iam", "Users, groups, API keys, compartments and policies on the server");
  iam->require_subcommand(1);
  CLI::App* user = AddKind(iam, UserKind(), exit_code);
  AddMembershipList(user, false, exit_code);
  CLI::App* keys = user->add_subcommand("api-key", "A user's API signing keys");
  keys->require_subcommand(1);
  AddApiKeyUpload(keys, exit_code);
  AddApiKeyListDelete(keys, exit_code);
  CLI::App* group = AddKind(iam, GroupKind(), exit_code);
  AddMembershipChange(group, true, exit_code);
  AddMembershipChange(group, false, exit_code);
  AddMembershipList(group, true, exit_code);
  AddKind(iam, CompartmentKind(), exit_code);
  AddKind(iam, PolicyKind(), exit_code);
  AddKind(iam, DynamicGroupKind(), exit_code);
}

}  // namespace ads::cli
