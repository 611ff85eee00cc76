#include "client/client.h"

#include <algorithm>
#include <thread>

#include "base/version.h"
#include "http/message.h"
#include "iam/http_signature.h"

namespace ads::client {

namespace {

constexpr size_t kMaxErrorText = 300;
constexpr int kMaxPages = 100000;

bool Is2xx(int status) { return status >= 200 && status < 300; }

// "host[:port]" as Python's requests writes the Host header (no port for
// 80), brackets around IPv6 literals.
std::string HostHeader(const http::Url& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != 80) host += ":" + std::to_string(url.port);
  return host;
}

// The query of `target` without any `page` parameter.
std::string WithoutPage(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q));
  char sep = '?';
  for (const std::string& part : Split(target.substr(q + 1), '&')) {
    if (part.empty() || part == "page" || part.rfind("page=", 0) == 0) continue;
    out.push_back(sep);
    out.append(part);
    sep = '&';
  }
  return out;
}

}  // namespace

std::string_view Response::Header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

Result<Json> Response::ParseJson() const { return ads::ParseJson(body, "the response body"); }

bool IsRetryable(int status, std::string_view oci_code) {
  switch (status) {
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    case 409:
      return oci_code == "IncorrectState";
    case 429:
      return oci_code == "TooManyRequests";
    default:
      return false;
  }
}

namespace {

// The OCI error code and message of an error body, when it is one.
void ParseErrorBody(std::string_view body, std::string* code, std::string* message) {
  Result<Json> json = ads::ParseJson(body, "error body");
  if (json.ok() && json->is_object()) {
    *code = StringMemberOr(*json, "code");
    *message = StringMemberOr(*json, "message");
  }
}

StatusCode CodeFor(int status, std::string_view oci_code) {
  switch (status) {
    case 400:
      return oci_code == "LimitExceeded" ? StatusCode::kOutOfRange : StatusCode::kInvalidArgument;
    case 401: return StatusCode::kUnauthenticated;
    case 403: return StatusCode::kPermissionDenied;
    case 404: return StatusCode::kNotFound;
    case 409:
      return oci_code == "IncorrectState" ? StatusCode::kFailedPrecondition
                                          : StatusCode::kAlreadyExists;
    case 412: return StatusCode::kFailedPrecondition;
    case 413: return StatusCode::kOutOfRange;
    case 429:
    case 502:
    case 503:
    case 504:
      return StatusCode::kUnavailable;
    case 501: return StatusCode::kUnimplemented;
    default: return StatusCode::kInternal;
  }
}

}  // namespace

Status ErrorFromResponse(int status, const HeaderMap& headers, std::string_view body) {
  std::string code;
  std::string message;
  ParseErrorBody(body, &code, &message);
  if (code.empty()) code = std::string(http::ReasonPhrase(status));
  if (message.empty()) {
    message = std::string(Trim(body.substr(0, kMaxErrorText)));
    if (message.empty()) message = "no error message";
  }
  std::string text = code + " (" + std::to_string(status) + "): " + message;
  auto id = headers.find("opc-request-id");
  if (id != headers.end()) text += " [opc-request-id " + id->second + "]";
  return Status(CodeFor(status, code), text);
}

Result<std::unique_ptr<Client>> Client::FromConfig(const ClientOptions& options) {
  Env& env = options.env != nullptr ? *options.env : *Env::Default();
  ADS_ASSIGN_OR_RETURN(iam::OciConfig config,
                       iam::LoadOciConfig(env, options.config_path, options.profile));
  ADS_ASSIGN_OR_RETURN(iam::PrivateKey key, iam::LoadPrivateKey(env, config));
  return Create(config, std::move(key), options);
}

