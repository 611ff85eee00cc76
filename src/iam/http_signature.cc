#include "iam/http_signature.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include "base/env.h"
#include "base/hash.h"
#include "base/strings.h"

namespace ads::iam {
namespace {

constexpr std::string_view kRequestTarget = "(request-target)";
constexpr std::array<std::string_view, 3> kBodyHeaders = {"content-length", "content-type",
                                                          "x-content-sha256"};
constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool MethodHasBody(std::string_view method) {
  return EqualsIgnoreCase(method, "POST") || EqualsIgnoreCase(method, "PUT") ||
         EqualsIgnoreCase(method, "PATCH");
}

bool Contains(const std::vector<std::string>& list, std::string_view name) {
  return std::find(list.begin(), list.end(), name) != list.end();
}

// Reads min_digits..max_digits decimal digits from the front of `in`.
bool ReadNumber(std::string_view& in, size_t min_digits, size_t max_digits, int* out) {
  size_t n = 0;
  int value = 0;
  while (n < in.size() && n < max_digits && std::isdigit(static_cast<unsigned char>(in[n]))) {
    value = value * 10 + (in[n] - '0');
    ++n;
  }
  if (n < min_digits) return false;
  in.remove_prefix(n);
  *out = value;
  return true;
}

bool Expect(std::string_view& in, std::string_view token) {
  if (in.substr(0, token.size()) != token) return false;
  in.remove_prefix(token.size());
  return true;
}

// The signing string over `names` (lower-case), or the name of a header the
// request lacks. Built in one buffer: it is on every request's path.
Result<std::string> BuildSigningString(std::string_view method, std::string_view target,
                                       const HeaderMap& headers,
                                       const std::vector<std::string>& names) {
  std::string out;
  out.reserve(256 + target.size());
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += '\n';
    const std::string& name = names[i];
    if (name == kRequestTarget) {
      out += kRequestTarget;
      out += ": ";
      for (char c : method) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out += ' ';
      out += target;
      continue;
    }
    auto it = headers.find(name);
    if (it == headers.end()) {
      return InvalidArgumentError("the signed header " + Quoted(name) +
                                  " is not in the request");
    }
    out += name;
    out += ": ";
    out += it->second;
  }
  return out;
}

// The Authorization parameters OCI uses, as views into the header value.
struct AuthorizationParams {
  static constexpr std::array<std::string_view, 5> kNames = {"version", "keyId", "algorithm",
                                                             "headers", "signature"};
  std::array<std::optional<std::string_view>, kNames.size()> values;

  const std::optional<std::string_view>& Get(std::string_view name) const {
    static const std::optional<std::string_view> kNone;
    for (size_t i = 0; i < kNames.size(); ++i) {
      if (kNames[i] == name) return values[i];
    }
    return kNone;
  }
};

// Parses `Signature k="v",k="v"...` strictly: every value quoted, no
// duplicates, only the parameters OCI uses. The result points into `value`.
Result<AuthorizationParams> ParseAuthorization(std::string_view value) {
  std::string_view in = Trim(value);
  in.remove_prefix(std::min(in.size(), std::string_view("Signature ").size()));
  AuthorizationParams params;
  while (true) {
    in = Trim(in);
    size_t eq = in.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return InvalidArgumentError("the Authorization header has a parameter without '='");
    }
    std::string_view name = Trim(in.substr(0, eq));
    in.remove_prefix(eq + 1);
    if (in.empty() || in.front() != '"') {
      return InvalidArgumentError("the Authorization parameter " + Quoted(name) +
                                  " is not a quoted string");
    }
    size_t close = in.find('"', 1);
    if (close == std::string_view::npos) {
      return InvalidArgumentError("the Authorization parameter " + Quoted(name) +
                                  " has no closing quote");
    }
    auto known = std::find(AuthorizationParams::kNames.begin(),
                           AuthorizationParams::kNames.end(), name);
    if (known == AuthorizationParams::kNames.end()) {
      return InvalidArgumentError("the Authorization header has an unknown parameter " +
                                  Quoted(name));
    }
    std::optional<std::string_view>& slot =
        params.values[static_cast<size_t>(known - AuthorizationParams::kNames.begin())];
    if (slot) {
      return InvalidArgumentError("the Authorization parameter " + Quoted(name) +
                                  " appears twice");
    }
    slot = in.substr(1, close - 1);
    in = Trim(in.substr(close + 1));
    if (in.empty()) break;
    if (in.front() != ',') {
      return InvalidArgumentError("the Authorization parameters are not separated by ','");
    }
    in.remove_prefix(1);
  }
  return params;
}

VerifyResult Fail(VerifyResult result, VerifyOutcome outcome, std::string detail) {
  result.outcome = outcome;
  result.detail = std::move(detail);
  return result;
}

