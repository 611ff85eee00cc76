// Internals shared by iam_service.cc (access checks, tenancy) and
// iam_admin.cc (the admin operations): the schema, the per-kind table
// descriptions and the in-memory snapshot that access checks evaluate.
// Not for use outside src/iam.
#ifndef ADS_IAM_IAM_INTERNAL_H_
#define ADS_IAM_IAM_INTERNAL_H_

#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "iam/iam_service.h"
#include "iam/keys.h"
#include "iam/policy.h"
#include "store/migrations.h"
#include "store/sqlite.h"

namespace ads::iam::internal {

inline constexpr std::string_view kMigrationComponent = "iam";
std::span<const store::Migration> IamMigrations();

inline constexpr std::string_view kActive = "ACTIVE";
inline constexpr std::string_view kDeleted = "DELETED";

struct KindInfo {
  std::string_view table;      // iam_users, ...
  std::string_view ocid_type;  // user, ...
  std::string_view name;       // "user", for messages
};
const KindInfo& Info(IamKind kind);

// OCI names: 1 to 100 of letters, digits and . _ - @ +; they appear
// unquoted in policy statements, so nothing else is allowed.
Status ValidateName(std::string_view name, std::string_view what);

struct CompiledStatement {
  PolicyStatement::Subject subject = PolicyStatement::Subject::kGroup;
  std::set<std::string, std::less<>> subject_ids;  // resolved group / dynamic-group OCIDs
  Verb verb = Verb::kInspect;
  std::string resource;
  std::string target_compartment;  // resolved OCID; never empty once compiled
  std::optional<PolicyStatement::Condition> condition;
};

struct Snapshot {
  struct Compartment {
    std::string parent_id;
    std::string name;
  };
  std::string tenancy_id;
  std::string tenancy_name;
  std::map<std::string, Compartment, std::less<>> compartments;  // ACTIVE only
  // (parent id, lower-case name) -> id, ACTIVE only.
  std::map<std::pair<std::string, std::string>, std::string> children;
  std::map<std::string, std::string, std::less<>> group_ids;          // lower name -> id
  std::map<std::string, std::string, std::less<>> dynamic_group_ids;  // lower name -> id
  std::vector<std::pair<std::string, MatchingRule>> dynamic_groups;   // id, rule
  // ACTIVE users -> their ACTIVE groups.
  std::map<std::string, std::vector<std::string>, std::less<>> user_groups;
  // "<user>/<fingerprint>" -> key, for ACTIVE keys of ACTIVE users.
  std::map<std::string, PublicKey, std::less<>> keys;
  std::vector<CompiledStatement> statements;

  bool Exists(std::string_view compartment_id) const {
    return compartment_id == tenancy_id || compartments.count(compartment_id) != 0;
  }
  // `id` and its ancestors up to the tenancy; empty when `id` is unknown.
  std::vector<std::string> Ancestry(std::string_view id) const;
  bool InSubtree(std::string_view id, std::string_view root) const;
  // The compartment a statement of a policy attached to `attached` is about;
  // InvalidArgument (naming the statement) when it names none or one outside
  // the policy's subtree.
  Result<std::string> ResolveLocation(const std::string& attached,
                                      const PolicyStatement& statement) const;
  std::string NameOf(std::string_view compartment_id) const;
};

Result<std::shared_ptr<const Snapshot>> BuildSnapshot(store::Database& db);

}  // namespace ads::iam::internal

#endif  // ADS_IAM_IAM_INTERNAL_H_
