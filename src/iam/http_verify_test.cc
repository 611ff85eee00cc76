// Sign -> verify round trips and every reason VerifyRequest refuses a request.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "base/hash.h"
#include "base/strings.h"
#include "iam/http_signature.h"

namespace ads::iam {
namespace {

using ::testing::HasSubstr;
using std::chrono::seconds;

const PrivateKey& TestKey() {
  static const PrivateKey* key = new PrivateKey(*PrivateKey::Generate());
  return *key;
}

const PrivateKey& OtherKey() {
  static const PrivateKey* key = new PrivateKey(*PrivateKey::Generate());
  return *key;
}

std::string TestKeyId() {
  return "ocid1.tenancy.oc1..aaaa/ocid1.user.oc1..bbbb/" + TestKey().public_key().Fingerprint();
}

const TimePoint kNow = TimePoint(seconds(1700000000));

KeyLookup Lookup() {
  return [](const KeyId& id) -> std::optional<PublicKey> {
    if (id.kind == KeyId::Kind::kApiKey && id.user == "ocid1.user.oc1..bbbb") {
      return TestKey().public_key();
    }
    return std::nullopt;
  };
}

struct Request {
  std::string method;
  std::string target;
  HeaderMap headers;
  std::string body;
};

Request Signed(const std::string& method, const std::string& target, const std::string& body,
               SigningOptions options = SigningOptions::PythonSdk(),
               HeaderMap extra = {}) {
  Request r{method, target, {{"Host", "localhost:8080"}}, body};
  for (auto& [k, v] : extra) r.headers[k] = v;
  if (!options.now) options.now = kNow;
  Result<HeaderMap> added = SignRequest(method, target, r.headers, body, TestKeyId(), TestKey(),
                                        options);
  EXPECT_TRUE(added.ok()) << added.status().ToString();
  for (auto& [k, v] : added.value_or(HeaderMap{})) r.headers[k] = v;
  return r;
}

VerifyResult Verify(const Request& r, TimePoint now = kNow, VerifyOptions options = {}) {
  return VerifyRequest(r.method, r.target, r.headers, std::string_view(r.body), Lookup(), now,
                       options);
}

TEST(HttpVerifyTest, RoundTripsEveryMethodAndBodyKind) {
  const std::string json = R"({"displayName": "m1", "compartmentId": "ocid1.compartment.oc1..x"})";
  SigningOptions binary = SigningOptions::PythonSdk();
  binary.binary_body = true;
  struct Case {
    std::string method;
    std::string body;
    SigningOptions options;
    bool body_signed;
  };
  const std::vector<Case> cases = {
      {"GET", "", SigningOptions::PythonSdk(), false},
      {"HEAD", "", SigningOptions::PythonSdk(), false},
      {"DELETE", "", SigningOptions::PythonSdk(), false},
      {"POST", json, SigningOptions::PythonSdk(), true},
      {"PUT", json, SigningOptions::PythonSdk(), true},
      {"PATCH", json, SigningOptions::PythonSdk(), true},
      {"POST", "", SigningOptions::PythonSdk(), true},  // body-less action
      {"PUT", std::string("\x00\x01zip\xff", 6), binary, false},
      {"POST", "raw bytes", binary, false},
      {"GET", "", SigningOptions::TypeScriptSdk(), false},
      {"POST", json, SigningOptions::TypeScriptSdk(), true},
      {"PUT", json, SigningOptions::TypeScriptSdk(), true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.method + " " + c.options.date_header + " " + c.body);
    Request r = Signed(c.method, "/20190101/models?limit=10", c.body, c.options);
    VerifyResult v = Verify(r);
    EXPECT_TRUE(v.ok()) << v.detail;
    EXPECT_EQ(v.body_signed, c.body_signed);
    EXPECT_EQ(v.body_hash_verified, c.body_signed);
    EXPECT_EQ(v.key_id.fingerprint, TestKey().public_key().Fingerprint());
    EXPECT_EQ(r.headers.count("x-content-sha256"), c.body_signed ? 1u : 0u);
    if (c.body_signed) {
      EXPECT_EQ(r.headers.at("x-content-sha256"), Sha256Base64(c.body));
      EXPECT_EQ(r.headers.at("content-length"), std::to_string(c.body.size()));
      EXPECT_EQ(r.headers.at("content-type"), "application/json");
    }
  }
}

TEST(HttpVerifyTest, SignedHeadersListFollowsTheSdkStyle) {
  Request py = Signed("POST", "/x", "{}");
  EXPECT_THAT(py.headers["authorization"],
              HasSubstr("headers=\"date (request-target) host content-length content-type "
                        "x-content-sha256\""));
  Request ts = Signed("POST", "/x", "{}", SigningOptions::TypeScriptSdk());
  EXPECT_THAT(ts.headers["authorization"],
              HasSubstr("headers=\"x-date (request-target) host Content-Type Content-Length "
                        "x-content-sha256\""));
  EXPECT_EQ(ts.headers.count("date"), 0u);
  EXPECT_EQ(ts.headers.at("x-date"), FormatHttpDate(kNow));
}

TEST(HttpVerifyTest, HeaderNamesAnyCase) {
  Request r = Signed("PUT", "/20190101/models/ocid1.datasciencemodel.oc1..x", "{\"a\":1}");
  HeaderMap shouted;
  for (auto& [k, v] : r.headers) shouted[ToUpper(k)] = v;
  r.headers = shouted;
  EXPECT_TRUE(Verify(r).ok());
  // The list itself in mixed case, as the TypeScript SDK sends it.
  Request ts = Signed("POST", "/x", "{}", SigningOptions::TypeScriptSdk());
  HeaderMap mixed;
  for (auto& [k, v] : ts.headers) mixed[k == "content-type" ? "Content-Type" : k] = v;
  ts.headers = mixed;
  VerifyResult v = Verify(ts);
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(v.signed_headers,
            (std::vector<std::string>{"x-date", "(request-target)", "host", "content-type",
                                      "content-length", "x-content-sha256"}));
}

TEST(HttpVerifyTest, TargetIsVerifiedExactlyAsReceived) {
  const std::string target = "/n/ns/b/bucket/o/dir%2Ffile+1.zip?prefix=a+b%2Fc&limit=5";
  Request r = Signed("GET", target, "");
  EXPECT_TRUE(Verify(r).ok());
  for (const std::string& other :
       {std::string("/n/ns/b/bucket/o/dir/file+1.zip?prefix=a+b%2Fc&limit=5"),
        std::string("/n/ns/b/bucket/o/dir%2Ffile 1.zip?prefix=a+b%2Fc&limit=5"),
        std::string("/n/ns/b/bucket/o/dir%2ffile+1.zip?prefix=a+b%2Fc&limit=5"),
        std::string("/n/ns/b/bucket/o/dir%2Ffile+1.zip?prefix=a%2Bb%2Fc&limit=5"),
        std::string("/n/ns/b/bucket/o/dir%2Ffile+1.zip?limit=5&prefix=a+b%2Fc")}) {
    Request changed = r;
    changed.target = other;
    EXPECT_EQ(Verify(changed).outcome, VerifyOutcome::kBadSignature) << other;
  }
}

TEST(HttpVerifyTest, NotSigned) {
  Request r = Signed("GET", "/x", "");
  r.headers.erase("authorization");
  EXPECT_EQ(Verify(r).outcome, VerifyOutcome::kNotSigned);
  r.headers["Authorization"] = "Bearer abc";
  EXPECT_EQ(Verify(r).outcome, VerifyOutcome::kNotSigned);
  Status s = Verify(r).ToStatus();
  EXPECT_EQ(s.code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(), HasSubstr("not signed"));
}

TEST(HttpVerifyTest, MalformedAuthorizationHeaders) {
  const Request good = Signed("POST", "/x", "{}");
  const std::string auth = good.headers.at("authorization");
  struct Case {
    std::string name;
    std::string header;
    std::string reason;  // a word the detail must contain
  };
  const size_t headers_at = auth.find(",headers=");
  const std::vector<Case> cases = {
      {"unquoted", ReplaceAll(auth, "version=\"1\"", "version=1"), "not a quoted string"},
      {"no closing quote", auth.substr(0, auth.size() - 1), "no closing quote"},
      {"unknown algorithm", ReplaceAll(auth, "rsa-sha256", "hmac-sha256"), "not rsa-sha256"},
      {"no headers list",
       ReplaceAll(auth, auth.substr(headers_at, auth.find(",signature=") - headers_at), ""),
       "no `headers`"},
      {"unknown parameter", auth + ",created=\"1\"", "unknown parameter"},
      {"duplicate parameter", auth + ",version=\"1\"", "appears twice"},
      {"version 2", ReplaceAll(auth, "version=\"1\"", "version=\"2\""), "is not 1"},
      {"bad keyId", ReplaceAll(auth, TestKeyId(), "just-a-key"), "keyId"},
      {"signature not base64", ReplaceAll(auth, "signature=\"", "signature=\"***"), "base64"},
      {"empty list entry", ReplaceAll(auth, "date (request-target)", "date  (request-target)"),
       "empty entry"},
      {"no separator", ReplaceAll(auth, "\",keyId", "\" keyId"), "separated"},
      {"no host", ReplaceAll(auth, " host ", " "), "`host`"},
      {"no request-target", ReplaceAll(auth, " (request-target)", ""), "(request-target)"},
      {"no date", ReplaceAll(auth, "date (request-target)", "(request-target)"), "x-date"},
      {"partial body headers", ReplaceAll(auth, " content-type", ""), "only some"},
      {"listed twice", ReplaceAll(auth, "host content-length", "host host content-length"),
       "twice"},
  };
  for (const Case& c : cases) {
    ASSERT_NE(c.header, auth) << c.name;  // the edit took effect
    Request r = good;
    r.headers["authorization"] = c.header;
    VerifyResult v = Verify(r);
    EXPECT_EQ(v.outcome, VerifyOutcome::kMalformed) << c.name << ": " << v.detail;
    EXPECT_THAT(v.detail, HasSubstr(c.reason)) << c.name;
  }
}

TEST(HttpVerifyTest, MalformedWhenASignedHeaderIsAbsentOrTheDateUnreadable) {
  Request r = Signed("POST", "/x", "{}");
  r.headers.erase("content-type");
  VerifyResult v = Verify(r);
  EXPECT_EQ(v.outcome, VerifyOutcome::kMalformed);
  EXPECT_THAT(v.detail, HasSubstr("content-type"));

  Request d = Signed("GET", "/x", "", SigningOptions::PythonSdk(),
                     {{"date", "2023-11-14T22:13:20Z"}});
  v = Verify(d);
  EXPECT_EQ(v.outcome, VerifyOutcome::kMalformed);
  EXPECT_THAT(v.detail, HasSubstr("not an HTTP date"));
}

TEST(HttpVerifyTest, BodyHeadersCanBeRequired) {
  SigningOptions binary;
  binary.binary_body = true;
  Request r = Signed("POST", "/20190101/models", "{}", binary);
  VerifyOptions strict;
  strict.require_body_signature = true;
  EXPECT_EQ(Verify(r, kNow, strict).outcome, VerifyOutcome::kMalformed);
  VerifyResult lenient = Verify(r);
  EXPECT_TRUE(lenient.ok());
  EXPECT_FALSE(lenient.body_signed);
  EXPECT_FALSE(lenient.body_hash_verified);
  // A GET never needs body headers.
  EXPECT_TRUE(Verify(Signed("GET", "/x", ""), kNow, strict).ok());
}

TEST(HttpVerifyTest, UnknownKey) {
  Request r = Signed("GET", "/x", "");
  VerifyResult v = VerifyRequest(r.method, r.target, r.headers, "",
                                 [](const KeyId&) { return std::optional<PublicKey>(); }, kNow);
  EXPECT_EQ(v.outcome, VerifyOutcome::kUnknownKey);
  // No callback at all.
  EXPECT_EQ(VerifyRequest(r.method, r.target, r.headers, "", nullptr, kNow).outcome,
            VerifyOutcome::kUnknownKey);
  // A lookup that returns a key whose fingerprint is not the keyId's.
  v = VerifyRequest(r.method, r.target, r.headers, "",
                    [](const KeyId&) { return std::optional(OtherKey().public_key()); }, kNow);
  EXPECT_EQ(v.outcome, VerifyOutcome::kUnknownKey);
  EXPECT_THAT(v.detail, HasSubstr("another fingerprint"));
}

TEST(HttpVerifyTest, BadSignature) {
  Request r = Signed("GET", "/x", "");
  Request other_method = r;
  other_method.method = "DELETE";
  EXPECT_EQ(Verify(other_method).outcome, VerifyOutcome::kBadSignature);
  Request other_host = r;
  other_host.headers["host"] = "evil:8080";
  EXPECT_EQ(Verify(other_host).outcome, VerifyOutcome::kBadSignature);
  // Signed by another key but claiming the test key's id.
  Request forged{"GET", "/x", {{"host", "localhost:8080"}}, ""};
  SigningOptions o;
  o.now = kNow;
  Result<HeaderMap> added = SignRequest("GET", "/x", forged.headers, "", TestKeyId(), OtherKey(), o);
  ASSERT_TRUE(added.ok());
  for (auto& [k, v] : *added) forged.headers[k] = v;
  EXPECT_EQ(Verify(forged).outcome, VerifyOutcome::kBadSignature);
  // The same signature bytes over a different date.
  Request redated = r;
  redated.headers["date"] = FormatHttpDate(kNow + seconds(1));
  EXPECT_EQ(Verify(redated).outcome, VerifyOutcome::kBadSignature);
}

TEST(HttpVerifyTest, ClockSkewEdges) {
  Request r = Signed("GET", "/x", "");
  EXPECT_TRUE(Verify(r, kNow + seconds(300)).ok());
  EXPECT_TRUE(Verify(r, kNow - seconds(300)).ok());
  EXPECT_EQ(Verify(r, kNow + seconds(301)).outcome, VerifyOutcome::kStaleDate);
  EXPECT_EQ(Verify(r, kNow - seconds(301)).outcome, VerifyOutcome::kStaleDate);
  VerifyOptions tight;
  tight.max_skew = seconds(10);
  EXPECT_EQ(Verify(r, kNow + seconds(11), tight).outcome, VerifyOutcome::kStaleDate);
  EXPECT_TRUE(Verify(r, kNow + seconds(10), tight).ok());
}

TEST(HttpVerifyTest, SignedXDateWinsOverUnsignedDate) {
  // The TypeScript SDK sends a signed x-date and an unsigned date.
  Request ts = Signed("GET", "/x", "", SigningOptions::TypeScriptSdk(),
                      {{"date", "Mon, 01 Jan 2001 00:00:00 GMT"}});
  EXPECT_TRUE(Verify(ts).ok());
  // An unsigned, fresh x-date does not rescue a stale signed date.
  Request py = Signed("GET", "/x", "");
  py.headers["x-date"] = FormatHttpDate(kNow + seconds(3600));
  EXPECT_TRUE(Verify(py).ok());
  EXPECT_EQ(Verify(py, kNow + seconds(3600)).outcome, VerifyOutcome::kStaleDate);
}

TEST(HttpVerifyTest, BodyHashMismatch) {
  Request r = Signed("POST", "/20190101/models", "{\"displayName\":\"a\"}");
  Request changed = r;
  changed.body = "{\"displayName\":\"b\"}";
  VerifyResult v = Verify(changed);
  EXPECT_EQ(v.outcome, VerifyOutcome::kBodyHashMismatch);
  EXPECT_THAT(v.ToStatus().message(), HasSubstr("body hash mismatch"));
  Request longer = r;
  longer.body += " ";
  EXPECT_EQ(Verify(longer).outcome, VerifyOutcome::kBodyHashMismatch);
}

TEST(HttpVerifyTest, StreamedBodyLeavesTheHashToTheCaller) {
  Request r = Signed("PUT", "/x", "{\"k\":1}");
  VerifyResult v = VerifyRequest(r.method, r.target, r.headers, std::nullopt, Lookup(), kNow);
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_FALSE(v.body_hash_verified);
  EXPECT_EQ(v.body_sha256_to_check, Sha256Base64("{\"k\":1}"));
}

TEST(HttpVerifyTest, SecurityTokenKeyIdReachesTheLookup) {
  Request r{"GET", "/x", {{"host", "h"}}, ""};
  SigningOptions o;
  o.now = kNow;
  Result<HeaderMap> added = SignRequest("GET", "/x", r.headers, "", "ST$tok.en", TestKey(), o);
  ASSERT_TRUE(added.ok());
  for (auto& [k, v] : *added) r.headers[k] = v;
  std::string seen;
  VerifyResult v = VerifyRequest(
      "GET", "/x", r.headers, "",
      [&](const KeyId& id) -> std::optional<PublicKey> {
        seen = id.token;
        return id.kind == KeyId::Kind::kSecurityToken ? std::optional(TestKey().public_key())
                                                      : std::nullopt;
      },
      kNow);
  EXPECT_TRUE(v.ok()) << v.detail;
  EXPECT_EQ(seen, "tok.en");
}

TEST(HttpVerifyTest, SignRequestRefusesBadInput) {
  SigningOptions o;
  o.now = kNow;
  Result<HeaderMap> no_host = SignRequest("GET", "/x", {}, "", TestKeyId(), TestKey(), o);
  ASSERT_FALSE(no_host.ok());
  EXPECT_THAT(no_host.status().message(), HasSubstr("no host"));
  Result<HeaderMap> bad_length = SignRequest(
      "POST", "/x", {{"host", "h"}, {"Content-Length", "3"}}, "{}", TestKeyId(), TestKey(), o);
  ASSERT_FALSE(bad_length.ok());
  EXPECT_THAT(bad_length.status().message(), HasSubstr("content-length"));
  // A caller-chosen content type is kept and signed.
  Result<HeaderMap> typed = SignRequest("POST", "/x",
                                        {{"host", "h"}, {"Content-Type", "text/plain"}}, "hi",
                                        TestKeyId(), TestKey(), o);
  ASSERT_TRUE(typed.ok());
  EXPECT_EQ(typed->at("content-type"), "text/plain");
}

}  // namespace
}  // namespace ads::iam
