// The narrow view of IAM that the HTTP layer needs on every request: who is
// calling (from a verified signature's keyId) and whether policies let them
// do something to a kind of resource in a compartment.
//
//   std::optional<PublicKey> key = access.LookupKey(key_id);    // for VerifyRequest
//   ADS_ASSIGN_OR_RETURN(Principal who, access.PrincipalFor(key_id));
//   if (!access.IsAllowed(who, Verb::kManage, "data-science-models", compartment)) ...
//
// Thread-safety: implementations are thread-safe.
#ifndef ADS_IAM_ACCESS_H_
#define ADS_IAM_ACCESS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "iam/http_signature.h"
#include "iam/keys.h"

namespace ads::iam {

// OCI policy verbs, weakest first; a stronger verb includes the weaker ones.
enum class Verb { kInspect = 0, kRead = 1, kUse = 2, kManage = 3 };
std::string_view VerbName(Verb verb);

// Resource types as policies name them.
inline constexpr std::string_view kProjects = "data-science-projects";
inline constexpr std::string_view kModels = "data-science-models";
inline constexpr std::string_view kModelVersionSets = "data-science-model-version-sets";
inline constexpr std::string_view kModelDeployments = "data-science-model-deployments";
inline constexpr std::string_view kWorkRequests = "data-science-work-requests";
inline constexpr std::string_view kBuckets = "buckets";
inline constexpr std::string_view kObjects = "objects";
// Families ("data-science-family", "object-family") and "all-resources" are
// expanded by the policy evaluator; routes always ask for a concrete type.

// Who made a request.
struct Principal {
  enum class Kind { kUser, kResource };
  Kind kind = Kind::kUser;
  std::string tenancy_id;
  // The user's OCID, or for a resource principal the resource's OCID (for
  // example a model deployment's).
  std::string id;
  // Users: the OCIDs of their groups. Resources: the dynamic groups whose
  // matching rules they satisfy.
  std::vector<std::string> group_ids;
  // Resource principals only: the resource's type and compartment.
  std::string resource_type;
  std::string compartment_id;
};

class AccessControl {
 public:
  virtual ~AccessControl() = default;
  // The public key a request signed with `key_id` must verify against;
  // nullopt when the key (or session token) is unknown, revoked, expired or
  // its user is not active.
  virtual std::optional<PublicKey> LookupKey(const KeyId& key_id) = 0;
  // The principal behind a key id that LookupKey() accepted.
  virtual Result<Principal> PrincipalFor(const KeyId& key_id) = 0;
  // Whether some policy lets `who` use `verb` on `resource_type` in
  // `compartment_id` (policies attached to a compartment also cover its
  // descendants; "in tenancy" covers everything). False for a compartment
  // that does not exist.
  virtual bool IsAllowed(const Principal& who, Verb verb, std::string_view resource_type,
                         std::string_view compartment_id) = 0;
  // True when `compartment_id` is the tenancy or an ACTIVE compartment in it.
  virtual bool CompartmentExists(std::string_view compartment_id) = 0;
};

}  // namespace ads::iam

#endif  // ADS_IAM_ACCESS_H_
