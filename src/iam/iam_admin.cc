// IamService admin operations: named resources (one code path for the five
// kinds, which share their columns), memberships and API keys. Each write is
// one transaction and drops the access snapshot after it commits.
#include <algorithm>

#include "base/ids.h"
#include "base/strings.h"
#include "iam/iam_internal.h"
#include "iam/iam_service.h"

namespace ads::iam {
namespace {

using internal::Info;
using internal::kActive;
using internal::kDeleted;

constexpr size_t kMaxDescription = 400;
constexpr size_t kMaxStatements = 50;

Result<std::string> OptionalString(const Json& details, std::string_view key,
                                   std::string_view what) {
  const Json* v = FindMember(details, key);
  if (v == nullptr || v->is_null()) return std::string();
  if (!v->is_string()) {
    return InvalidArgumentError(std::string(what) + ": " + std::string(key) + " must be a string");
  }
  return v->get<std::string>();
}

// Checks freeformTags / definedTags when present.
Status ValidateTags(const Json& details, std::string_view what) {
  if (const Json* t = FindMember(details, "freeformTags"); t != nullptr && !t->is_null()) {
    if (!t->is_object()) {
      return InvalidArgumentError(std::string(what) + ": freeformTags must be an object");
    }
    for (const auto& [k, v] : t->items()) {
      if (!v.is_string()) {
        return InvalidArgumentError(std::string(what) + ": freeformTags." + k +
                                    " must be a string");
      }
    }
  }
  if (const Json* t = FindMember(details, "definedTags"); t != nullptr && !t->is_null()) {
    if (!t->is_object()) {
      return InvalidArgumentError(std::string(what) + ": definedTags must be an object");
    }
    for (const auto& [k, v] : t->items()) {
      if (!v.is_object()) {
        return InvalidArgumentError(std::string(what) + ": definedTags." + k +
                                    " must be an object");
      }
    }
  }
  return OkStatus();
}

Status ValidateDescription(const std::string& description, std::string_view what) {
  if (description.size() > kMaxDescription) {
    return InvalidArgumentError(std::string(what) + ": description is longer than 400 characters");
  }
  return OkStatus();
}

// The kind's own fields, as stored in the `details` column.
Json KindFields(IamKind kind, const Json& details) {
  Json out = Json::object();
  auto copy = [&](std::string_view key) {
    if (const Json* v = FindMember(details, key); v != nullptr && !v->is_null()) {
      out[std::string(key)] = *v;
    }
  };
  if (kind == IamKind::kUser) copy("email");
  if (kind == IamKind::kPolicy) copy("statements");
  if (kind == IamKind::kDynamicGroup) copy("matchingRule");
  copy("freeformTags");
  copy("definedTags");
  return out;
}

constexpr char kColumns[] = "id, compartment_id, name, description, state, time_created, details";

// One row of kColumns as OCI JSON.
Result<Json> RowToJson(IamKind kind, const store::Statement& q) {
  Json out = Json::object();
  ADS_ASSIGN_OR_RETURN(std::string id, q.ColumnText(0));
  ADS_ASSIGN_OR_RETURN(std::string compartment_id, q.ColumnText(1));
  ADS_ASSIGN_OR_RETURN(std::string name, q.ColumnText(2));
  ADS_ASSIGN_OR_RETURN(std::string description, q.ColumnText(3));
  ADS_ASSIGN_OR_RETURN(std::string state, q.ColumnText(4));
  ADS_ASSIGN_OR_RETURN(std::string time_created, q.ColumnText(5));
  ADS_ASSIGN_OR_RETURN(std::string details_text, q.ColumnText(6));
  ADS_ASSIGN_OR_RETURN(Json details, ParseJson(details_text, "stored IAM details"));
  out["id"] = id;
  out["compartmentId"] = compartment_id;
  out["name"] = name;
  out["description"] = description;
  switch (kind) {
    case IamKind::kUser:
      out["email"] = details.contains("email") ? details["email"] : Json(nullptr);
      out["isMfaActivated"] = false;
      break;
    case IamKind::kPolicy:
      out["statements"] = details.contains("statements") ? details["statements"] : Json::array();
      out["versionDate"] = nullptr;
      break;
    case IamKind::kDynamicGroup:
      out["matchingRule"] = StringMemberOr(details, "matchingRule");
      break;
    case IamKind::kCompartment:
      out["isAccessible"] = true;
      break;
    case IamKind::kGroup:
      break;
  }
  out["timeCreated"] = time_created;
  out["lifecycleState"] = state;
  out["freeformTags"] = details.contains("freeformTags") ? details["freeformTags"] : Json::object();
  out["definedTags"] = details.contains("definedTags") ? details["definedTags"] : Json::object();
  return out;
}

std::string Select(IamKind kind, std::string_view where) {
  return "SELECT " + std::string(kColumns) + " FROM " + std::string(Info(kind).table) + " WHERE " +
         std::string(where);
}

// True when an ACTIVE `kind` called `name` exists in `compartment_id`
// (other than `except_id`).
Result<bool> NameTaken(store::Database& db, IamKind kind, std::string_view compartment_id,
                       std::string_view name, std::string_view except_id) {
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db.Prepare("SELECT count(*) FROM " + std::string(Info(kind).table) +
                                  " WHERE compartment_id = ?1 AND name_key = ?2 AND "
                                  "state = 'ACTIVE' AND id != ?3"));
  ADS_RETURN_IF_ERROR(q.BindText(1, compartment_id));
  ADS_RETURN_IF_ERROR(q.BindText(2, ToLower(name)));
  ADS_RETURN_IF_ERROR(q.BindText(3, except_id));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return false;
  ADS_ASSIGN_OR_RETURN(int64_t n, q.ColumnInt64(0));
  return n > 0;
}

Status Exec(store::Database& db, std::string_view sql, const std::vector<std::string>& args) {
  ADS_ASSIGN_OR_RETURN(store::Statement q, db.Prepare(sql));
  for (size_t i = 0; i < args.size(); ++i) {
    ADS_RETURN_IF_ERROR(q.BindText(static_cast<int>(i) + 1, args[i]));
  }
  return q.Run();
}

Result<int64_t> Count(store::Database& db, std::string_view sql,
                      const std::vector<std::string>& args) {
  ADS_ASSIGN_OR_RETURN(store::Statement q, db.Prepare(sql));
  for (size_t i = 0; i < args.size(); ++i) {
    ADS_RETURN_IF_ERROR(q.BindText(static_cast<int>(i) + 1, args[i]));
  }
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return 0;
  return q.ColumnInt64(0);
}

Result<Json> MembershipRowToJson(const store::Statement& q, const std::string& tenancy_id) {
  Json out = Json::object();
  ADS_ASSIGN_OR_RETURN(std::string id, q.ColumnText(0));
  ADS_ASSIGN_OR_RETURN(std::string user_id, q.ColumnText(1));
  ADS_ASSIGN_OR_RETURN(std::string group_id, q.ColumnText(2));
  ADS_ASSIGN_OR_RETURN(std::string time_created, q.ColumnText(3));
  out["id"] = id;
  out["compartmentId"] = tenancy_id;
  out["groupId"] = group_id;
  out["userId"] = user_id;
  out["timeCreated"] = time_created;
  out["lifecycleState"] = kActive;
  out["inactiveStatus"] = nullptr;
  return out;
}

Result<Json> ApiKeyRowToJson(const store::Statement& q, const std::string& tenancy_id) {
  Json out = Json::object();
  ADS_ASSIGN_OR_RETURN(std::string user_id, q.ColumnText(0));
  ADS_ASSIGN_OR_RETURN(std::string fingerprint, q.ColumnText(1));
  ADS_ASSIGN_OR_RETURN(std::string pem, q.ColumnText(2));
  ADS_ASSIGN_OR_RETURN(std::string state, q.ColumnText(3));
  ADS_ASSIGN_OR_RETURN(std::string time_created, q.ColumnText(4));
  out["keyId"] = tenancy_id + "/" + user_id + "/" + fingerprint;
  out["keyValue"] = pem;
  out["fingerprint"] = fingerprint;
  out["userId"] = user_id;
  out["timeCreated"] = time_created;
  out["lifecycleState"] = state;
  out["inactiveStatus"] = nullptr;
  return out;
}

}  // namespace

