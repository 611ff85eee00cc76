// Identity routes: thin adapters from HTTP to IamService. The five named
// kinds share one set of handlers; memberships, API keys and the tenancy
// have their own.
#include "server/iam_routes.h"

#include <optional>

#include "base/strings.h"

namespace ads::server {
namespace {

constexpr char kPrefix[] = "/20160918";

struct NamedRoute {
  iam::IamKind kind;
  const char* collection;  // "/compartments"
  const char* param;       // "compartmentId"
  std::string_view resource_type;
};

Result<std::string> RequiredQuery(const Call& call, std::string_view name) {
  std::optional<std::string> value = call.request.QueryParam(name);
  if (!value || value->empty()) {
    return InvalidArgumentError("the query parameter " + std::string(name) + " is required");
  }
  return *value;
}

// The resource, after checking that the caller may `verb` it.
Result<Json> GetAuthorized(Call& call, iam::IamService& iam, const NamedRoute& r, iam::Verb verb) {
  ADS_ASSIGN_OR_RETURN(Json resource, iam.Get(r.kind, call.Param(r.param)));
  ADS_RETURN_IF_ERROR(
      call.Authorize(verb, r.resource_type, StringMemberOr(resource, "compartmentId")));
  return resource;
}

void AddNamed(Router& router, iam::IamService& iam, const NamedRoute& r) {
  const std::string collection = std::string(kPrefix) + r.collection;
  const std::string item = collection + "/{" + r.param + "}";
  RouteOptions json_body;
  json_body.body = BodyKind::kJson;

  router.Add("POST", collection, json_body, [&iam, r](Call& call) -> Status {
    ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
    ADS_ASSIGN_OR_RETURN(std::string compartment_id,
                         GetString(details, "compartmentId", "request body"));
    ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kManage, r.resource_type, compartment_id));
    ADS_ASSIGN_OR_RETURN(Json created, iam.Create(r.kind, details));
    call.ReplyJson(200, created);
    return OkStatus();
  });
  router.Add("GET", collection, RouteOptions{}, [&iam, r](Call& call) -> Status {
    ADS_ASSIGN_OR_RETURN(std::string compartment_id, RequiredQuery(call, "compartmentId"));
    ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kInspect, r.resource_type, compartment_id));
    ADS_ASSIGN_OR_RETURN(Json items, iam.List(r.kind, compartment_id));
    call.ReplyJson(200, items);
    return OkStatus();
  });
  router.Add("GET", item, RouteOptions{}, [&iam, r](Call& call) -> Status {
    ADS_ASSIGN_OR_RETURN(Json resource, GetAuthorized(call, iam, r, iam::Verb::kInspect));
    call.ReplyJson(200, resource);
    return OkStatus();
  });
  router.Add("PUT", item, json_body, [&iam, r](Call& call) -> Status {
    ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
    ADS_RETURN_IF_ERROR(GetAuthorized(call, iam, r, iam::Verb::kManage).status());
    ADS_ASSIGN_OR_RETURN(Json updated, iam.Update(r.kind, call.Param(r.param), details));
    call.ReplyJson(200, updated);
    return OkStatus();
  });
  router.Add("DELETE", item, RouteOptions{}, [&iam, r](Call& call) -> Status {
    ADS_RETURN_IF_ERROR(GetAuthorized(call, iam, r, iam::Verb::kManage).status());
    ADS_RETURN_IF_ERROR(iam.Delete(r.kind, call.Param(r.param)));
    call.response.status = 204;
    return OkStatus();
  });
}

void AddMemberships(Router& router, iam::IamService& iam) {
  const std::string collection = std::string(kPrefix) + "/userGroupMemberships";
  const std::string item = collection + "/{userGroupMembershipId}";
  RouteOptions json_body;
  json_body.body = BodyKind::kJson;
  router.Add("POST", collection, json_body, [&iam](Call& call) -> Status {
    ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
    ADS_ASSIGN_OR_RETURN(std::string user_id, GetString(details, "userId", "request body"));
    ADS_ASSIGN_OR_RETURN(std::string group_id, GetString(details, "groupId", "request body"));
    ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kManage, iam::kGroups, iam.tenancy_id()));
    ADS_ASSIGN_OR_RETURN(Json membership, iam.AddUserToGroup(user_id, group_id));
    call.ReplyJson(200, membership);
    return OkStatus();
  });
  router.Add("GET", collection, RouteOptions{}, [&iam](Call& call) -> Status {
    ADS_ASSIGN_OR_RETURN(std::string compartment_id, RequiredQuery(call, "compartmentId"));
    // Memberships live in the tenancy: a grant on groups in some compartment
    // must not reveal them.
    if (compartment_id != iam.tenancy_id()) {
      return InvalidArgumentError("compartmentId must be the tenancy's OCID for memberships");
    }
    ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kInspect, iam::kGroups, compartment_id));
    const std::string user_id = call.request.QueryParam("userId").value_or("");
    const std::string group_id = call.request.QueryParam("groupId").value_or("");
    ADS_ASSIGN_OR_RETURN(Json items, iam.ListMemberships(user_id, group_id));
    call.ReplyJson(200, items);
    return OkStatus();
  });
  router.Add("GET", item, RouteOptions{}, [&iam](Call& call) -> Status {
    ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kInspect, iam::kGroups, iam.tenancy_id()));
    ADS_ASSIGN_OR_RETURN(Json membership, iam.GetMembership(call.Param("userGroupMembershipId")));
    call.ReplyJson(200, membership);
    return OkStatus();
  });
  router.Add("DELETE", item, RouteOptions{}, [&iam](Call& call) -> Status {
    ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kManage, iam::kGroups, iam.tenancy_id()));
    ADS_RETURN_IF_ERROR(iam.RemoveMembership(call.Param("userGroupMembershipId")));
    call.response.status = 204;
    return OkStatus();
  });
}

