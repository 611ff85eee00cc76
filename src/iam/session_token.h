// Resource-principal session tokens (RPST): short-lived JWTs (RS256) that the
// server signs for a resource, such as a model deployment, so that code
// running for it (a deployment's score.py workers) can call the server
// without stored credentials. This mirrors OCI's resource principal v2.2
// scheme: the token carries the public half of a session key pair (claim
// `jwk`), the client signs requests with the session private key and the
// keyId "ST$<token>", and the server checks the token's signature with its
// own token key, then the request's signature with the token's `jwk`.
//
//   ADS_ASSIGN_OR_RETURN(auto authority, iam::SessionTokenAuthority::Open(
//       env, data_dir + "/keys/session-token.pem", {}));
//   ADS_ASSIGN_OR_RETURN(iam::PrivateKey session, iam::PrivateKey::Generate());
//   ADS_ASSIGN_OR_RETURN(std::string jwt, authority->Issue(
//       {iam::kModelDeploymentType, deployment_id, compartment_id, tenancy_id},
//       session.public_key(), env.Now()));
//   ...
//   ADS_ASSIGN_OR_RETURN(iam::VerifiedSessionToken t, authority->Verify(jwt, env.Now()));
//   // t.session_key verifies the request; t.claims says who the caller is.
//
// Claims: iss "ads", aud "ads", ttype "res", sub = res_id = the resource's
// OCID, res_type, res_compartment, res_tenant, iat, exp (iat + lifetime),
// jti (random, unique per token) and jwk: the session public key as a JWK
// ({"kty":"RSA","n":...,"e":...,"kid":...,"alg":"RS256","use":"sig"}),
// serialized as a JSON string as OCI's tokens carry it (a JSON object is
// accepted too). See docs/iam.md.
//
// Verify errors are kUnauthenticated (401 NotAuthenticated) with one sentence
// naming what is wrong: not three base64url parts, a part that is not JSON,
// another algorithm, a signature that does not verify (altered, or signed by
// another key), a missing or mistyped claim, expired (exp more than max_skew
// ago), issued in the future (iat more than max_skew ahead), revoked.
//
// Performance: a verified token is cached (by its text) until it expires, so
// a worker that sends many requests with one token pays the token's RSA
// verify and JSON parse once; each request still costs one RSA verify of its
// own signature, like an API key.
//
// Thread-safety: thread-safe.
#ifndef ADS_IAM_SESSION_TOKEN_H_
#define ADS_IAM_SESSION_TOKEN_H_

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/env.h"
#include "base/status.h"
#include "iam/http_signature.h"
#include "iam/keys.h"

namespace ads::iam {

inline constexpr std::string_view kModelDeploymentType = "datasciencemodeldeployment";

// Who a token speaks for.
struct ResourceIdentity {
  std::string type;            // res_type, e.g. datasciencemodeldeployment
  std::string id;              // res_id and sub: the resource's OCID
  std::string compartment_id;  // res_compartment
  std::string tenancy_id;      // res_tenant
};

struct SessionClaims {
  ResourceIdentity resource;
  TimePoint issued_at;
  TimePoint expires_at;
  std::string jti;
};

struct VerifiedSessionToken {
  SessionClaims claims;
  PublicKey session_key;  // from the `jwk` claim
};

struct SessionTokenOptions {
  // How long a token is valid; OCI's resource principal tokens live about
  // an hour, and holders refresh them well before.
  std::chrono::seconds lifetime{3600};
  // Tolerance for clocks, as for signed dates (http_signature.h).
  std::chrono::seconds max_skew{300};
  // Verified tokens kept; on overflow expired ones go, then all.
  size_t cache_entries = 4096;
};

class SessionTokenAuthority {
 public:
  // Loads the token signing key from `key_file` (PKCS#8 PEM), or creates
  // an RSA-2048 key there (mode 0600, directory 0700) when it is absent.
  static Result<std::unique_ptr<SessionTokenAuthority>> Open(Env& env, const std::string& key_file,
                                                             const SessionTokenOptions& options);
  // With a key in memory (tests).
  SessionTokenAuthority(PrivateKey key, const SessionTokenOptions& options);

  // A token for `who` binding `session_key`, valid from `now` for
  // options.lifetime. InvalidArgument when a field of `who` is empty.
  Result<std::string> Issue(const ResourceIdentity& who, const PublicKey& session_key,
                            TimePoint now);
  // Checks the token (see the header comment); Unauthenticated naming why.
  Result<VerifiedSessionToken> Verify(std::string_view token, TimePoint now);
  // Every token issued so far for `resource_id` stops verifying (e.g. when
  // its deployment is deactivated or deleted). Remembered in memory only:
  // after a restart such tokens are valid until they expire.
  void RevokeResource(std::string_view resource_id);

  const PublicKey& public_key() const { return public_key_; }
  std::chrono::seconds lifetime() const { return options_.lifetime; }

 private:
  // Drops expired cache entries and forgets issued/revoked jtis past their
  // expiry. Caller holds mu_.
  void PruneLocked(TimePoint now);

  const PrivateKey key_;
  const PublicKey public_key_;
  const SessionTokenOptions options_;

  std::mutex mu_;
  std::unordered_map<std::string, VerifiedSessionToken> cache_;  // GUARDED_BY(mu_)
  // resource id -> (jti -> expiry) of the tokens issued for it.
  std::map<std::string, std::map<std::string, TimePoint>, std::less<>> issued_;  // GUARDED_BY(mu_)
  std::map<std::string, TimePoint, std::less<>> revoked_;  // GUARDED_BY(mu_): jti -> expiry
};

}  // namespace ads::iam

#endif  // ADS_IAM_SESSION_TOKEN_H_