Result<Json> IamService::GetLocked(IamKind kind, std::string_view id) {
  ADS_ASSIGN_OR_RETURN(store::Statement q, db_.Prepare(Select(kind, "id = ?1")));
  ADS_RETURN_IF_ERROR(q.BindText(1, id));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return NotFoundError("no " + std::string(Info(kind).name) + " " + Quoted(id));
  return RowToJson(kind, q);
}

Status IamService::CheckCompartmentLocked(std::string_view compartment_id) {
  ADS_ASSIGN_OR_RETURN(auto snapshot, SnapshotLocked());
  if (snapshot->tenancy_id.empty()) {
    return FailedPreconditionError("no tenancy yet: the server has not been bootstrapped");
  }
  if (!snapshot->Exists(compartment_id)) {
    return NotFoundError("no active compartment " + Quoted(compartment_id));
  }
  return OkStatus();
}

Status IamService::ValidatePolicyLocked(const std::string& compartment_id, const Json& statements) {
  if (!statements.is_array() || statements.empty() || statements.size() > kMaxStatements) {
    return InvalidArgumentError("policy: statements must be a list of 1 to 50 strings");
  }
  ADS_ASSIGN_OR_RETURN(auto snapshot, SnapshotLocked());
  for (const Json& text : statements) {
    if (!text.is_string()) return InvalidArgumentError("policy: every statement must be a string");
    ADS_ASSIGN_OR_RETURN(PolicyStatement st, ParsePolicyStatement(text.get<std::string>()));
    ADS_RETURN_IF_ERROR(snapshot->ResolveLocation(compartment_id, st).status());
  }
  return OkStatus();
}

