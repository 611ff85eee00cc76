// IamService: schema, tenancy, the policy snapshot and the access checks.
// The admin operations are in iam_admin.cc.
#include "iam/iam_service.h"

#include <algorithm>

#include "base/ids.h"
#include "base/logging.h"
#include "base/strings.h"
#include "iam/iam_internal.h"

namespace ads::iam {
namespace internal {
namespace {

// Every named kind has the same columns; `details` holds the kind's own
// fields and tags as JSON, so one code path reads and writes them all.
#define ADS_IAM_NAMED_TABLE(table)                                           \
  "CREATE TABLE " table                                                      \
  "(id TEXT PRIMARY KEY, compartment_id TEXT NOT NULL, name TEXT NOT NULL, " \
  "name_key TEXT NOT NULL, description TEXT NOT NULL, state TEXT NOT NULL, " \
  "time_created TEXT NOT NULL, details TEXT NOT NULL);\n"                    \
  "CREATE UNIQUE INDEX " table "_name ON " table                             \
  "(compartment_id, name_key) WHERE state = 'ACTIVE';\n"

const std::vector<store::Migration>& Migrations() {
  static const std::vector<store::Migration> migrations = {
      {1, "identity",
       "CREATE TABLE iam_tenancy(id TEXT PRIMARY KEY, name TEXT NOT NULL, "
       "home_region TEXT NOT NULL, namespace_name TEXT NOT NULL, time_created TEXT NOT "
       "NULL);\n" ADS_IAM_NAMED_TABLE("iam_compartments") ADS_IAM_NAMED_TABLE(
           "iam_users") ADS_IAM_NAMED_TABLE("iam_groups") ADS_IAM_NAMED_TABLE("iam_policies")
           ADS_IAM_NAMED_TABLE("iam_dynamic_groups") "CREATE TABLE iam_memberships(id TEXT PRIMARY "
                                                     "KEY, user_id TEXT NOT NULL, "
                                                     "group_id TEXT NOT NULL, time_created TEXT "
                                                     "NOT NULL, UNIQUE (user_id, group_id));\n"
                                                     "CREATE TABLE iam_api_keys(user_id TEXT NOT "
                                                     "NULL, fingerprint TEXT NOT NULL, "
                                                     "key_pem TEXT NOT NULL, state TEXT NOT NULL, "
                                                     "time_created TEXT NOT NULL);\n"
                                                     "CREATE UNIQUE INDEX iam_api_keys_active ON "
                                                     "iam_api_keys(user_id, fingerprint) "
                                                     "WHERE state = 'ACTIVE';\n"},
  };
  return migrations;
}
#undef ADS_IAM_NAMED_TABLE

// Runs `sql` and calls `row` for each result row.
template <typename Fn>
Status ForEachRow(store::Database& db, std::string_view sql, Fn row) {
  ADS_ASSIGN_OR_RETURN(store::Statement q, db.Prepare(sql));
  for (;;) {
    ADS_ASSIGN_OR_RETURN(bool has_row, q.Step());
    if (!has_row) return OkStatus();
    ADS_RETURN_IF_ERROR(row(q));
  }
}

Status LoadPolicies(store::Database& db, Snapshot& s) {
  return ForEachRow(
      db,
      "SELECT compartment_id, details FROM iam_policies WHERE state = 'ACTIVE' "
      "ORDER BY time_created, id",
      [&](store::Statement& q) -> Status {
        ADS_ASSIGN_OR_RETURN(std::string attached, q.ColumnText(0));
        if (!s.Exists(attached)) return OkStatus();
        ADS_ASSIGN_OR_RETURN(std::string details_text, q.ColumnText(1));
        Result<Json> details = ParseJson(details_text, "policy details");
        if (!details.ok()) return OkStatus();
        const Json* statements = FindMember(*details, "statements");
        if (statements == nullptr || !statements->is_array()) return OkStatus();
        for (const Json& text : *statements) {
          if (!text.is_string()) continue;
          // Statements were validated when written; one that no longer
          // resolves (its compartment or group went away) grants nothing.
          Result<PolicyStatement> parsed = ParsePolicyStatement(text.get<std::string>());
          if (!parsed.ok()) continue;
          Result<std::string> target = s.ResolveLocation(attached, *parsed);
          if (!target.ok()) continue;
          CompiledStatement c;
          c.subject = parsed->subject;
          const auto& names = parsed->subject == PolicyStatement::Subject::kGroup
                                  ? s.group_ids
                                  : s.dynamic_group_ids;
          for (const std::string& name : parsed->subjects) {
            if (name.starts_with("ocid1.")) {
              c.subject_ids.insert(name);
            } else if (auto it = names.find(ToLower(name)); it != names.end()) {
              c.subject_ids.insert(it->second);
            }
          }
          if (c.subject != PolicyStatement::Subject::kAnyUser && c.subject_ids.empty()) continue;
          c.verb = parsed->verb;
          c.resource = parsed->resource;
          c.target_compartment = *target;
          c.condition = parsed->condition;
          s.statements.push_back(std::move(c));
        }
        return OkStatus();
      });
}

}  // namespace

std::span<const store::Migration> IamMigrations() { return Migrations(); }

const KindInfo& Info(IamKind kind) {
  static const KindInfo kInfos[] = {
      {"iam_compartments", "compartment", "compartment"},
      {"iam_users", "user", "user"},
      {"iam_groups", "group", "group"},
      {"iam_policies", "policy", "policy"},
      {"iam_dynamic_groups", "dynamicgroup", "dynamic group"},
  };
  return kInfos[static_cast<int>(kind)];
}

Status ValidateName(std::string_view name, std::string_view what) {
  if (name.empty() || name.size() > 100) {
    return InvalidArgumentError(std::string(what) + " name must have 1 to 100 characters");
  }
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 &&
        std::string_view("._-@+").find(c) == std::string_view::npos) {
      return InvalidArgumentError(std::string(what) + " name " + Quoted(name) +
                                  " may only use letters, digits and . _ - @ +");
    }
  }
  return OkStatus();
}

