// The OCI Object Storage API subset on a server::Router: namespace, buckets,
// objects (streamed PUT, ranged GET, HEAD, DELETE, list) and multipart
// uploads, with the paths, headers and JSON shapes the OCI SDKs use
// (endpoint overridden so that paths start at /n/). Object names arrive as
// one percent-encoded path segment ('/' as %2F, as the SDKs send them).
//
//   server::Router router(env, &access);
//   AddObjectStorageRoutes(router, *object_store);
//
// Every route authenticates; buckets are authorised as iam::kBuckets and
// objects as iam::kObjects in the bucket's compartment. A missing bucket and
// a refused one give the same 404 NotAuthorizedOrNotFound.
//
// Thread-safety: the routes hold only a reference to the (thread-safe)
// ObjectStore, which must outlive the router.
#ifndef ADS_SERVER_OS_ROUTES_H_
#define ADS_SERVER_OS_ROUTES_H_

#include "objectstore/object_store.h"
#include "server/api.h"

namespace ads::server {

void AddObjectStorageRoutes(Router& router, objectstore::ObjectStore& store);

}  // namespace ads::server

#endif  // ADS_SERVER_OS_ROUTES_H_