Status IamService::ValidateKindFieldsLocked(IamKind kind, const std::string& compartment_id,
                                            const Json& details) {
  const std::string what(Info(kind).name);
  ADS_RETURN_IF_ERROR(ValidateTags(details, what));
  if (kind == IamKind::kUser) {
    ADS_RETURN_IF_ERROR(OptionalString(details, "email", what).status());
  }
  if (kind == IamKind::kPolicy && details.contains("statements")) {
    ADS_RETURN_IF_ERROR(ValidatePolicyLocked(compartment_id, details["statements"]));
  }
  if (kind == IamKind::kDynamicGroup && details.contains("matchingRule")) {
    ADS_ASSIGN_OR_RETURN(std::string rule, OptionalString(details, "matchingRule", what));
    ADS_RETURN_IF_ERROR(ParseMatchingRule(rule).status());
  }
  return OkStatus();
}

Result<Json> IamService::Create(IamKind kind, const Json& details) {
  const std::string what(Info(kind).name);
  if (!details.is_object()) return InvalidArgumentError(what + ": the details must be an object");
  ADS_ASSIGN_OR_RETURN(std::string compartment_id, GetString(details, "compartmentId", what));
  ADS_ASSIGN_OR_RETURN(std::string name, GetString(details, "name", what));
  ADS_RETURN_IF_ERROR(internal::ValidateName(name, what));
  ADS_ASSIGN_OR_RETURN(std::string description, OptionalString(details, "description", what));
  ADS_RETURN_IF_ERROR(ValidateDescription(description, what));
  if (kind == IamKind::kPolicy && !details.contains("statements")) {
    return InvalidArgumentError("policy: statements are required");
  }
  if (kind == IamKind::kDynamicGroup && !details.contains("matchingRule")) {
    return InvalidArgumentError("dynamic group: matchingRule is required");
  }

  std::lock_guard<std::mutex> lock(mu_);
  ADS_RETURN_IF_ERROR(CheckCompartmentLocked(compartment_id));
  const bool tenancy_level =
      kind == IamKind::kUser || kind == IamKind::kGroup || kind == IamKind::kDynamicGroup;
  ADS_ASSIGN_OR_RETURN(auto snapshot, SnapshotLocked());
  if (tenancy_level && compartment_id != snapshot->tenancy_id) {
    return InvalidArgumentError(what + ": compartmentId must be the tenancy's OCID " +
                                Quoted(snapshot->tenancy_id));
  }
  ADS_RETURN_IF_ERROR(ValidateKindFieldsLocked(kind, compartment_id, details));

  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(db_));
  ADS_ASSIGN_OR_RETURN(bool taken, NameTaken(db_, kind, compartment_id, name, ""));
  if (taken) {
    return AlreadyExistsError("a " + what + " named " + Quoted(name) + " exists already" +
                              (tenancy_level ? "" : " in that compartment"));
  }
  const std::string id = GenerateOcid(env_, Info(kind).ocid_type, "");
  ADS_RETURN_IF_ERROR(
      Exec(db_,
           "INSERT INTO " + std::string(Info(kind).table) +
               "(id, compartment_id, name, name_key, description, state, "
               "time_created, details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
           {id, compartment_id, name, ToLower(name), description, std::string(kActive),
            FormatRfc3339(env_.Now()), KindFields(kind, details).dump()}));
  ADS_RETURN_IF_ERROR(txn.Commit());
  InvalidateLocked();
  return GetLocked(kind, id);
}

