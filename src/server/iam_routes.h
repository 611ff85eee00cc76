// The OCI Identity API (20160918) subset on a server::Router: compartments,
// users, groups, user-group memberships, users' API keys, policies, dynamic
// groups and the tenancy, with the paths and JSON shapes the OCI SDKs use.
//
//   server::Router router(env, iam.get());
//   AddIamRoutes(router, *iam);
//
// Authorisation: writes need `manage` and reads `inspect` on the IAM
// resource type (compartments, users, groups, policies, dynamic-groups) in
// the compartment the resource lives in: the tenancy for users, groups,
// memberships and dynamic groups, the parent for compartments, the attached
// compartment for policies. Policies grant these through the type's own name
// or all-resources. As in OCI, users may list, upload and delete their own
// API keys without any policy. A missing resource and a refused one give the
// same 404 NotAuthorizedOrNotFound.
//
// Thread-safety: the routes hold only a reference to the (thread-safe)
// IamService, which must outlive the router.
#ifndef ADS_SERVER_IAM_ROUTES_H_
#define ADS_SERVER_IAM_ROUTES_H_

#include "iam/iam_service.h"
#include "server/api.h"

namespace ads::server {

void AddIamRoutes(Router& router, iam::IamService& iam);

}  // namespace ads::server

#endif  // ADS_SERVER_IAM_ROUTES_H_
