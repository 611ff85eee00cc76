#include "iam/session_token.h"

#include <openssl/rand.h>

#include <algorithm>
#include <vector>

#include "base/hash.h"
#include "base/json.h"
#include "base/strings.h"
#include "iam/oci_config.h"

namespace ads::iam {
namespace {

constexpr std::string_view kIssuer = "ads";
constexpr std::string_view kWhat = "the security token";

std::string Base64UrlEncode(std::string_view bytes) {
  std::string text = Base64Encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

// Strict base64url without padding, as JWTs use it.
bool Base64UrlDecode(std::string_view text, std::string* out) {
  if (text.size() % 4 == 1) return false;
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return Base64Decode(text, out);
}

int64_t EpochSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

TimePoint FromEpochSeconds(int64_t s) { return TimePoint(std::chrono::seconds(s)); }

Status Bad(std::string_view why) {
  return UnauthenticatedError(std::string(kWhat) + " " + std::string(why));
}

Result<std::string> RandomId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return InternalError("the CSPRNG failed");
  return HexEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

Result<Json> JwkOf(const PublicKey& key) {
  ADS_ASSIGN_OR_RETURN(PublicKey::RsaComponents rsa, key.Components());
  return Json{{"kty", "RSA"},
              {"n", Base64UrlEncode(rsa.modulus)},
              {"e", Base64UrlEncode(rsa.exponent)},
              {"kid", key.Fingerprint()},
              {"alg", "RS256"},
              {"use", "sig"}};
}

Result<PublicKey> KeyFromJwk(const Json& claim) {
  Json jwk = claim;
  if (claim.is_string()) {
    Result<Json> parsed = ParseJson(claim.get<std::string>(), "jwk");
    if (!parsed.ok()) return Bad("has a jwk claim that is not JSON");
    jwk = std::move(*parsed);
  }
  if (!jwk.is_object() || StringMemberOr(jwk, "kty") != "RSA") {
    return Bad("has a jwk claim that is not an RSA JWK");
  }
  std::string n, e;
  if (!Base64UrlDecode(StringMemberOr(jwk, "n"), &n) ||
      !Base64UrlDecode(StringMemberOr(jwk, "e"), &e)) {
    return Bad("has a jwk claim whose n or e is not base64url");
  }
  Result<PublicKey> key = PublicKey::FromComponents(n, e);
  if (!key.ok()) return Bad("has an unusable jwk: " + key.status().message());
  return key;
}

// The string claim `name`; Unauthenticated when missing or empty.
Result<std::string> StringClaim(const Json& payload, std::string_view name) {
  const Json* v = FindMember(payload, name);
  if (v == nullptr || !v->is_string() || v->get<std::string>().empty()) {
    return Bad("has no " + std::string(name) + " claim (a non-empty string)");
  }
  return v->get<std::string>();
}

Result<int64_t> TimeClaim(const Json& payload, std::string_view name) {
  const Json* v = FindMember(payload, name);
  if (v == nullptr || !v->is_number_integer()) {
    return Bad("has no " + std::string(name) + " claim (seconds since the epoch)");
  }
  return v->get<int64_t>();
}

// The parts of "header.payload.signature", each decoded.
struct JwtParts {
  std::string_view signed_part;  // "header.payload", as sent
  Json header;
  Json payload;
  std::string signature;
};

Result<JwtParts> SplitJwt(std::string_view token) {
  const size_t first = token.find('.');
  const size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return Bad("is not a JWT (three base64url parts separated by '.')");
  }
  JwtParts parts;
  parts.signed_part = token.substr(0, second);
  std::string header, payload;
  if (!Base64UrlDecode(token.substr(0, first), &header) ||
      !Base64UrlDecode(token.substr(first + 1, second - first - 1), &payload) ||
      !Base64UrlDecode(token.substr(second + 1), &parts.signature) || parts.signature.empty()) {
    return Bad("is not a JWT: a part is not base64url");
  }
  Result<Json> h = ParseJson(header, "JWT header");
  if (!h.ok() || !h->is_object()) return Bad("has a header that is not a JSON object");
  Result<Json> p = ParseJson(payload, "JWT payload");
  if (!p.ok() || !p->is_object()) return Bad("has a payload that is not a JSON object");
  parts.header = std::move(*h);
  parts.payload = std::move(*p);
  return parts;
}

}  // namespace

Result<std::unique_ptr<SessionTokenAuthority>> SessionTokenAuthority::Open(
    Env& env, const std::string& key_file, const SessionTokenOptions& options) {
  if (options.lifetime.count() <= 0) {
    return InvalidArgumentError("the session token lifetime must be positive");
  }
  std::optional<PrivateKey> key;
  if (env.Stat(key_file).ok()) {
    ADS_ASSIGN_OR_RETURN(std::string pem, env.ReadFile(key_file));
    Result<PrivateKey> loaded = PrivateKey::FromPem(pem);
    if (!loaded.ok()) {
      return Status(loaded.status().code(),
                    "the session token key " + key_file + ": " + loaded.status().message());
    }
    key = std::move(*loaded);
  } else {
    ADS_ASSIGN_OR_RETURN(PrivateKey fresh, PrivateKey::Generate(kDefaultRsaBits));
    ADS_RETURN_IF_ERROR(WritePrivateKeyFile(env, key_file, fresh));
    key = std::move(fresh);
  }
  return std::make_unique<SessionTokenAuthority>(std::move(*key), options);
}

SessionTokenAuthority::SessionTokenAuthority(PrivateKey key, const SessionTokenOptions& options)
    : key_(std::move(key)), public_key_(key_.public_key()), options_(options) {}

Result<std::string> SessionTokenAuthority::Issue(const ResourceIdentity& who,
                                                 const PublicKey& session_key, TimePoint now) {
  if (who.type.empty() || who.id.empty() || who.compartment_id.empty() || who.tenancy_id.empty()) {
    return InvalidArgumentError(
        "a session token needs the resource's type, id, compartment and tenancy");
  }
  ADS_ASSIGN_OR_RETURN(Json jwk, JwkOf(session_key));
  ADS_ASSIGN_OR_RETURN(std::string jti, RandomId());
  const int64_t iat = EpochSeconds(now);
  const int64_t exp = iat + options_.lifetime.count();
  const Json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", public_key_.Fingerprint()}};
  const Json payload = {{"iss", kIssuer},
                        {"aud", kIssuer},
                        {"ttype", "res"},
                        {"sub", who.id},
                        {"res_type", who.type},
                        {"res_id", who.id},
                        {"res_compartment", who.compartment_id},
                        {"res_tenant", who.tenancy_id},
                        {"iat", iat},
                        {"exp", exp},
                        {"jti", jti},
                        {"jwk", jwk.dump()}};
  const std::string signed_part =
      Base64UrlEncode(header.dump()) + "." + Base64UrlEncode(payload.dump());
  ADS_ASSIGN_OR_RETURN(std::string signature, key_.SignSha256(signed_part));
  {
    std::lock_guard<std::mutex> lock(mu_);
    PruneLocked(now);
    issued_[who.id][jti] = FromEpochSeconds(exp);
  }
  return signed_part + "." + Base64UrlEncode(signature);
}

Result<VerifiedSessionToken> SessionTokenAuthority::Verify(std::string_view token, TimePoint now) {
  const auto check_time = [&](const SessionClaims& c) -> Status {
    if (now > c.expires_at + options_.max_skew) {
      return Bad("expired at " + FormatHttpDate(c.expires_at));
    }
    if (c.issued_at > now + options_.max_skew) {
      return Bad("was issued in the future (" + FormatHttpDate(c.issued_at) +
                 "); check the clocks");
    }
    return OkStatus();
  };
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = cache_.find(std::string(token));
    if (it != cache_.end()) {
      if (revoked_.count(it->second.claims.jti) != 0) return Bad("was revoked");
      ADS_RETURN_IF_ERROR(check_time(it->second.claims));
      return it->second;
    }
  }
  ADS_ASSIGN_OR_RETURN(JwtParts parts, SplitJwt(token));
  if (StringMemberOr(parts.header, "alg") != "RS256") {
    return Bad("uses the algorithm " + Quoted(StringMemberOr(parts.header, "alg")) +
               "; only RS256 is accepted");
  }
  if (!public_key_.VerifySha256(parts.signed_part, parts.signature)) {
    return Bad("has a signature that does not verify: it was altered or not issued by this server");
  }
  const Json& p = parts.payload;
  SessionClaims c;
  ADS_ASSIGN_OR_RETURN(std::string iss, StringClaim(p, "iss"));
  if (iss != kIssuer) return Bad("was issued by " + Quoted(iss) + ", not by this server");
  ADS_ASSIGN_OR_RETURN(c.resource.type, StringClaim(p, "res_type"));
  ADS_ASSIGN_OR_RETURN(c.resource.id, StringClaim(p, "res_id"));
  ADS_ASSIGN_OR_RETURN(c.resource.compartment_id, StringClaim(p, "res_compartment"));
  ADS_ASSIGN_OR_RETURN(c.resource.tenancy_id, StringClaim(p, "res_tenant"));
  ADS_ASSIGN_OR_RETURN(c.jti, StringClaim(p, "jti"));
  ADS_ASSIGN_OR_RETURN(int64_t iat, TimeClaim(p, "iat"));
  ADS_ASSIGN_OR_RETURN(int64_t exp, TimeClaim(p, "exp"));
  if (exp < iat) return Bad("expires before it was issued");
  c.issued_at = FromEpochSeconds(iat);
  c.expires_at = FromEpochSeconds(exp);
  ADS_RETURN_IF_ERROR(check_time(c));
  const Json* jwk = FindMember(p, "jwk");
  if (jwk == nullptr) return Bad("has no jwk claim (the session public key)");
  ADS_ASSIGN_OR_RETURN(PublicKey session_key, KeyFromJwk(*jwk));
  VerifiedSessionToken verified{std::move(c), std::move(session_key)};

