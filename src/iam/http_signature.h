// OCI request signatures (draft-cavage-http-signatures-08, rsa-sha256), as the
// OCI SDKs produce them, and their verification on the server side.
//
//   // Client: sign a JSON POST exactly as oci-python-sdk would.
//   iam::HeaderMap headers = {{"host", "localhost:8080"}};
//   ADS_ASSIGN_OR_RETURN(iam::HeaderMap added,
//       iam::SignRequest("POST", "/20190101/models", headers, body,
//                        config.KeyId(), key, iam::SigningOptions::PythonSdk()));
//
//   // Server: verify whatever an SDK sent.
//   iam::VerifyResult r = iam::VerifyRequest("POST", target, request_headers, body,
//                                            lookup, env.Now());
//   if (!r.ok()) return r.ToStatus();   // 401 NotAuthenticated; r.detail for logs
//
// The signing string is the listed headers in order, "name: value" joined by
// '\n' (names lower-case), where "(request-target)" is the lower-case method,
// a space and the path+query exactly as sent: no decoding or normalising
// ("%2F" stays, "+" is not a space).
//
// Bodies: POST/PUT/PATCH normally also sign content-length, content-type and
// x-content-sha256 (base64 SHA-256 of the body). Binary uploads (model
// artifacts, object puts, upload parts) sign only the generic headers; the
// verifier accepts that (VerifyResult::body_signed is then false) and the
// body hash proves nothing, so a route that streams the body must compute its
// own hash. See docs/signing.md.
//
// Thread-safety: free functions; safe from any thread. The key lookup
// callback is called once, on the calling thread.
#ifndef ADS_IAM_HTTP_SIGNATURE_H_
#define ADS_IAM_HTTP_SIGNATURE_H_

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/strings.h"
#include "iam/keys.h"

namespace ads::iam {

using ads::CaseInsensitiveLess;
using ads::HeaderMap;

using TimePoint = std::chrono::system_clock::time_point;

// "Thu, 05 Jan 2014 21:31:40 GMT" (RFC 7231 IMF-fixdate, always UTC).
std::string FormatHttpDate(TimePoint time);
// Parses IMF-fixdate (day of month 1 or 2 digits). The weekday must be a
// weekday name but is not checked against the date, as OCI's own published
// example carries a wrong one.
Result<TimePoint> ParseHttpDate(std::string_view text);

struct SigningOptions {
  // The date header that is set and signed: "date" (Python, Go, Java SDKs)
  // or "x-date" (TypeScript SDK, which also sends an unsigned "date").
  std::string date_header = "date";
  // The body headers, spelled and ordered as they appear in the
  // Authorization header's headers="..." list.
  std::vector<std::string> body_headers = {"content-length", "content-type",
                                           "x-content-sha256"};
  // Sign only the generic headers even for POST/PUT/PATCH (binary uploads).
  bool binary_body = false;
  // The signing time; unset means the date header of the request if it has
  // one, else the Env::Default() clock.
  std::optional<TimePoint> now;

  // oci-python-sdk (what ADS uses): date, lower-case body headers.
  static SigningOptions PythonSdk();
  // oci-common (TypeScript) 2.x: x-date, "Content-Type Content-Length
  // x-content-sha256".
  static SigningOptions TypeScriptSdk();
};

// Signs a request. `request_target` is the path and query exactly as they
// will be sent; `headers` must contain "host" and may contain the date
// header, content-type and content-length (kept when present; content-length
// must then equal body.size()). Returns the headers to add to the request:
// the date header, host, for signed bodies content-type (application/json by
// default), content-length and x-content-sha256, and authorization.
Result<HeaderMap> SignRequest(std::string_view method, std::string_view request_target,
                              const HeaderMap& headers, std::string_view body,
                              std::string_view key_id, const PrivateKey& key,
                              const SigningOptions& options = SigningOptions::PythonSdk());

// The parsed keyId of a signature.
struct KeyId {
  enum class Kind { kApiKey, kSecurityToken };
  Kind kind = Kind::kApiKey;
  std::string raw;
  std::string tenancy;      // API keys: "<tenancy>/<user>/<fingerprint>"
  std::string user;
  std::string fingerprint;
  std::string token;        // security tokens: "ST$<token>"
};
Result<KeyId> ParseKeyId(std::string_view key_id);

// Why a request is not authenticated. Every non-kOk outcome becomes 401
// NotAuthenticated; the distinction is for logs and tests.
enum class VerifyOutcome {
  kOk,
  kNotSigned,         // no Authorization header, or not the Signature scheme
  kMalformed,         // bad parameters, missing required or listed headers, bad date
  kUnknownKey,        // the lookup knows no such key (or its fingerprint differs)
  kBadSignature,      // the signature does not verify
  kStaleDate,         // the signed date is more than max_skew away from now
  kBodyHashMismatch,  // x-content-sha256 or content-length disagree with the body
};
std::string_view VerifyOutcomeName(VerifyOutcome outcome);

struct VerifyOptions {
  std::chrono::seconds max_skew{300};
  // When true, POST/PUT/PATCH must sign content-length, content-type and
  // x-content-sha256 (JSON routes); when false a signature over the generic
  // headers only is accepted (binary-upload routes), with body_signed false.
  bool require_body_signature = false;
};

struct VerifyResult {
  VerifyOutcome outcome = VerifyOutcome::kNotSigned;
  std::string detail;   // one sentence for the log
  KeyId key_id;         // filled once the Authorization header parsed
  std::vector<std::string> signed_headers;  // lower-case, in signed order
  // True when x-content-sha256, content-length and content-type were signed.
  bool body_signed = false;
  // True when the body was given and matched the signed x-content-sha256.
  bool body_hash_verified = false;
  // With a signed body but no body given (streaming): the signed base64
  // SHA-256 the caller must compare with the bytes it receives.
  std::string body_sha256_to_check;

  bool ok() const { return outcome == VerifyOutcome::kOk; }
  // OK, or kUnauthenticated with the reason and detail.
  Status ToStatus() const;
};

// The public key for a keyId, or nullopt when unknown. For security tokens
// the callback validates key_id.token and returns the key bound to it.
using KeyLookup = std::function<std::optional<PublicKey>(const KeyId& key_id)>;

// Verifies a request as received. `body` nullopt means the body is streamed
// and not available (see body_sha256_to_check).
VerifyResult VerifyRequest(std::string_view method, std::string_view request_target,
                           const HeaderMap& headers, std::optional<std::string_view> body,
                           const KeyLookup& lookup, TimePoint now,
                           const VerifyOptions& options = {});

}  // namespace ads::iam

#endif  // ADS_IAM_HTTP_SIGNATURE_H_
