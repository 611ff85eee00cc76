// The core of the C++ SDK: requests to an ads server (or anything speaking
// the OCI API), signed with the API key of an OCI config profile exactly as
// oci-python-sdk signs them, retried as the OCI SDKs retry, with OCI errors
// turned into a Status.
//
//   ADS_ASSIGN_OR_RETURN(std::unique_ptr<client::Client> c,
//                        client::Client::FromConfig({.profile = "DEFAULT"}));
//   ADS_ASSIGN_OR_RETURN(client::Response r,
//       c->Call("POST", "/20190101/projects", Json{{"compartmentId", id}},
//               {{"opc-retry-token", token}}));
//   ADS_ASSIGN_OR_RETURN(Json project, r.ParseJson());
//
// Errors: a non-2xx answer becomes a Status whose message is
// "<OCI code> (<status>): <message> [opc-request-id <id>]" and whose code
// follows the HTTP status (404 NotFound, 401 Unauthenticated, 409 Conflict
// AlreadyExists, 409 IncorrectState FailedPrecondition, 429/503 Unavailable...).
//
// Retries (as the OCI SDKs' default strategy): 500, 502, 503, 504, 409 with
// code IncorrectState, 429 with code TooManyRequests, and failures to reach
// the server; exponential back-off with jitter, honouring Retry-After, up to
// max_attempts. The same headers (so the same opc-retry-token) go out on
// every attempt. Bodies from a single BodySource and downloads that already
// delivered bytes are not retried.
//
// Thread-safety: all methods may be called from any thread; requests are
// serialised over one keep-alive connection (use several Clients for
// parallel transfers).
#ifndef ADS_CLIENT_CLIENT_H_
#define ADS_CLIENT_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "http/client.h"
#include "iam/keys.h"
#include "iam/oci_config.h"

namespace ads::client {

struct ClientOptions {
  std::string config_path;  // empty: $OCI_CONFIG_FILE, ~/.ads/config, ~/.oci/config
  std::string profile;      // empty: $OCI_CONFIG_PROFILE, else DEFAULT
  std::string endpoint;     // empty: the profile's `endpoint` key
  Env* env = nullptr;       // null: Env::Default()
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{30000};
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds read_timeout{120000};
  // How back-off waits; tests replace it. Null: sleep.
  std::function<void(std::chrono::milliseconds)> sleep;
};

struct Response {
  int status = 0;
  HeaderMap headers;
  std::string body;  // empty for downloads (the sink had it)

  std::string_view Header(std::string_view name) const;
  std::string_view request_id() const { return Header("opc-request-id"); }
  Result<Json> ParseJson() const;
};

// Produces a fresh body for each attempt of an upload (e.g. reopens a file),
// so that an upload can be retried.
using BodySourceFactory = std::function<Result<http::BodySource>()>;

class Client {
 public:
  // Reads the config profile and its key; the endpoint must be known (from
  // the options or the profile's `endpoint` key).
  static Result<std::unique_ptr<Client>> FromConfig(const ClientOptions& options = {});
  // From an already loaded profile and key; `options.endpoint` overrides
  // config.endpoint.
  static Result<std::unique_ptr<Client>> Create(const iam::OciConfig& config, iam::PrivateKey key,
                                                const ClientOptions& options = {});

  // A JSON request (body signed, content-type application/json). The
  // returned Response is a 2xx one; any other status is the error Status.
  Result<Response> Call(std::string_view method, std::string_view path_and_query,
                        const std::optional<Json>& body = std::nullopt,
                        const HeaderMap& headers = {});

  // A binary upload (artifact, object, upload part): `length` bytes, signed
  // over the generic headers only, as the OCI SDKs sign binary bodies.
  // Set content-type etc. in `headers`. The factory form is retried.
  Result<Response> Upload(std::string_view method, std::string_view path_and_query,
                          const BodySourceFactory& body, uint64_t length,
                          const HeaderMap& headers = {});
  Result<Response> Upload(std::string_view method, std::string_view path_and_query,
                          http::BodySource body, uint64_t length, const HeaderMap& headers = {});

  // A GET whose 2xx body goes to `sink` chunk by chunk.
  Result<Response> Download(std::string_view path_and_query, const http::BodySink& sink,
                            const HeaderMap& headers = {});

  // GETs a list and follows opc-next-page (adding or replacing the `page`
  // query parameter); returns every item of every page as one JSON array.
  // Pages are bare JSON arrays, or objects with an "items" array.
  Result<Json> ListAll(std::string_view path_and_query, const HeaderMap& headers = {});

  const std::string& endpoint() const { return endpoint_; }
  const std::string& key_id() const { return key_id_; }

 private:
  Client(std::string endpoint, http::Url url, std::string key_id, iam::PrivateKey key,
         const ClientOptions& options);

  struct Attempt;
  // Signs and sends one request with retries.
  Result<Response> Execute(std::string_view method, std::string_view path_and_query,
                           const HeaderMap& headers, const std::string* json_body,
                           const BodySourceFactory* upload, uint64_t upload_length,
                           bool single_source, const http::BodySink* sink);
  std::chrono::milliseconds Backoff(int attempt, const http::ClientResponse* last);

  const std::string endpoint_;
  const http::Url url_;      // host, port and path prefix of the endpoint
  const std::string prefix_;  // the endpoint's path without a trailing '/'
  const std::string host_header_;
  const std::string key_id_;
  const iam::PrivateKey key_;
  ClientOptions options_;
  Env& env_;
  std::mutex mu_;
  http::Client http_;  // GUARDED_BY(mu_)
};

// Whether the OCI SDKs would retry this answer.
bool IsRetryable(int status, std::string_view oci_code);

// The Status for a non-2xx answer (see the header comment).
Status ErrorFromResponse(int status, const HeaderMap& headers, std::string_view body);

}  // namespace ads::client

#endif  // ADS_CLIENT_CLIENT_H_
