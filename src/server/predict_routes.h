// The data plane: the routes a deployed model is called through.
//
//   POST /{deploymentId}/predict                 ADS / OCI predict (signed)
//   GET  /v2/health/live, /v2/health/ready       KServe v2 health (open)
//   GET  /v2                                     KServe v2 server metadata (open)
//   GET  /v2/models/{name}[/versions/{v}]        model metadata        (signed)
//   GET  /v2/models/{name}[/versions/{v}]/ready  model readiness       (signed)
//   POST /v2/models/{name}[/versions/{v}]/infer  inference, JSON tensors and
//                                                the binary tensor extension (signed)
//   GET  /metrics                                Prometheus text format (open)
//
// See docs/predict.md for the status codes, limits and the KServe mapping.
//
//   server::AddPredictRoutes(router, app.endpoints(), {});
//
// Register these after the OCI routes; the Router prefers literal segments
// anyway, so /{deploymentId}/predict never shadows /n/..., /20190101/...
//
// Thread-safety: the routes may run from any number of connection threads;
// per-deployment state (bandwidth bucket, metrics) is lock-free on the hot
// path.
#ifndef ADS_SERVER_PREDICT_ROUTES_H_
#define ADS_SERVER_PREDICT_ROUTES_H_

#include <cstdint>

#include "server/api.h"
#include "serving/endpoint.h"

namespace ads::server {

struct PredictRouteOptions {
  // Request bodies above this get 413 (JSON and binary alike).
  uint64_t max_payload = 10 * 1024 * 1024;
  // The /v2/models/... routes require an OCI signature like predict. Off
  // (open KServe, as a bare Triton server is) only for a server whose
  // network is trusted; the authorisation check is then skipped too.
  bool kserve_signed = true;
  // Bandwidth bucket depth: a deployment may send this much ahead of its
  // rate (bandwidthMbps) before 429s start.
  double bandwidth_burst_seconds = 1.0;
};

void AddPredictRoutes(Router& router, serving::EndpointDirectory& endpoints,
                      const PredictRouteOptions& options);

}  // namespace ads::server

#endif  // ADS_SERVER_PREDICT_ROUTES_H_