Result<std::unique_ptr<Client>> Client::Create(const iam::OciConfig& config, iam::PrivateKey key,
                                               const ClientOptions& options) {
  Env& env = options.env != nullptr ? *options.env : *Env::Default();
  const std::string endpoint = !options.endpoint.empty() ? options.endpoint : config.endpoint;
  if (endpoint.empty()) {
    return FailedPreconditionError("profile " + Quoted(config.profile) + " in " +
                                   Quoted(config.path) +
                                   " names no endpoint: add `endpoint = http://host:port` "
                                   "to it or pass an endpoint");
  }
  ADS_ASSIGN_OR_RETURN(http::Url url, http::ParseUrl(endpoint));
  if (url.target.find('?') != std::string::npos) {
    return InvalidArgumentError("the endpoint " + Quoted(endpoint) + " has a query");
  }
  std::string key_id = config.KeyId();
  if (!config.security_token_file.empty()) {
    ADS_ASSIGN_OR_RETURN(std::string token, env.ReadFile(config.security_token_file));
    key_id = "ST$" + std::string(Trim(token));
  }
  return std::unique_ptr<Client>(
      new Client(endpoint, std::move(url), std::move(key_id), std::move(key), options));
}

Client::Client(std::string endpoint, http::Url url, std::string key_id, iam::PrivateKey key,
               const ClientOptions& options)
    : endpoint_(std::move(endpoint)),
      url_(std::move(url)),
      prefix_(url_.target == "/" ? "" : url_.target.substr(0, url_.target.find_last_not_of('/') + 1)),
      host_header_(HostHeader(url_)),
      key_id_(std::move(key_id)),
      key_(std::move(key)),
      options_(options),
      env_(options.env != nullptr ? *options.env : *Env::Default()),
      http_(http::ClientOptions{.host = url_.host,
                                .port = url_.port,
                                .connect_timeout = options.connect_timeout,
                                .read_timeout = options.read_timeout}) {
  options_.max_attempts = std::max(1, options_.max_attempts);
}

Result<Response> Client::Call(std::string_view method, std::string_view path_and_query,
                              const std::optional<Json>& body, const HeaderMap& headers) {
  if (body) {
    const std::string text = DumpPythonJson(*body);
    return Execute(method, path_and_query, headers, &text, nullptr, 0, false, nullptr);
  }
  return Execute(method, path_and_query, headers, nullptr, nullptr, 0, false, nullptr);
}

Result<Response> Client::Upload(std::string_view method, std::string_view path_and_query,
                                const BodySourceFactory& body, uint64_t length,
                                const HeaderMap& headers) {
  return Execute(method, path_and_query, headers, nullptr, &body, length, false, nullptr);
}

Result<Response> Client::Upload(std::string_view method, std::string_view path_and_query,
                                http::BodySource body, uint64_t length,
                                const HeaderMap& headers) {
  bool used = false;
  const BodySourceFactory once = [&]() -> Result<http::BodySource> {
    if (used) return FailedPreconditionError("a single-use upload body cannot be sent again");
    used = true;
    return body;
  };
  return Execute(method, path_and_query, headers, nullptr, &once, length, true, nullptr);
}

Result<Response> Client::Download(std::string_view path_and_query, const http::BodySink& sink,
                                  const HeaderMap& headers) {
  return Execute("GET", path_and_query, headers, nullptr, nullptr, 0, false, &sink);
}

Result<Json> Client::ListAll(std::string_view path_and_query, const HeaderMap& headers) {
  const std::string base = WithoutPage(path_and_query);
  const char sep = base.find('?') == std::string::npos ? '?' : '&';
  Json all = Json::array();
  std::string page;
  for (int pages = 0; pages < kMaxPages; ++pages) {
    const std::string target = page.empty() ? base : base + sep + "page=" + http::PercentEncode(page);
    ADS_ASSIGN_OR_RETURN(Response r, Call("GET", target, std::nullopt, headers));
    ADS_ASSIGN_OR_RETURN(Json json, r.ParseJson());
    const Json* items = json.is_array() ? &json : FindMember(json, "items");
    if (items == nullptr || !items->is_array()) {
      return InvalidArgumentError("the list response of " + Quoted(target) +
                                  " is neither an array nor an object with items");
    }
    for (const Json& item : *items) all.push_back(item);
    const std::string next(r.Header("opc-next-page"));
    if (next.empty()) return all;
    if (next == page) {
      return InternalError("the server returned the same opc-next-page twice for " + Quoted(base));
    }
    page = next;
  }
  return OutOfRangeError("more than " + std::to_string(kMaxPages) + " pages for " + Quoted(base));
}

