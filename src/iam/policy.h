// The OCI policy language subset ads understands, and dynamic-group matching
// rules. Parsing is separate from evaluation: a statement names groups and
// compartments, which IamService resolves against its tables when it compiles
// its policy cache (see iam_service.h).
//
//   ADS_ASSIGN_OR_RETURN(iam::PolicyStatement s, iam::ParsePolicyStatement(
//       "allow group DataScientists to manage data-science-family "
//       "in compartment Projects:Iris"));
//   bool covered = iam::ResourceCovers(s.resource, iam::kModels);   // true
//
//   ADS_ASSIGN_OR_RETURN(iam::MatchingRule rule, iam::ParseMatchingRule(
//       "ALL {resource.type='datasciencemodeldeployment', "
//       "resource.compartment.id='ocid1.compartment.oc1..aaa'}"));
//   bool member = rule.Matches({"datasciencemodeldeployment", "ocid1...", "ocid1.compartment..."});
//
// Grammar (keywords case-insensitive, as in OCI):
//   allow <subject> to <inspect|read|use|manage> <resource> in <location> [where <cond>]
//   subject   := group <name|ocid>[, <name|ocid>...] | dynamic-group <name|ocid>[, ...]
//              | any-user
//   location  := tenancy | compartment <name or A:B:C path> | compartment id <ocid>
//   cond      := target.compartment.name = '<name>' | target.compartment.id = '<ocid>'
//                (also !=)
// Other `where` variables (target.bucket.name, request.*) are refused at
// parse time: the access check does not see them, and a condition that is
// silently ignored would grant more than the author wrote.
//
// Thread-safety: free functions and immutable values.
#ifndef ADS_IAM_POLICY_H_
#define ADS_IAM_POLICY_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "iam/access.h"

namespace ads::iam {

// Resource types and families beyond those in access.h.
inline constexpr std::string_view kAllResources = "all-resources";
inline constexpr std::string_view kDataScienceFamily = "data-science-family";
inline constexpr std::string_view kObjectFamily = "object-family";
// IAM's own resources (covered only by their own name and all-resources).
inline constexpr std::string_view kCompartments = "compartments";
inline constexpr std::string_view kUsers = "users";
inline constexpr std::string_view kGroups = "groups";
inline constexpr std::string_view kPolicies = "policies";
inline constexpr std::string_view kDynamicGroups = "dynamic-groups";

// True when a grant on `granted` (a type, a family or all-resources) covers
// the concrete type `requested`.
bool ResourceCovers(std::string_view granted, std::string_view requested);
// True for every type or family name a statement may use.
bool IsKnownResource(std::string_view name);

struct PolicyStatement {
  enum class Subject { kGroup, kDynamicGroup, kAnyUser };
  enum class Location { kTenancy, kCompartmentPath, kCompartmentId };
  struct Condition {
    std::string variable;  // "target.compartment.name" or "target.compartment.id"
    bool negated = false;  // "!="
    std::string value;
  };

  std::string text;  // as written, trimmed
  Subject subject = Subject::kGroup;
  std::vector<std::string> subjects;  // group / dynamic-group names or OCIDs
  Verb verb = Verb::kInspect;
  std::string resource;  // lower-case
  Location location = Location::kTenancy;
  // kCompartmentPath: the path's names ("A:B:C" -> {A, B, C});
  // kCompartmentId: the one OCID.
  std::vector<std::string> compartment_path;
  std::optional<Condition> condition;
};

// InvalidArgument naming the statement and the offending token.
Result<PolicyStatement> ParsePolicyStatement(std::string_view text);

// What a dynamic group's rule is matched against.
struct ResourceFacts {
  std::string type;  // e.g. datasciencemodeldeployment
  std::string id;
  std::string compartment_id;
};

// A parsed matching rule: a single condition, or ALL {...} / ANY {...} of
// conditions and nested groups.
class MatchingRule {
 public:
  struct Node {
    enum class Kind { kAll, kAny, kCondition };
    Kind kind = Kind::kCondition;
    std::vector<Node> children;
    std::string variable;  // resource.type | resource.id | resource.compartment.id
    bool negated = false;
    std::string value;
  };

  bool Matches(const ResourceFacts& facts) const;
  const Node& root() const { return root_; }

 private:
  friend Result<MatchingRule> ParseMatchingRule(std::string_view text);
  Node root_;
};

// InvalidArgument naming the rule and the offending token.
Result<MatchingRule> ParseMatchingRule(std::string_view text);

}  // namespace ads::iam

#endif  // ADS_IAM_POLICY_H_
