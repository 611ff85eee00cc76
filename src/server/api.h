// The frame every OCI-style route runs in: a Router that matches
// "/20190101/models/{modelId}/artifact"-style patterns, authenticates the
// request (OCI signature, iam::AccessControl), reads JSON bodies, stamps
// `opc-request-id`, and turns a handler's non-OK Status into an OCI error
// body ({"code": ..., "message": ...}) with the OCI status code.
//
//   router.Add("GET", "/20190101/models/{modelId}", RouteOptions{},
//              [&](Call& call) -> Status {
//                ADS_ASSIGN_OR_RETURN(Json model, catalog.GetModel(call.Param("modelId")));
//                ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kRead, iam::kModels,
//                                                   model["compartmentId"].get<std::string>()));
//                call.ReplyJson(200, model);
//                return OkStatus();
//              });
//
// Status -> OCI error: InvalidArgument 400 InvalidParameter, OutOfRange 400
// LimitExceeded, Unauthenticated 401 NotAuthenticated, NotFound and
// PermissionDenied 404 NotAuthorizedOrNotFound, AlreadyExists 409 Conflict,
// FailedPrecondition 409 IncorrectState, Unimplemented 501 NotImplemented,
// Unavailable 503 ServiceUnavailable, anything else 500
// InternalServerError. OciError() overrides both (412 NoEtagMatch, 413, 429).
//
// Thread-safety: Add() before serving; Dispatch() from any thread.
#ifndef ADS_SERVER_API_H_
#define ADS_SERVER_API_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "http/message.h"
#include "iam/access.h"

namespace ads::server {

// A Status that maps to exactly this OCI status and code.
Status OciError(int http_status, std::string_view code, std::string message);
// The HTTP status and OCI code a Status maps to.
struct OciErrorInfo {
  int http_status = 500;
  std::string code;
};
OciErrorInfo MapStatus(const Status& status);

enum class BodyKind {
  kNone,    // no body expected (GET, HEAD, DELETE, body-less POST actions)
  kJson,    // JSON: read whole (limit below) and hash-checked when signed
  kBinary,  // streamed by the handler (artifact/object uploads); the signed
            // x-content-sha256, if any, is in Call::body_sha256_to_check
};

struct RouteOptions {
  BodyKind body = BodyKind::kNone;
  bool authenticate = true;  // false: health, namespace-free public routes
  uint64_t max_json_body = 10 * 1024 * 1024;
};

struct Call;
using RouteHandler = std::function<Status(Call&)>;

// One request being served by a route.
struct Call {
  http::Request& request;
  http::Response& response;
  Env& env;
  iam::AccessControl* access = nullptr;
  std::map<std::string, std::string, std::less<>> params;  // percent-decoded path params
  iam::Principal principal;  // valid when the route authenticates
  std::string request_id;
  std::string body;  // kJson routes: the whole body
  std::string body_sha256_to_check;  // kBinary routes: base64 SHA-256 the body must have

  const std::string& Param(std::string_view name) const;
  // NotFound (-> 404 NotAuthorizedOrNotFound) unless the principal may.
  Status Authorize(iam::Verb verb, std::string_view resource_type,
                   std::string_view compartment_id) const;
  // The JSON body as an object; InvalidArgument naming the problem.
  Result<Json> JsonBody() const;
  // Sets status, content-type application/json and the body.
  void ReplyJson(int status, const Json& body);
  // The "if-match" header value, "" when absent or "*".
  std::string IfMatch() const;
};

class Router {
 public:
  Router(Env& env, iam::AccessControl* access) : env_(env), access_(access) {}

  // `pattern` segments are literal or "{name}" (one whole segment).
  void Add(std::string method, std::string pattern, RouteOptions options, RouteHandler handler);
  // Serves one request: match, authenticate, read body, run, map errors.
  // Unknown paths get 404 NotAuthorizedOrNotFound; a known path with another
  // method 405.
  void Dispatch(http::Request& request, http::Response& response);
  // The same as a Handler for http::Server.
  http::Handler AsHandler();

  // Every route added, in order (tests walk them all).
  struct RouteInfo {
    std::string method;
    std::string pattern;
    RouteOptions options;
  };
  std::vector<RouteInfo> Routes() const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    RouteOptions options;
    RouteHandler handler;
  };
  Status Authenticate(Call& call, const RouteOptions& options);

  Env& env_;
  iam::AccessControl* access_;
  std::vector<Route> routes_;
};

// Writes an OCI error body for `status` into `response` (with request id).
void WriteError(http::Response& response, const Status& status, std::string_view request_id);

}  // namespace ads::server

#endif  // ADS_SERVER_API_H_