std::chrono::milliseconds Client::Backoff(int attempt, const http::ClientResponse* last) {
  using std::chrono::milliseconds;
  const int64_t max_ms = options_.max_backoff.count();
  int64_t base = options_.initial_backoff.count();
  for (int i = 1; i < attempt && base < max_ms; ++i) base *= 2;
  base = std::min(base, max_ms);
  // Half fixed, half random: spreads clients that failed together.
  const int64_t half = base / 2;
  int64_t wait = half + (half > 0 ? static_cast<int64_t>(env_.RandomU64() % (half + 1)) : 0);
  if (last != nullptr) {
    const std::string_view after = last->Header("retry-after");
    if (!after.empty() && after.size() < 6 &&
        std::all_of(after.begin(), after.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      wait = std::max<int64_t>(wait, std::stoll(std::string(after)) * 1000);
    }
  }
  return milliseconds(std::min(wait, max_ms));
}

Result<Response> Client::Execute(std::string_view method, std::string_view path_and_query,
                                 const HeaderMap& headers, const std::string* json_body,
                                 const BodySourceFactory* upload, uint64_t upload_length,
                                 bool single_source, const http::BodySink* sink) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string target = prefix_ + std::string(path_and_query);
  const std::string what = std::string(method) + " " + target;
  for (int attempt = 1;; ++attempt) {
    HeaderMap request_headers = headers;
    request_headers["host"] = host_header_;
    request_headers.try_emplace("accept", "application/json");
    request_headers.try_emplace("user-agent", "ads-cpp-sdk/" + std::string(kAdsVersion));
    if (json_body != nullptr) request_headers.try_emplace("content-type", "application/json");
    iam::SigningOptions signing = iam::SigningOptions::PythonSdk();
    signing.binary_body = upload != nullptr;
    signing.now = env_.Now();
    // The signer fills the date itself; a stale one from the caller must
    // not be replayed on a retry.
    request_headers.erase("date");
    ADS_ASSIGN_OR_RETURN(HeaderMap added,
                         iam::SignRequest(method, target, request_headers,
                                          json_body != nullptr ? *json_body : "", key_id_, key_,
                                          signing));
    for (auto& [name, value] : added) request_headers[name] = std::move(value);

    http::ClientRequest request;
    request.method = std::string(method);
    request.target = target;
    request.headers = std::move(request_headers);
    if (json_body != nullptr) request.body = *json_body;
    if (upload != nullptr) {
      ADS_ASSIGN_OR_RETURN(request.body_source, (*upload)());
      request.body_length = upload_length;
    }
    uint64_t delivered = 0;
    if (sink != nullptr) {
      request.sink = [&](std::string_view chunk) {
        delivered += chunk.size();
        return (*sink)(chunk);
      };
    }

    Result<http::ClientResponse> sent = http_.Send(request);
    const bool last_attempt = attempt >= options_.max_attempts || single_source;
    if (!sent.ok()) {
      const StatusCode code = sent.status().code();
      const bool transport = code == StatusCode::kUnavailable || code == StatusCode::kIoError;
      if (!transport || delivered > 0 || last_attempt) {
        return sent.status().WithContext(what);
      }
    } else if (Is2xx(sent->status)) {
      Response out;
      out.status = sent->status;
      out.headers = std::move(sent->headers);
      out.body = std::move(sent->body);
      return out;
    } else {
      std::string oci_code;
      std::string message;
      ParseErrorBody(sent->body, &oci_code, &message);
      if (!IsRetryable(sent->status, oci_code) || last_attempt) {
        return ErrorFromResponse(sent->status, sent->headers, sent->body);
      }
    }
    const std::chrono::milliseconds wait = Backoff(attempt, sent.ok() ? &*sent : nullptr);
    if (options_.sleep) {
      options_.sleep(wait);
    } else {
      std::this_thread::sleep_for(wait);
    }
  }
}

}  // namespace ads::client
