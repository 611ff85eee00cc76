// The OCI Data Science (20190101) model-catalog routes over catalog::Catalog:
// projects, models (+ artifact, provenance, activate/deactivate,
// changeCompartment, export/import of artifacts), model version sets and work
// requests. Each route authorises the caller against the compartment of the
// resource (a missing resource and a forbidden one both answer 404
// NotAuthorizedOrNotFound), sets `etag` on single-resource replies, honours
// `if-match` (412 NoEtagMatch) and `opc-retry-token`, and pages lists with
// `opc-next-page`. See docs/catalog.md for the decisions taken.
//
//   server::Router router(env, &access);
//   AddDataScienceRoutes(router, *catalog);
//
// Thread-safety: the routes are as thread-safe as the Catalog (which is).
#ifndef ADS_SERVER_DS_ROUTES_H_
#define ADS_SERVER_DS_ROUTES_H_

#include "catalog/catalog.h"
#include "server/api.h"

namespace ads::server {

void AddDataScienceRoutes(Router& router, catalog::Catalog& catalog);

}  // namespace ads::server

#endif  // ADS_SERVER_DS_ROUTES_H_