// Checks that the headers list covers what every OCI request must sign and
// sets body_signed.
Status CheckRequiredHeaders(std::string_view method, const VerifyOptions& options,
                            VerifyResult& result) {
  const std::vector<std::string>& names = result.signed_headers;
  for (std::string_view required : {kRequestTarget, std::string_view("host")}) {
    if (!Contains(names, required)) {
      return InvalidArgumentError("the signature does not cover " + Quoted(required));
    }
  }
  if (!Contains(names, "date") && !Contains(names, "x-date")) {
    return InvalidArgumentError("the signature covers neither 'date' nor 'x-date'");
  }
  size_t body_count = 0;
  for (std::string_view h : kBodyHeaders) body_count += Contains(names, h) ? 1 : 0;
  if (body_count != 0 && body_count != kBodyHeaders.size()) {
    return InvalidArgumentError(
        "the signature covers only some of content-length, content-type and x-content-sha256");
  }
  result.body_signed = body_count == kBodyHeaders.size();
  if (!result.body_signed && options.require_body_signature && MethodHasBody(method)) {
    return InvalidArgumentError("a " + ToUpper(method) +
                                " request must sign content-length, content-type and "
                                "x-content-sha256");
  }
  return OkStatus();
}

Result<std::vector<std::string>> SplitHeaderList(std::string_view list) {
  std::vector<std::string> names;
  names.reserve(8);
  while (true) {
    const size_t space = list.find(' ');
    std::string_view part = list.substr(0, space);
    if (part.empty()) return InvalidArgumentError("the headers list has an empty entry");
    std::string name = ToLower(part);
    if (Contains(names, name)) {
      return InvalidArgumentError("the headers list names " + Quoted(name) + " twice");
    }
    names.push_back(std::move(name));
    if (space == std::string_view::npos) break;
    list.remove_prefix(space + 1);
  }
  return names;
}

// Validates the Authorization parameters and fills key_id, signed_headers
// and the raw signature bytes.
Status ReadSignatureParams(std::string_view value, VerifyResult& result,
                           std::string* signature) {
  ADS_ASSIGN_OR_RETURN(AuthorizationParams params, ParseAuthorization(value));
  if (const auto& version = params.Get("version"); version && *version != "1") {
    return InvalidArgumentError("the signature version " + Quoted(*version) + " is not 1");
  }
  for (std::string_view required : {"keyId", "algorithm", "headers", "signature"}) {
    if (const auto& v = params.Get(required); !v || v->empty()) {
      return InvalidArgumentError("the Authorization header has no " + Quoted(required));
    }
  }
  const std::string_view algorithm = *params.Get("algorithm");
  if (algorithm != "rsa-sha256") {
    return InvalidArgumentError("the algorithm " + Quoted(algorithm) + " is not rsa-sha256");
  }
  signature->reserve(params.Get("signature")->size() / 4 * 3 + 3);
  if (!Base64Decode(*params.Get("signature"), signature) || signature->empty()) {
    return InvalidArgumentError("the signature is not base64");
  }
  ADS_ASSIGN_OR_RETURN(result.key_id, ParseKeyId(*params.Get("keyId")));
  ADS_ASSIGN_OR_RETURN(result.signed_headers, SplitHeaderList(*params.Get("headers")));
  return OkStatus();
}

// Checks the body against the signed x-content-sha256 and content-length.
Status CheckBody(const HeaderMap& headers, std::optional<std::string_view> body,
                 VerifyResult& result) {
  if (Contains(result.signed_headers, "x-content-sha256")) {
    const std::string& signed_hash = headers.find("x-content-sha256")->second;
    if (!body) {
      result.body_sha256_to_check = signed_hash;
    } else if (Sha256Base64(*body) != signed_hash) {
      return DataLossError("the body's SHA-256 differs from the signed x-content-sha256");
    } else {
      result.body_hash_verified = true;
    }
  }
  if (body && Contains(result.signed_headers, "content-length") &&
      headers.find("content-length")->second != std::to_string(body->size())) {
    return DataLossError("the body's length differs from the signed content-length");
  }
  return OkStatus();
}

}  // namespace

std::string FormatHttpDate(TimePoint time) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(time);
  const auto day = floor<days>(secs);
  const year_month_day ymd(day);
  const hh_mm_ss hms(secs - day);
  const unsigned wd = weekday(day).c_encoding();
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02u %s %04d %02d:%02d:%02d GMT",
                std::string(kWeekdays[wd]).c_str(), static_cast<unsigned>(ymd.day()),
                std::string(kMonths[static_cast<unsigned>(ymd.month()) - 1]).c_str(),
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