Result<Json> IamService::Get(IamKind kind, std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  return GetLocked(kind, id);
}

Result<Json> IamService::Update(IamKind kind, std::string_view id, const Json& details) {
  const std::string what(Info(kind).name);
  if (!details.is_object()) return InvalidArgumentError(what + ": the details must be an object");
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(db_));
  ADS_ASSIGN_OR_RETURN(Json current, GetLocked(kind, id));
  if (current["lifecycleState"].get<std::string>() != kActive) {
    return NotFoundError("no active " + what + " " + Quoted(id));
  }
  const std::string compartment_id = current["compartmentId"].get<std::string>();
  std::string name = current["name"].get<std::string>();
  if (details.contains("name") && kind == IamKind::kCompartment) {
    ADS_ASSIGN_OR_RETURN(name, GetString(details, "name", what));
    ADS_RETURN_IF_ERROR(internal::ValidateName(name, what));
    ADS_ASSIGN_OR_RETURN(bool taken, NameTaken(db_, kind, compartment_id, name, id));
    if (taken) {
      return AlreadyExistsError("a compartment named " + Quoted(name) +
                                " exists already in that compartment");
    }
  }
  std::string description = current["description"].get<std::string>();
  if (details.contains("description")) {
    ADS_ASSIGN_OR_RETURN(description, OptionalString(details, "description", what));
    ADS_RETURN_IF_ERROR(ValidateDescription(description, what));
  }
  ADS_RETURN_IF_ERROR(ValidateKindFieldsLocked(kind, compartment_id, details));
  Json merged = KindFields(kind, current);
  const Json changes = KindFields(kind, details);
  for (const auto& [key, value] : changes.items()) merged[key] = value;
  ADS_RETURN_IF_ERROR(Exec(db_,
                           "UPDATE " + std::string(Info(kind).table) +
                               " SET name = ?2, name_key = ?3, description = ?4, details = ?5 "
                               "WHERE id = ?1",
                           {std::string(id), name, ToLower(name), description, merged.dump()}));
  ADS_RETURN_IF_ERROR(txn.Commit());
  InvalidateLocked();
  return GetLocked(kind, id);
}