std::vector<std::string> Snapshot::Ancestry(std::string_view id) const {
  std::vector<std::string> chain;
  std::string current(id);
  // The depth bound guards against a cycle written behind our back.
  for (int depth = 0; depth < 64; ++depth) {
    if (current == tenancy_id) {
      chain.push_back(current);
      return chain;
    }
    auto it = compartments.find(current);
    if (it == compartments.end()) return {};
    chain.push_back(current);
    current = it->second.parent_id;
  }
  return {};
}

bool Snapshot::InSubtree(std::string_view id, std::string_view root) const {
  const std::vector<std::string> chain = Ancestry(id);
  return std::find(chain.begin(), chain.end(), root) != chain.end();
}

std::string Snapshot::NameOf(std::string_view compartment_id) const {
  if (compartment_id == tenancy_id) return tenancy_name;
  auto it = compartments.find(compartment_id);
  return it == compartments.end() ? "" : it->second.name;
}

Result<std::string> Snapshot::ResolveLocation(const std::string& attached,
                                              const PolicyStatement& st) const {
  const std::string prefix = "policy statement " + Quoted(st.text) + ": ";
  switch (st.location) {
    case PolicyStatement::Location::kTenancy:
      if (attached != tenancy_id) {
        return InvalidArgumentError(prefix +
                                    "`in tenancy` is only allowed in policies attached to the "
                                    "tenancy; name a compartment instead");
      }
      return tenancy_id;
    case PolicyStatement::Location::kCompartmentId: {
      const std::string& id = st.compartment_path.front();
      if (!Exists(id)) return InvalidArgumentError(prefix + "no active compartment " + Quoted(id));
      if (!InSubtree(id, attached)) {
        return InvalidArgumentError(prefix + "compartment " + Quoted(id) +
                                    " is outside the compartment the policy is attached to");
      }
      return id;
    }
    case PolicyStatement::Location::kCompartmentPath:
      break;
  }
  // A path starts below the policy's compartment; OCI also lets it start
  // with the policy's own compartment.
  auto walk = [&](std::string start, size_t first) -> std::optional<std::string> {
    for (size_t i = first; i < st.compartment_path.size(); ++i) {
      auto it = children.find({start, ToLower(st.compartment_path[i])});
      if (it == children.end()) return std::nullopt;
      start = it->second;
    }
    return start;
  };
  if (auto id = walk(attached, 0)) return *id;
  if (attached != tenancy_id && EqualsIgnoreCase(st.compartment_path.front(), NameOf(attached))) {
    if (auto id = walk(attached, 1)) return *id;
  }
  return InvalidArgumentError(prefix + "no compartment " + Quoted(Join(st.compartment_path, ":")) +
                              " under " + Quoted(NameOf(attached)));
}