Result<TimePoint> ParseHttpDate(std::string_view text) {
  using namespace std::chrono;
  std::string_view in = text;
  const auto bad = [&] {
    return InvalidArgumentError("the date " + Quoted(text) +
                                " is not an HTTP date like 'Thu, 05 Jan 2014 21:31:40 GMT'");
  };
  if (in.size() < 4 || in[3] != ',' ||
      std::find(kWeekdays.begin(), kWeekdays.end(), in.substr(0, 3)) == kWeekdays.end()) {
    return bad();
  }
  in.remove_prefix(4);
  int d = 0, y = 0, hh = 0, mm = 0, ss = 0;
  if (!Expect(in, " ") || !ReadNumber(in, 1, 2, &d) || !Expect(in, " ")) return bad();
  auto month_it = std::find(kMonths.begin(), kMonths.end(), in.substr(0, 3));
  if (month_it == kMonths.end()) return bad();
  in.remove_prefix(3);
  if (!Expect(in, " ") || !ReadNumber(in, 4, 4, &y) || !Expect(in, " ") ||
      !ReadNumber(in, 2, 2, &hh) || !Expect(in, ":") || !ReadNumber(in, 2, 2, &mm) ||
      !Expect(in, ":") || !ReadNumber(in, 2, 2, &ss) || !Expect(in, " GMT") || !in.empty()) {
    return bad();
  }
  const year_month_day ymd{year(y), month(static_cast<unsigned>(month_it - kMonths.begin()) + 1),
                           day(static_cast<unsigned>(d))};
  if (!ymd.ok() || hh > 23 || mm > 59 || ss > 60) return bad();
  return TimePoint(sys_days(ymd)) + hours(hh) + minutes(mm) + seconds(ss);
}

SigningOptions SigningOptions::PythonSdk() { return SigningOptions(); }

SigningOptions SigningOptions::TypeScriptSdk() {
  SigningOptions options;
  options.date_header = "x-date";
  options.body_headers = {"Content-Type", "Content-Length", "x-content-sha256"};
  return options;
}

Result<HeaderMap> SignRequest(std::string_view method, std::string_view request_target,
                              const HeaderMap& headers, std::string_view body,
                              std::string_view key_id, const PrivateKey& key,
                              const SigningOptions& options) {
  HeaderMap all = headers;
  HeaderMap added;
  auto host = all.find("host");
  if (host == all.end() || host->second.empty()) {
    return InvalidArgumentError("A request to sign has no host header.");
  }
  added["host"] = host->second;
  std::string& date = all[options.date_header];
  if (date.empty()) date = FormatHttpDate(options.now ? *options.now : Env::Default()->Now());
  added[options.date_header] = date;

  std::vector<std::string> listed = {options.date_header, std::string(kRequestTarget), "host"};
  if (MethodHasBody(method) && !options.binary_body) {
    std::string& type = all["content-type"];
    if (type.empty()) type = "application/json";
    std::string& length = all["content-length"];
    if (length.empty()) length = std::to_string(body.size());
    if (length != std::to_string(body.size())) {
      return InvalidArgumentError("The content-length header " + Quoted(length) +
                                  " does not match the body of " +
                                  std::to_string(body.size()) + " bytes.");
    }
    all["x-content-sha256"] = Sha256Base64(body);
    for (std::string_view h : kBodyHeaders) added[std::string(h)] = all[std::string(h)];
    listed.insert(listed.end(), options.body_headers.begin(), options.body_headers.end());
  }
  std::vector<std::string> names;
  for (const std::string& name : listed) names.push_back(ToLower(name));
  ADS_ASSIGN_OR_RETURN(std::string signing_string,
                       BuildSigningString(method, request_target, all, names));
  ADS_ASSIGN_OR_RETURN(std::string signature, key.SignSha256(signing_string));
  added["authorization"] = "Signature version=\"1\",keyId=\"" + std::string(key_id) +
                           "\",algorithm=\"rsa-sha256\",headers=\"" + Join(listed, " ") +
                           "\",signature=\"" + Base64Encode(signature) + "\"";
  return added;
}

Result<KeyId> ParseKeyId(std::string_view key_id) {
  KeyId id;
  id.raw = std::string(key_id);
  if (key_id.substr(0, 3) == "ST$") {
    id.kind = KeyId::Kind::kSecurityToken;
    id.token = std::string(key_id.substr(3));
    if (id.token.empty()) return InvalidArgumentError("the keyId 'ST$' has no token");
    return id;
  }
  const size_t first = key_id.find('/');
  const size_t second = first == std::string_view::npos ? first : key_id.find('/', first + 1);
  if (second == std::string_view::npos || first == 0 || second == first + 1 ||
      second + 1 == key_id.size() || key_id.find('/', second + 1) != std::string_view::npos) {
    return InvalidArgumentError("the keyId " + Quoted(key_id) +
                                " is neither tenancy/user/fingerprint nor ST$token");
  }
  id.tenancy = std::string(key_id.substr(0, first));
  id.user = std::string(key_id.substr(first + 1, second - first - 1));
  id.fingerprint = std::string(key_id.substr(second + 1));
  return id;
}