Status IamService::Delete(IamKind kind, std::string_view id) {
  const std::string what(Info(kind).name);
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(db_));
  ADS_ASSIGN_OR_RETURN(Json current, GetLocked(kind, id));
  if (current["lifecycleState"].get<std::string>() != kActive) {
    return NotFoundError("no active " + what + " " + Quoted(id));
  }
  const std::vector<std::string> arg = {std::string(id)};
  if (kind == IamKind::kCompartment) {
    // OCI only deletes empty compartments; IAM sees its own resources only,
    // the catalog checks its own before calling (see docs/iam.md).
    ADS_ASSIGN_OR_RETURN(int64_t children,
                         Count(db_,
                               "SELECT (SELECT count(*) FROM iam_compartments WHERE "
                               "compartment_id = ?1 AND state = 'ACTIVE') + (SELECT count(*) "
                               "FROM iam_policies WHERE compartment_id = ?1 AND state = 'ACTIVE')",
                               arg));
    if (children > 0) {
      return FailedPreconditionError("compartment " + Quoted(id) +
                                     " still holds compartments or policies; delete them first");
    }
  }
  if (kind == IamKind::kUser) {
    ADS_RETURN_IF_ERROR(Exec(db_, "DELETE FROM iam_memberships WHERE user_id = ?1", arg));
    ADS_RETURN_IF_ERROR(
        Exec(db_, "UPDATE iam_api_keys SET state = 'DELETED' WHERE user_id = ?1", arg));
  }
  if (kind == IamKind::kGroup) {
    ADS_RETURN_IF_ERROR(Exec(db_, "DELETE FROM iam_memberships WHERE group_id = ?1", arg));
  }
  ADS_RETURN_IF_ERROR(
      Exec(db_, "UPDATE " + std::string(Info(kind).table) + " SET state = 'DELETED' WHERE id = ?1",
           arg));
  ADS_RETURN_IF_ERROR(txn.Commit());
  InvalidateLocked();
  return OkStatus();
}

Result<Json> IamService::List(IamKind kind, std::string_view compartment_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_RETURN_IF_ERROR(CheckCompartmentLocked(compartment_id));
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_.Prepare(Select(kind,
                                          "compartment_id = ?1 AND state = 'ACTIVE' "
                                          "ORDER BY time_created, rowid")));
  ADS_RETURN_IF_ERROR(q.BindText(1, compartment_id));
  Json items = Json::array();
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ADS_ASSIGN_OR_RETURN(Json item, RowToJson(kind, q));
    items.push_back(std::move(item));
  }
  return items;
}

Result<Json> IamService::AddUserToGroup(std::string_view user_id, std::string_view group_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return AddUserToGroupLocked(user_id, group_id);
}

Result<Json> IamService::AddUserToGroupLocked(std::string_view user_id, std::string_view group_id) {
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(db_));
  ADS_ASSIGN_OR_RETURN(Json user, GetLocked(IamKind::kUser, user_id));
  ADS_ASSIGN_OR_RETURN(Json group, GetLocked(IamKind::kGroup, group_id));
  if (user["lifecycleState"].get<std::string>() != kActive)
    return NotFoundError("no active user " + Quoted(user_id));
  if (group["lifecycleState"].get<std::string>() != kActive) {
    return NotFoundError("no active group " + Quoted(group_id));
  }
  const std::vector<std::string> pair = {std::string(user_id), std::string(group_id)};
  ADS_ASSIGN_OR_RETURN(int64_t existing,
                       Count(db_,
                             "SELECT count(*) FROM iam_memberships WHERE user_id = ?1 AND "
                             "group_id = ?2",
                             pair));
  if (existing > 0) {
    return AlreadyExistsError("user " + Quoted(user["name"].get<std::string>()) + " is in group " +
                              Quoted(group["name"].get<std::string>()) + " already");
  }
  const std::string id = GenerateOcid(env_, "groupmembership", "");
  ADS_RETURN_IF_ERROR(Exec(db_,
                           "INSERT INTO iam_memberships(id, user_id, group_id, time_created) "
                           "VALUES (?1, ?2, ?3, ?4)",
                           {id, pair[0], pair[1], FormatRfc3339(env_.Now())}));
  ADS_RETURN_IF_ERROR(txn.Commit());
  InvalidateLocked();
  ADS_ASSIGN_OR_RETURN(auto snapshot, SnapshotLocked());
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_.Prepare("SELECT id, user_id, group_id, time_created FROM "
                                   "iam_memberships WHERE id = ?1"));
  ADS_RETURN_IF_ERROR(q.BindText(1, id));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return InternalError("membership " + id + " vanished");
  return MembershipRowToJson(q, snapshot->tenancy_id);
}