namespace {

// Tenancy, compartments, group and dynamic-group names and rules.
Status LoadStructure(store::Database& db, Snapshot* s) {
  ADS_RETURN_IF_ERROR(ForEachRow(db, "SELECT id, name FROM iam_tenancy LIMIT 1",
                                 [&](store::Statement& q) -> Status {
                                   ADS_ASSIGN_OR_RETURN(s->tenancy_id, q.ColumnText(0));
                                   ADS_ASSIGN_OR_RETURN(s->tenancy_name, q.ColumnText(1));
                                   return OkStatus();
                                 }));
  ADS_RETURN_IF_ERROR(
      ForEachRow(db, "SELECT id, compartment_id, name FROM iam_compartments WHERE state = 'ACTIVE'",
                 [&](store::Statement& q) -> Status {
                   ADS_ASSIGN_OR_RETURN(std::string id, q.ColumnText(0));
                   ADS_ASSIGN_OR_RETURN(std::string parent, q.ColumnText(1));
                   ADS_ASSIGN_OR_RETURN(std::string name, q.ColumnText(2));
                   s->children[{parent, ToLower(name)}] = id;
                   s->compartments[id] = {std::move(parent), std::move(name)};
                   return OkStatus();
                 }));
  ADS_RETURN_IF_ERROR(ForEachRow(db, "SELECT id, name_key FROM iam_groups WHERE state = 'ACTIVE'",
                                 [&](store::Statement& q) -> Status {
                                   ADS_ASSIGN_OR_RETURN(std::string id, q.ColumnText(0));
                                   ADS_ASSIGN_OR_RETURN(std::string key, q.ColumnText(1));
                                   s->group_ids[key] = id;
                                   return OkStatus();
                                 }));
  ADS_RETURN_IF_ERROR(ForEachRow(
      db, "SELECT id, name_key, details FROM iam_dynamic_groups WHERE state = 'ACTIVE'",
      [&](store::Statement& q) -> Status {
        ADS_ASSIGN_OR_RETURN(std::string id, q.ColumnText(0));
        ADS_ASSIGN_OR_RETURN(std::string key, q.ColumnText(1));
        ADS_ASSIGN_OR_RETURN(std::string details, q.ColumnText(2));
        s->dynamic_group_ids[key] = id;
        Result<Json> json = ParseJson(details, "dynamic group details");
        if (!json.ok()) return OkStatus();
        Result<MatchingRule> rule = ParseMatchingRule(StringMemberOr(*json, "matchingRule"));
        if (rule.ok()) s->dynamic_groups.emplace_back(id, std::move(*rule));
        return OkStatus();
      }));
  return OkStatus();
}

// Active users, their active groups and their active keys.
Status LoadUsers(store::Database& db, Snapshot* s) {
  ADS_RETURN_IF_ERROR(ForEachRow(db, "SELECT id FROM iam_users WHERE state = 'ACTIVE'",
                                 [&](store::Statement& q) -> Status {
                                   ADS_ASSIGN_OR_RETURN(std::string id, q.ColumnText(0));
                                   s->user_groups[id];
                                   return OkStatus();
                                 }));
  ADS_RETURN_IF_ERROR(ForEachRow(
      db,
      "SELECT m.user_id, m.group_id FROM iam_memberships m "
      "JOIN iam_groups g ON g.id = m.group_id AND g.state = 'ACTIVE' ORDER BY m.time_created",
      [&](store::Statement& q) -> Status {
        ADS_ASSIGN_OR_RETURN(std::string user, q.ColumnText(0));
        ADS_ASSIGN_OR_RETURN(std::string group, q.ColumnText(1));
        auto it = s->user_groups.find(user);
        if (it != s->user_groups.end()) it->second.push_back(std::move(group));
        return OkStatus();
      }));
  ADS_RETURN_IF_ERROR(ForEachRow(
      db, "SELECT user_id, fingerprint, key_pem FROM iam_api_keys WHERE state = 'ACTIVE'",
      [&](store::Statement& q) -> Status {
        ADS_ASSIGN_OR_RETURN(std::string user, q.ColumnText(0));
        if (s->user_groups.count(user) == 0) return OkStatus();
        ADS_ASSIGN_OR_RETURN(std::string fingerprint, q.ColumnText(1));
        ADS_ASSIGN_OR_RETURN(std::string pem, q.ColumnText(2));
        Result<PublicKey> key = PublicKey::FromPem(pem);
        if (key.ok()) s->keys.emplace(user + "/" + fingerprint, std::move(*key));
        return OkStatus();
      }));
  return OkStatus();
}

}  // namespace