// Users manage their own API keys; anyone else needs the verb on users.
Status AuthorizeKeys(const Call& call, iam::IamService& iam, iam::Verb verb) {
  if (call.principal.kind == iam::Principal::Kind::kUser &&
      call.principal.id == call.Param("userId")) {
    return OkStatus();
  }
  return call.Authorize(verb, iam::kUsers, iam.tenancy_id());
}

void AddApiKeys(Router& router, iam::IamService& iam) {
  const std::string collection = std::string(kPrefix) + "/users/{userId}/apiKeys";
  RouteOptions json_body;
  json_body.body = BodyKind::kJson;
  router.Add("POST", collection, json_body, [&iam](Call& call) -> Status {
    ADS_ASSIGN_OR_RETURN(Json details, call.JsonBody());
    ADS_ASSIGN_OR_RETURN(std::string pem, GetString(details, "key", "request body"));
    ADS_RETURN_IF_ERROR(AuthorizeKeys(call, iam, iam::Verb::kManage));
    ADS_ASSIGN_OR_RETURN(Json key, iam.UploadApiKey(call.Param("userId"), pem));
    call.ReplyJson(200, key);
    return OkStatus();
  });
  router.Add("GET", collection, RouteOptions{}, [&iam](Call& call) -> Status {
    ADS_RETURN_IF_ERROR(AuthorizeKeys(call, iam, iam::Verb::kInspect));
    ADS_ASSIGN_OR_RETURN(Json keys, iam.ListApiKeys(call.Param("userId")));
    call.ReplyJson(200, keys);
    return OkStatus();
  });
  router.Add("DELETE", collection + "/{fingerprint}", RouteOptions{}, [&iam](Call& call) -> Status {
    ADS_RETURN_IF_ERROR(AuthorizeKeys(call, iam, iam::Verb::kManage));
    ADS_RETURN_IF_ERROR(iam.DeleteApiKey(call.Param("userId"), call.Param("fingerprint")));
    call.response.status = 204;
    return OkStatus();
  });
}

// GET /tenancies/{id}: any principal of the tenancy may read it (the SDKs
// ask for it to find the home region).
void AddTenancy(Router& router, iam::IamService& iam) {
  router.Add("GET", std::string(kPrefix) + "/tenancies/{tenancyId}", RouteOptions{},
             [&iam](Call& call) -> Status {
               ADS_ASSIGN_OR_RETURN(iam::TenancyInfo t, iam.Tenancy());
               if (call.Param("tenancyId") != t.id ||
                   (call.access != nullptr && call.principal.tenancy_id != t.id)) {
                 return NotFoundError("Authorization failed or requested resource not found.");
               }
               Json body = Json::object();
               body["id"] = t.id;
               body["name"] = t.name;
               body["description"] = t.name;
               body["homeRegionKey"] = nullptr;
               body["upiIdcsCompatibilityLayerEndpoint"] = nullptr;
               body["freeformTags"] = Json::object();
               body["definedTags"] = Json::object();
               call.ReplyJson(200, body);
               return OkStatus();
             });
}

}  // namespace

void AddIamRoutes(Router& router, iam::IamService& iam) {
  static constexpr NamedRoute kNamed[] = {
      {iam::IamKind::kCompartment, "/compartments", "compartmentId", iam::kCompartments},
      {iam::IamKind::kUser, "/users", "userId", iam::kUsers},
      {iam::IamKind::kGroup, "/groups", "groupId", iam::kGroups},
      {iam::IamKind::kPolicy, "/policies", "policyId", iam::kPolicies},
      {iam::IamKind::kDynamicGroup, "/dynamicGroups", "dynamicGroupId", iam::kDynamicGroups},
  };
  for (const NamedRoute& r : kNamed) AddNamed(router, iam, r);
  AddMemberships(router, iam);
  AddApiKeys(router, iam);
  AddTenancy(router, iam);
}

}  // namespace ads::server
