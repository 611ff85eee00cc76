#include "server/api.h"

#include <exception>
#include <utility>

#include "base/hash.h"
#include "base/logging.h"
#include "base/strings.h"

namespace ads::server {
namespace {

// The hint prefix that carries an explicit OCI status and code (OciError).
constexpr std::string_view kOciHint = "oci:";
// Body-less routes still read what a client sends (some sign an empty JSON
// body); anything bigger than this is not a body-less request.
constexpr uint64_t kMaxUnexpectedBody = 64 * 1024;
// Longest client-chosen opc-request-id we echo back.
constexpr size_t kMaxClientRequestId = 98;

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> segments = Split(path, '/');
  // "/a/b" splits into "", "a", "b"; a trailing slash adds another "".
  if (!segments.empty() && segments.front().empty()) segments.erase(segments.begin());
  return segments;
}

// SplitPath as views into `path`, for the per-request match: no allocation
// per segment. Same segments as SplitPath.
void SplitPathViews(std::string_view path, std::vector<std::string_view>& out) {
  out.clear();
  if (path.empty()) return;
  if (path.front() == '/') path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return;
    path.remove_prefix(slash + 1);
  }
}

bool IsRequestIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == '/' || c == '.';
}

std::string NewRequestId(Env& env, const http::Request& request) {
  std::string_view client = request.Header("opc-request-id");
  if (client.empty()) client = request.Header("opc-client-request-id");
  bool usable = !client.empty() && client.size() <= kMaxClientRequestId;
  for (char c : client) usable = usable && IsRequestIdChar(c);
  if (usable) return std::string(client);
  std::string bytes;
  for (int i = 0; i < 2; ++i) {
    const uint64_t r = env.RandomU64();
    bytes.append(reinterpret_cast<const char*>(&r), sizeof r);
  }
  return ToUpper(HexEncode(bytes));
}

bool SignsBody(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH";
}

}  // namespace

Status OciError(int http_status, std::string_view code, std::string message) {
  // The StatusCode is only a fallback for code paths that ignore the hint.
  const StatusCode fallback = http_status == 412 ? StatusCode::kFailedPrecondition
                              : http_status == 413 ? StatusCode::kOutOfRange
                              : http_status == 429 ? StatusCode::kUnavailable
                              : http_status >= 500 ? StatusCode::kInternal
                                                   : StatusCode::kInvalidArgument;
  return Status(fallback, std::move(message),
                std::string(kOciHint) + std::to_string(http_status) + " " + std::string(code));
}

OciErrorInfo MapStatus(const Status& status) {
  const std::string& hint = status.hint();
  if (hint.starts_with(kOciHint)) {
    const size_t space = hint.find(' ');
    if (space != std::string::npos) {
      try {
        return {std::stoi(hint.substr(kOciHint.size(), space - kOciHint.size())),
                hint.substr(space + 1)};
      } catch (const std::exception&) {
        // A malformed hint is a bug; fall through to the code's mapping.
      }
    }
  }
  switch (status.code()) {
    case StatusCode::kOk: return {200, ""};
    case StatusCode::kInvalidArgument: return {400, "InvalidParameter"};
    case StatusCode::kOutOfRange: return {400, "LimitExceeded"};
    case StatusCode::kUnauthenticated: return {401, "NotAuthenticated"};
    case StatusCode::kNotFound:
    case StatusCode::kPermissionDenied: return {404, "NotAuthorizedOrNotFound"};
    case StatusCode::kAlreadyExists: return {409, "Conflict"};
    case StatusCode::kFailedPrecondition: return {409, "IncorrectState"};
    case StatusCode::kUnimplemented: return {501, "NotImplemented"};
    case StatusCode::kUnavailable: return {503, "ServiceUnavailable"};
    default: return {500, "InternalServerError"};
  }
}

void WriteError(http::Response& response, const Status& status, std::string_view request_id) {
  const OciErrorInfo info = MapStatus(status);
  std::string message = status.message();
  if (info.http_status == 404 && !status.hint().starts_with(kOciHint)) {
    // A refused resource must read exactly like a missing one, so neither
    // message may say more than the other.
    message = "Authorization failed or requested resource not found.";
  }
  if (info.http_status >= 500 && info.http_status != 501 && info.http_status != 503) {
    LogError("request " + std::string(request_id) + ": " + status.ToString());
    message = "Internal error; see the server log for request " + std::string(request_id) + ".";
  }
  Json body = Json::object();
  body["code"] = info.code;
  body["message"] = message;
  response.body_source = nullptr;
  response.headers.erase("etag");
  // 416 keeps "content-range: bytes */<size>", which tells the client the size.
  if (info.http_status != 416) response.headers.erase("content-range");
  response.headers.erase("content-disposition");
  response.SetJson(info.http_status, body.dump());
  response.headers["opc-request-id"] = std::string(request_id);
}