Result<std::shared_ptr<const Snapshot>> BuildSnapshot(store::Database& db) {
  auto s = std::make_shared<Snapshot>();
  ADS_RETURN_IF_ERROR(LoadStructure(db, s.get()));
  ADS_RETURN_IF_ERROR(LoadUsers(db, s.get()));
  ADS_RETURN_IF_ERROR(LoadPolicies(db, *s));
  return std::shared_ptr<const Snapshot>(std::move(s));
}

}  // namespace internal

using internal::Snapshot;

std::string_view IamKindName(IamKind kind) { return internal::Info(kind).name; }

Result<std::unique_ptr<IamService>> IamService::Open(Env& env, store::Database& db) {
  ADS_RETURN_IF_ERROR(
      store::ApplyMigrations(db, internal::kMigrationComponent, internal::IamMigrations(), env)
          .status());
  return std::unique_ptr<IamService>(new IamService(env, db));
}

IamService::~IamService() = default;

Result<std::shared_ptr<const Snapshot>> IamService::SnapshotLocked() {
  {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    if (snapshot_ != nullptr) return snapshot_;
  }
  // Built under mu_ only: writers hold mu_, so the tables cannot change
  // between this read and the publication below.
  ADS_ASSIGN_OR_RETURN(std::shared_ptr<const Snapshot> built, internal::BuildSnapshot(db_));
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_ = built;
  return built;
}

std::shared_ptr<const Snapshot> IamService::CurrentSnapshot() {
  {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    if (snapshot_ != nullptr) return snapshot_;
  }
  std::lock_guard<std::mutex> lock(mu_);
  Result<std::shared_ptr<const Snapshot>> s = SnapshotLocked();
  return s.ok() ? *s : nullptr;
}