Result<Json> IamService::GetMembership(std::string_view membership_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(auto snapshot, SnapshotLocked());
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_.Prepare("SELECT id, user_id, group_id, time_created FROM "
                                   "iam_memberships WHERE id = ?1"));
  ADS_RETURN_IF_ERROR(q.BindText(1, membership_id));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return NotFoundError("no user group membership " + Quoted(membership_id));
  return MembershipRowToJson(q, snapshot->tenancy_id);
}

Status IamService::RemoveMembership(std::string_view membership_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_RETURN_IF_ERROR(
      Exec(db_, "DELETE FROM iam_memberships WHERE id = ?1", {std::string(membership_id)}));
  if (db_.Changes() == 0) {
    return NotFoundError("no user group membership " + Quoted(membership_id));
  }
  InvalidateLocked();
  return OkStatus();
}

Result<Json> IamService::ListMemberships(std::string_view user_id, std::string_view group_id) {
  if (user_id.empty() && group_id.empty()) {
    return InvalidArgumentError("listing memberships needs a userId or a groupId");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(auto snapshot, SnapshotLocked());
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_.Prepare("SELECT id, user_id, group_id, time_created FROM "
                                   "iam_memberships WHERE (?1 = '' OR user_id = ?1) AND "
                                   "(?2 = '' OR group_id = ?2) ORDER BY time_created, rowid"));
  ADS_RETURN_IF_ERROR(q.BindText(1, user_id));
  ADS_RETURN_IF_ERROR(q.BindText(2, group_id));
  Json items = Json::array();
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ADS_ASSIGN_OR_RETURN(Json item, MembershipRowToJson(q, snapshot->tenancy_id));
    items.push_back(std::move(item));
  }
  return items;
}

Result<Json> IamService::UploadApiKey(std::string_view user_id, std::string_view public_key_pem) {
  std::lock_guard<std::mutex> lock(mu_);
  return UploadApiKeyLocked(user_id, public_key_pem);
}

Result<Json> IamService::UploadApiKeyLocked(std::string_view user_id,
                                            std::string_view public_key_pem) {
  Result<PublicKey> key = PublicKey::FromPem(public_key_pem);
  if (!key.ok()) {
    return InvalidArgumentError("the API key is not an RSA public key in PEM form: " +
                                key.status().message());
  }
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(db_));
  ADS_ASSIGN_OR_RETURN(Json user, GetLocked(IamKind::kUser, user_id));
  if (user["lifecycleState"].get<std::string>() != kActive)
    return NotFoundError("no active user " + Quoted(user_id));
  const std::string fingerprint = key->Fingerprint();
  const std::vector<std::string> arg = {std::string(user_id)};
  ADS_ASSIGN_OR_RETURN(int64_t same,
                       Count(db_,
                             "SELECT count(*) FROM iam_api_keys WHERE user_id = ?1 AND "
                             "fingerprint = ?2 AND state = 'ACTIVE'",
                             {arg[0], fingerprint}));
  if (same > 0) {
    return AlreadyExistsError("the user has the key " + fingerprint + " already");
  }
  ADS_ASSIGN_OR_RETURN(
      int64_t active,
      Count(db_, "SELECT count(*) FROM iam_api_keys WHERE user_id = ?1 AND state = 'ACTIVE'", arg));
  if (active >= kMaxApiKeysPerUser) {
    return OutOfRangeError("a user may have at most 3 API keys; delete one first");
  }
  ADS_RETURN_IF_ERROR(Exec(db_,
                           "INSERT INTO iam_api_keys(user_id, fingerprint, key_pem, state, "
                           "time_created) VALUES (?1, ?2, ?3, 'ACTIVE', ?4)",
                           {arg[0], fingerprint, key->ToPem(), FormatRfc3339(env_.Now())}));
  ADS_RETURN_IF_ERROR(txn.Commit());
  InvalidateLocked();
  ADS_ASSIGN_OR_RETURN(auto snapshot, SnapshotLocked());
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_.Prepare("SELECT user_id, fingerprint, key_pem, state, time_created "
                                   "FROM iam_api_keys WHERE rowid = ?1"));
  ADS_RETURN_IF_ERROR(q.BindInt64(1, db_.LastInsertRowId()));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return InternalError("API key " + fingerprint + " vanished");
  return ApiKeyRowToJson(q, snapshot->tenancy_id);
}