std::string_view VerifyOutcomeName(VerifyOutcome outcome) {
  switch (outcome) {
    case VerifyOutcome::kOk: return "ok";
    case VerifyOutcome::kNotSigned: return "not signed";
    case VerifyOutcome::kMalformed: return "malformed signature";
    case VerifyOutcome::kUnknownKey: return "unknown key";
    case VerifyOutcome::kBadSignature: return "bad signature";
    case VerifyOutcome::kStaleDate: return "stale date";
    case VerifyOutcome::kBodyHashMismatch: return "body hash mismatch";
  }
  return "unknown";
}

Status VerifyResult::ToStatus() const {
  if (ok()) return OkStatus();
  std::string message = "The request is not authenticated (" +
                        std::string(VerifyOutcomeName(outcome)) + ")";
  if (!detail.empty()) message += ": " + detail;
  return UnauthenticatedError(message + ".");
}

VerifyResult VerifyRequest(std::string_view method, std::string_view request_target,
                           const HeaderMap& headers, std::optional<std::string_view> body,
                           const KeyLookup& lookup, TimePoint now,
                           const VerifyOptions& options) {
  VerifyResult result;
  auto auth = headers.find("authorization");
  if (auth == headers.end()) {
    return Fail(std::move(result), VerifyOutcome::kNotSigned, "no Authorization header");
  }
  std::string_view value = Trim(auth->second);
  if (value.size() < 10 || !EqualsIgnoreCase(value.substr(0, 10), "Signature ")) {
    return Fail(std::move(result), VerifyOutcome::kNotSigned,
                "the Authorization header is not a Signature");
  }
  std::string signature;
  if (Status s = ReadSignatureParams(value, result, &signature); !s.ok()) {
    return Fail(std::move(result), VerifyOutcome::kMalformed, s.message());
  }
  if (Status s = CheckRequiredHeaders(method, options, result); !s.ok()) {
    return Fail(std::move(result), VerifyOutcome::kMalformed, s.message());
  }
  Result<std::string> signing_string =
      BuildSigningString(method, request_target, headers, result.signed_headers);
  if (!signing_string.ok()) {
    return Fail(std::move(result), VerifyOutcome::kMalformed, signing_string.status().message());
  }
  // Only a signed date counts: an unsigned x-date could be replaced at will.
  const char* date_name = Contains(result.signed_headers, "x-date") ? "x-date" : "date";
  Result<TimePoint> date = ParseHttpDate(headers.find(date_name)->second);
  if (!date.ok()) {
    return Fail(std::move(result), VerifyOutcome::kMalformed, date.status().message());
  }

  std::optional<PublicKey> key = lookup ? lookup(result.key_id) : std::nullopt;
  if (!key) {
    // A token is long and the reason it failed is in the server's log.
    std::string detail = result.key_id.kind == KeyId::Kind::kSecurityToken
                             ? "the security token is not valid (malformed, expired, revoked or "
                               "not issued by this server)"
                             : "no key " + Quoted(result.key_id.raw);
    return Fail(std::move(result), VerifyOutcome::kUnknownKey, std::move(detail));
  }
  if (result.key_id.kind == KeyId::Kind::kApiKey &&
      !key->HasFingerprint(result.key_id.fingerprint)) {
    return Fail(std::move(result), VerifyOutcome::kUnknownKey,
                "the key found for " + Quoted(result.key_id.raw) +
                    " has another fingerprint");
  }
  if (!key->VerifySha256(*signing_string, signature)) {
    return Fail(std::move(result), VerifyOutcome::kBadSignature,
                "the signature does not match the request");
  }
  const auto skew = now > *date ? now - *date : *date - now;
  if (skew > options.max_skew) {
    return Fail(std::move(result), VerifyOutcome::kStaleDate,
                "the signed " + std::string(date_name) + " " +
                    Quoted(headers.find(date_name)->second) +
                    " is more than " + std::to_string(options.max_skew.count()) +
                    " s from the server's clock");
  }
  if (Status s = CheckBody(headers, body, result); !s.ok()) {
    return Fail(std::move(result), VerifyOutcome::kBodyHashMismatch, s.message());
  }
  result.outcome = VerifyOutcome::kOk;
  return result;
}

}  // namespace ads::iam