Result<TenancyInfo> IamService::TenancyLocked() {
  ADS_ASSIGN_OR_RETURN(store::Statement q,
                       db_.Prepare("SELECT id, name, home_region, namespace_name, time_created "
                                   "FROM iam_tenancy LIMIT 1"));
  ADS_ASSIGN_OR_RETURN(bool row, q.Step());
  if (!row) return NotFoundError("no tenancy yet: the server has not been bootstrapped");
  TenancyInfo t;
  ADS_ASSIGN_OR_RETURN(t.id, q.ColumnText(0));
  ADS_ASSIGN_OR_RETURN(t.name, q.ColumnText(1));
  ADS_ASSIGN_OR_RETURN(t.home_region, q.ColumnText(2));
  ADS_ASSIGN_OR_RETURN(t.namespace_name, q.ColumnText(3));
  ADS_ASSIGN_OR_RETURN(t.time_created, q.ColumnText(4));
  return t;
}

Result<TenancyInfo> IamService::Tenancy() {
  std::lock_guard<std::mutex> lock(mu_);
  return TenancyLocked();
}

std::string IamService::tenancy_id() {
  std::shared_ptr<const Snapshot> s = CurrentSnapshot();
  return s == nullptr ? "" : s->tenancy_id;
}

Result<TenancyInfo> IamService::CreateTenancy(std::string_view name, std::string_view home_region,
                                              std::string_view namespace_name) {
  ADS_RETURN_IF_ERROR(internal::ValidateName(name, "tenancy"));
  if (namespace_name.empty() || home_region.empty()) {
    return InvalidArgumentError("a tenancy needs a home region and a namespace name");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ADS_ASSIGN_OR_RETURN(store::Transaction txn, store::Transaction::Begin(db_));
  Result<TenancyInfo> existing = TenancyLocked();
  if (existing.ok()) {
    return FailedPreconditionError("the tenancy " + Quoted(existing->name) + " (" + existing->id +
                                   ") exists already; there is only one");
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  TenancyInfo t{GenerateOcid(env_, "tenancy", ""), std::string(name), std::string(home_region),
                std::string(namespace_name), FormatRfc3339(env_.Now())};
  ADS_ASSIGN_OR_RETURN(store::Statement insert,
                       db_.Prepare("INSERT INTO iam_tenancy(id, name, home_region, "
                                   "namespace_name, time_created) VALUES (?1, ?2, ?3, ?4, ?5)"));
  ADS_RETURN_IF_ERROR(insert.BindText(1, t.id));
  ADS_RETURN_IF_ERROR(insert.BindText(2, t.name));
  ADS_RETURN_IF_ERROR(insert.BindText(3, t.home_region));
  ADS_RETURN_IF_ERROR(insert.BindText(4, t.namespace_name));
  ADS_RETURN_IF_ERROR(insert.BindText(5, t.time_created));
  ADS_RETURN_IF_ERROR(insert.Run());
  ADS_RETURN_IF_ERROR(txn.Commit());
  InvalidateLocked();
  return t;
}

Result<VerifiedSessionToken> IamService::VerifyToken(const KeyId& key_id) {
  if (tokens_ == nullptr) return UnauthenticatedError("security tokens are not accepted");
  ADS_ASSIGN_OR_RETURN(VerifiedSessionToken token, tokens_->Verify(key_id.token, env_.Now()));
  std::shared_ptr<const Snapshot> s = CurrentSnapshot();
  if (s == nullptr || s->tenancy_id.empty() || token.claims.resource.tenancy_id != s->tenancy_id) {
    return UnauthenticatedError("the security token was issued for another tenancy");
  }
  return token;
}

std::optional<PublicKey> IamService::LookupKey(const KeyId& key_id) {
  if (key_id.kind == KeyId::Kind::kSecurityToken) {
    Result<VerifiedSessionToken> token = VerifyToken(key_id);
    if (!token.ok()) {
      LogInfo("security token refused: " + token.status().message());
      return std::nullopt;
    }
    return token->session_key;
  }
  if (key_id.kind != KeyId::Kind::kApiKey) return std::nullopt;
  std::shared_ptr<const Snapshot> s = CurrentSnapshot();
  if (s == nullptr || s->tenancy_id.empty() || key_id.tenancy != s->tenancy_id) {
    return std::nullopt;
  }
  auto it = s->keys.find(key_id.user + "/" + key_id.fingerprint);
  if (it == s->keys.end()) return std::nullopt;
  return it->second;
}

Result<Principal> IamService::PrincipalFor(const KeyId& key_id) {
  if (key_id.kind == KeyId::Kind::kSecurityToken) {
    ADS_ASSIGN_OR_RETURN(VerifiedSessionToken token, VerifyToken(key_id));
    const ResourceIdentity& r = token.claims.resource;
    return ResourcePrincipal({r.type, r.id, r.compartment_id});
  }
  std::shared_ptr<const Snapshot> s = CurrentSnapshot();
  if (s == nullptr || key_id.tenancy != s->tenancy_id ||
      s->keys.count(key_id.user + "/" + key_id.fingerprint) == 0) {
    return UnauthenticatedError("unknown or inactive API key " + Quoted(key_id.raw));
  }
  Principal p;
  p.kind = Principal::Kind::kUser;
  p.tenancy_id = s->tenancy_id;
  p.id = key_id.user;
  p.group_ids = s->user_groups.at(key_id.user);
  return p;
}

Principal IamService::ResourcePrincipal(const ResourceFacts& facts) {
  Principal p;
  p.kind = Principal::Kind::kResource;
  p.id = facts.id;
  p.resource_type = facts.type;
  p.compartment_id = facts.compartment_id;
  std::shared_ptr<const Snapshot> s = CurrentSnapshot();
  if (s == nullptr) return p;
  p.tenancy_id = s->tenancy_id;
  for (const auto& [id, rule] : s->dynamic_groups) {
    if (rule.Matches(facts)) p.group_ids.push_back(id);
  }
  return p;
}

namespace {

bool SubjectMatches(const internal::CompiledStatement& st, const Principal& who) {
  using Subject = PolicyStatement::Subject;
  if (st.subject == Subject::kAnyUser) return true;
  const bool wants_user = st.subject == Subject::kGroup;
  if (wants_user != (who.kind == Principal::Kind::kUser)) return false;
  return std::any_of(who.group_ids.begin(), who.group_ids.end(),
                     [&](const std::string& g) { return st.subject_ids.count(g) != 0; });
}

bool ConditionHolds(const internal::CompiledStatement& st, const Snapshot& s,
                    std::string_view compartment_id) {
  if (!st.condition) return true;
  bool equal = false;
  if (st.condition->variable == "target.compartment.id") {
    equal = compartment_id == st.condition->value;
  } else {
    equal = EqualsIgnoreCase(s.NameOf(compartment_id), st.condition->value);
  }
  return equal != st.condition->negated;
}

}  // namespace

bool IamService::IsAllowed(const Principal& who, Verb verb, std::string_view resource_type,
                           std::string_view compartment_id) {
  std::shared_ptr<const Snapshot> s = CurrentSnapshot();
  if (s == nullptr || s->tenancy_id.empty() || who.tenancy_id != s->tenancy_id) return false;
  const std::vector<std::string> ancestry = s->Ancestry(compartment_id);
  if (ancestry.empty()) return false;
  for (const internal::CompiledStatement& st : s->statements) {
    if (st.verb < verb || !ResourceCovers(st.resource, resource_type)) continue;
    if (std::find(ancestry.begin(), ancestry.end(), st.target_compartment) == ancestry.end()) {
      continue;
    }
    if (SubjectMatches(st, who) && ConditionHolds(st, *s, compartment_id)) return true;
  }
  return false;
}

bool IamService::CompartmentExists(std::string_view compartment_id) {
  std::shared_ptr<const Snapshot> s = CurrentSnapshot();
  return s != nullptr && !s->tenancy_id.empty() && s->Exists(compartment_id);
}

}  // namespace ads::iam