Result<Json> IamService::ListApiKeys(std::string_view user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(Json user, GetLocked(IamKind::kUser, user_id));
  ADS_ASSIGN_OR_RETURN(auto snapshot, SnapshotLocked());
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_.Prepare("SELECT user_id, fingerprint, key_pem, state, time_created "
                                   "FROM iam_api_keys WHERE user_id = ?1 AND state = 'ACTIVE' "
                                   "ORDER BY time_created, rowid"));
  ADS_RETURN_IF_ERROR(q.BindText(1, user_id));
  Json items = Json::array();
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool row, q.Step());
    if (!row) break;
    ADS_ASSIGN_OR_RETURN(Json item, ApiKeyRowToJson(q, snapshot->tenancy_id));
    items.push_back(std::move(item));
  }
  return items;
}

Status IamService::DeleteApiKey(std::string_view user_id, std::string_view fingerprint) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_RETURN_IF_ERROR(Exec(db_,
                           "UPDATE iam_api_keys SET state = 'DELETED' WHERE user_id = ?1 AND "
                           "fingerprint = ?2 AND state = 'ACTIVE'",
                           {std::string(user_id), std::string(fingerprint)}));
  if (db_.Changes() == 0) {
    return NotFoundError("user " + Quoted(user_id) + " has no API key " + Quoted(fingerprint));
  }
  InvalidateLocked();
  return OkStatus();
}

Result<std::string> IamService::GroupIdByName(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(auto snapshot, SnapshotLocked());
  auto it = snapshot->group_ids.find(ToLower(name));
  if (it == snapshot->group_ids.end()) return NotFoundError("no group " + Quoted(name));
  return it->second;
}

Result<UserCredentials> IamService::CreateUserWithKey(std::string_view name,
                                                      const std::vector<std::string>& group_names) {
  ADS_ASSIGN_OR_RETURN(PrivateKey key, PrivateKey::Generate(kDefaultRsaBits));
  const std::string tenancy = tenancy_id();
  if (tenancy.empty()) {
    return FailedPreconditionError("no tenancy yet: the server has not been bootstrapped");
  }
  std::vector<std::string> group_ids;
  for (const std::string& group : group_names) {
    ADS_ASSIGN_OR_RETURN(std::string id, GroupIdByName(group));
    group_ids.push_back(std::move(id));
  }
  ADS_ASSIGN_OR_RETURN(Json user, Create(IamKind::kUser, {{"compartmentId", tenancy},
                                                          {"name", std::string(name)},
                                                          {"description", "created with a key"}}));
  const std::string user_id = user["id"].get<std::string>();
  for (const std::string& group_id : group_ids) {
    ADS_RETURN_IF_ERROR(AddUserToGroup(user_id, group_id).status());
  }
  ADS_ASSIGN_OR_RETURN(Json api_key, UploadApiKey(user_id, key.public_key().ToPem()));
  UserCredentials out{user_id, api_key["fingerprint"].get<std::string>(),
                      api_key["keyId"].get<std::string>(), std::move(key)};
  return out;
}

}  // namespace ads::iam
