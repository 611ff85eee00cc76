// IamService: the identity store (tenancy, compartments, users, groups,
// memberships, API keys, policies, dynamic groups) in SQLite, and the
// AccessControl the HTTP layer asks on every request.
//
//   ADS_ASSIGN_OR_RETURN(auto db, store::Database::Open(data_dir + "/ads.db"));
//   ADS_ASSIGN_OR_RETURN(auto iam, iam::IamService::Open(env, *db));
//   ADS_ASSIGN_OR_RETURN(Json group, iam->Create(iam::IamKind::kGroup,
//       {{"compartmentId", iam->tenancy_id()}, {"name", "DataScientists"},
//        {"description", "people who train models"}}));
//   if (iam->IsAllowed(principal, iam::Verb::kRead, iam::kModels, compartment_id)) ...
//
// Resources are read and written as OCI Identity API JSON (camelCase: id,
// compartmentId, name, description, lifecycleState, timeCreated,
// freeformTags, definedTags, and per kind email / statements /
// matchingRule). Deleting marks a resource DELETED (as OCI does); Get still
// returns it, List does not, and its name may be reused.
//
// Access checks read an in-memory snapshot of compartments, memberships,
// API keys, compiled policies and dynamic groups; every write through this
// class drops the snapshot and the next check rebuilds it. Writes to the
// iam_* tables from anywhere else are not seen until then, so nothing else
// should write them.
//
// Thread-safety: thread-safe. The service owns the use of `db` (one mutex
// around every statement): give it a connection no other thread uses.
#ifndef ADS_IAM_IAM_SERVICE_H_
#define ADS_IAM_IAM_SERVICE_H_

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "iam/access.h"
#include "iam/keys.h"
#include "iam/policy.h"
#include "iam/session_token.h"
#include "store/sqlite.h"

namespace ads::iam {

// The named IAM resources that share create/get/update/delete/list.
enum class IamKind { kCompartment, kUser, kGroup, kPolicy, kDynamicGroup };
// "compartment", "user", ... for messages.
std::string_view IamKindName(IamKind kind);

// OCI's limit on API keys per user.
inline constexpr int kMaxApiKeysPerUser = 3;

struct TenancyInfo {
  std::string id;
  std::string name;
  std::string home_region;     // e.g. us-ashburn-1
  std::string namespace_name;  // Object Storage namespace
  std::string time_created;    // RFC 3339
};

// A user created with a fresh key pair (bootstrap, tests).
struct UserCredentials {
  std::string user_id;
  std::string fingerprint;
  std::string key_id;  // "<tenancy>/<user>/<fingerprint>"
  PrivateKey key;
};

namespace internal {
struct Snapshot;
}  // namespace internal

class IamService : public AccessControl {
 public:
  // Applies the "iam" migrations to `db`, which must outlive the service.
  static Result<std::unique_ptr<IamService>> Open(Env& env, store::Database& db);
  ~IamService() override;
  IamService(const IamService&) = delete;
  IamService& operator=(const IamService&) = delete;

  // The tenancy; NotFound before CreateTenancy (see bootstrap.h).
  Result<TenancyInfo> Tenancy();
  // "" before the tenancy exists.
  std::string tenancy_id();
  // FailedPrecondition when a tenancy exists already: there is only one.
  Result<TenancyInfo> CreateTenancy(std::string_view name, std::string_view home_region,
                                    std::string_view namespace_name);

  // Named resources. `details` is the OCI Create<Kind>Details JSON:
  // compartmentId (the tenancy for users, groups and dynamic groups; the
  // parent for compartments; where a policy is attached), name, description,
  // freeformTags, definedTags, and email (users), statements (policies),
  // matchingRule (dynamic groups). InvalidArgument for bad fields, bad
  // statements or rules; AlreadyExists for a taken name.
  Result<Json> Create(IamKind kind, const Json& details);
  Result<Json> Get(IamKind kind, std::string_view id);
  // Changes description, tags, and name (compartments), email (users),
  // statements (policies), matchingRule (dynamic groups).
  Result<Json> Update(IamKind kind, std::string_view id, const Json& details);
  // FailedPrecondition for a compartment that still holds active
  // compartments or policies. Deleting a user deletes its keys and
  // memberships; deleting a group its memberships.
  Status Delete(IamKind kind, std::string_view id);
  // Active resources directly in `compartment_id`, oldest first.
  Result<Json> List(IamKind kind, std::string_view compartment_id);