const std::string& Call::Param(std::string_view name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

Status Call::Authorize(iam::Verb verb, std::string_view resource_type,
                       std::string_view compartment_id) const {
  if (access == nullptr) return OkStatus();
  if (compartment_id.empty() || !access->IsAllowed(principal, verb, resource_type, compartment_id)) {
    return PermissionDeniedError("Authorization failed or requested resource not found.");
  }
  return OkStatus();
}

Result<Json> Call::JsonBody() const {
  if (body.empty()) return InvalidArgumentError("the request body is empty; a JSON object is required");
  ADS_ASSIGN_OR_RETURN(Json doc, ParseJson(body, "request body"));
  if (!doc.is_object()) return InvalidArgumentError("the request body must be a JSON object");
  return doc;
}

void Call::ReplyJson(int status, const Json& json) { response.SetJson(status, json.dump()); }

std::string Call::IfMatch() const {
  std::string_view value = Trim(request.Header("if-match"));
  if (value == "*") return {};
  return std::string(value);
}

void Router::Add(std::string method, std::string pattern, RouteOptions options,
                 RouteHandler handler) {
  routes_.push_back(
      Route{std::move(method), SplitPath(pattern), options, std::move(handler)});
}

Status Router::Authenticate(Call& call, const RouteOptions& options) {
  if (access_ == nullptr) return OkStatus();
  const http::Request& req = call.request;
  iam::VerifyOptions verify_options;
  const bool body_route = options.body != BodyKind::kBinary;
  verify_options.require_body_signature = body_route && SignsBody(req.method);
  std::optional<std::string_view> body;
  if (body_route) body = call.body;
  const iam::KeyLookup lookup = [this](const iam::KeyId& key_id) {
    return access_->LookupKey(key_id);
  };
  iam::VerifyResult verified =
      iam::VerifyRequest(req.method, req.target, req.headers, body, lookup, env_.Now(), verify_options);
  if (!verified.ok()) {
    LogInfo("request " + call.request_id + " not authenticated: " +
            std::string(iam::VerifyOutcomeName(verified.outcome)) + ": " + verified.detail);
    return OciError(401, "NotAuthenticated",
                    "The required information to complete authentication was not provided or "
                    "was incorrect: " + verified.detail);
  }
  call.body_sha256_to_check = verified.body_sha256_to_check;
  ADS_ASSIGN_OR_RETURN(call.principal, access_->PrincipalFor(verified.key_id));
  return OkStatus();
}

void Router::Dispatch(http::Request& request, http::Response& response) {
  Call call{request, response, env_, access_, {}, {}, NewRequestId(env_, request), {}, {}};
  response.headers["opc-request-id"] = call.request_id;

  std::vector<std::string_view> segments;
  segments.reserve(8);
  SplitPathViews(request.path, segments);
  // Among the routes that take this path and method, the most specific wins:
  // compared segment by segment, a literal beats a "{param}" at the first
  // place they differ, whatever the order of Add() (so "/{deploymentId}/predict"
  // never takes a path that a literal route such as "/n/{namespaceName}" serves).
  auto is_param = [](const std::string& s) { return s.size() > 2 && s.front() == '{' && s.back() == '}'; };
  auto more_specific = [&](const Route& a, const Route& b) {
    for (size_t i = 0; i < a.segments.size(); ++i) {
      const bool pa = is_param(a.segments[i]), pb = is_param(b.segments[i]);
      if (pa != pb) return !pa;
    }
    return false;
  };
  const Route* match = nullptr;
  bool path_known = false;
  for (const Route& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    bool same = true;
    for (size_t i = 0; i < segments.size() && same; ++i) {
      const std::string& want = route.segments[i];
      same = is_param(want) ? !segments[i].empty() : want == segments[i];
    }
    if (!same) continue;
    path_known = true;
    if (route.method == request.method && (match == nullptr || more_specific(route, *match))) match = &route;
  }
  if (match == nullptr) {
    const Status error = path_known
        ? OciError(405, "MethodNotAllowed", "Method " + request.method + " is not allowed on " + request.path + ".")
        : OciError(404, "NotAuthorizedOrNotFound", "No route for " + request.method + " " + request.path + ".");
    WriteError(response, error, call.request_id);
    return;
  }

  Status status = [&]() -> Status {
    for (size_t i = 0; i < segments.size(); ++i) {
      const std::string& want = match->segments[i];
      if (want.front() != '{') continue;
      ADS_ASSIGN_OR_RETURN(std::string value, http::PercentDecode(segments[i]));
      call.params.insert_or_assign(want.substr(1, want.size() - 2), std::move(value));
    }
    const RouteOptions& options = match->options;
    if (options.body != BodyKind::kBinary) {
      const uint64_t limit =
          options.body == BodyKind::kJson ? options.max_json_body : kMaxUnexpectedBody;
      Result<std::string> body = request.body->ReadAll(limit);
      if (!body.ok()) {
        if (body.status().code() == StatusCode::kOutOfRange) {
          return OciError(413, "PayloadTooLarge",
                          "The request body is larger than " + std::to_string(limit) + " bytes.");
        }
        return InvalidArgumentError("could not read the request body: " + body.status().message());
      }
      call.body = std::move(*body);
    }
    if (options.authenticate) ADS_RETURN_IF_ERROR(Authenticate(call, options));
    try {
      return match->handler(call);
    } catch (const std::exception& e) {
      return InternalError(std::string("unexpected exception: ") + e.what());
    }
  }();
  if (!status.ok()) WriteError(response, status, call.request_id);
  response.headers["opc-request-id"] = call.request_id;
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& route : routes_) {
    out.push_back({route.method, "/" + Join(route.segments, "/"), route.options});
  }
  return out;
}

http::Handler Router::AsHandler() {
  return [this](http::Request& request, http::Response& response) { Dispatch(request, response); };
}

}  // namespace ads::server