  std::lock_guard<std::mutex> lock(mu_);
  if (revoked_.count(verified.claims.jti) != 0) return Bad("was revoked");
  if (cache_.size() >= options_.cache_entries) {
    PruneLocked(now);
    if (cache_.size() >= options_.cache_entries) cache_.clear();
  }
  cache_.emplace(std::string(token), verified);
  return verified;
}

void SessionTokenAuthority::RevokeResource(std::string_view resource_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = issued_.find(resource_id);
  if (it == issued_.end()) return;
  for (const auto& [jti, expiry] : it->second) revoked_[jti] = expiry;
  issued_.erase(it);
}

void SessionTokenAuthority::PruneLocked(TimePoint now) {
  const TimePoint horizon = now - options_.max_skew;
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->second.claims.expires_at < horizon ? cache_.erase(it) : std::next(it);
  }
  for (auto it = revoked_.begin(); it != revoked_.end();) {
    it = it->second < horizon ? revoked_.erase(it) : std::next(it);
  }
  for (auto it = issued_.begin(); it != issued_.end();) {
    auto& jtis = it->second;
    for (auto j = jtis.begin(); j != jtis.end();)
      j = j->second < horizon ? jtis.erase(j) : std::next(j);
    it = jtis.empty() ? issued_.erase(it) : std::next(it);
  }
}

}  // namespace ads::iam