  // UserGroupMembership JSON: id, compartmentId, userId, groupId,
  // timeCreated, lifecycleState.
  Result<Json> AddUserToGroup(std::string_view user_id, std::string_view group_id);
  Result<Json> GetMembership(std::string_view membership_id);
  Status RemoveMembership(std::string_view membership_id);
  // Either filter may be empty (not both).
  Result<Json> ListMemberships(std::string_view user_id, std::string_view group_id);

  // ApiKey JSON: keyId, keyValue, fingerprint, userId, timeCreated,
  // lifecycleState. Upload refuses a bad PEM (InvalidArgument), a key the
  // user has already (AlreadyExists) and a fourth key (OutOfRange).
  Result<Json> UploadApiKey(std::string_view user_id, std::string_view public_key_pem);
  Result<Json> ListApiKeys(std::string_view user_id);
  Status DeleteApiKey(std::string_view user_id, std::string_view fingerprint);

  // Creates user `name`, adds it to the named groups and uploads a fresh
  // RSA-2048 key for it.
  Result<UserCredentials> CreateUserWithKey(std::string_view name,
                                            const std::vector<std::string>& group_names);
  // The id of the active group called `name` (case-insensitive).
  Result<std::string> GroupIdByName(std::string_view name);

  // A resource principal for `facts`, with the dynamic groups it matches.
  Principal ResourcePrincipal(const ResourceFacts& facts);

  // Accepts resource-principal session tokens (ST$ key ids) verified by
  // `authority`, which must outlive the service; call before serving.
  // Without it (the default) ST$ key ids are unknown keys.
  void EnableSessionTokens(SessionTokenAuthority* authority) { tokens_ = authority; }

  // AccessControl. For an ST$ key id, LookupKey returns the session key of a
  // valid token issued for this tenancy, and PrincipalFor the resource
  // principal it names, with the dynamic groups whose rules it matches.
  std::optional<PublicKey> LookupKey(const KeyId& key_id) override;
  Result<Principal> PrincipalFor(const KeyId& key_id) override;
  bool IsAllowed(const Principal& who, Verb verb, std::string_view resource_type,
                 std::string_view compartment_id) override;
  bool CompartmentExists(std::string_view compartment_id) override;

 private:
  IamService(Env& env, store::Database& db) : env_(env), db_(db) {}

  // Everything below is called with mu_ held.
  Result<std::shared_ptr<const internal::Snapshot>> SnapshotLocked();
  Result<TenancyInfo> TenancyLocked();
  Result<Json> GetLocked(IamKind kind, std::string_view id);
  Status CheckCompartmentLocked(std::string_view compartment_id);
  Status ValidateKindFieldsLocked(IamKind kind, const std::string& compartment_id,
                                  const Json& details);
  Status ValidatePolicyLocked(const std::string& compartment_id, const Json& statements);
  Result<Json> AddUserToGroupLocked(std::string_view user_id, std::string_view group_id);
  Result<Json> UploadApiKeyLocked(std::string_view user_id, std::string_view public_key_pem);
  // The verified session token of an ST$ key id, issued for this tenancy.
  Result<VerifiedSessionToken> VerifyToken(const KeyId& key_id);
  void InvalidateLocked() {
    std::lock_guard<std::mutex> lock(snapshot_mu_);
    snapshot_.reset();
  }

  // The snapshot to evaluate against; null when it cannot be built (the
  // access checks then deny).
  std::shared_ptr<const internal::Snapshot> CurrentSnapshot();

  Env& env_;
  SessionTokenAuthority* tokens_ = nullptr;  // set before serving
  // Lock order: mu_, then snapshot_mu_. Access checks only take
  // snapshot_mu_ while a snapshot exists, so they never wait for a write's
  // fsync.
  std::mutex mu_;
  store::Database& db_;  // guarded by mu_
  std::mutex snapshot_mu_;
  std::shared_ptr<const internal::Snapshot> snapshot_;  // guarded by snapshot_mu_
};

}  // namespace ads::iam

#endif  // ADS_IAM_IAM_SERVICE_H_
