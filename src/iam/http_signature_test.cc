#include "iam/http_signature.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "base/env.h"
#include "base/hash.h"

namespace ads::iam {
namespace {

using ::testing::HasSubstr;
using std::chrono::seconds;

std::string Fixture(const std::string& name) {
  Result<std::string> text =
      Env::Default()->ReadFile(std::string(ADS_SOURCE_DIR) + "/tests/data/iam/" + name);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.value_or("");
}

PrivateKey DocKey() {
  Result<PrivateKey> key = PrivateKey::FromPem(Fixture("oci_doc_key.pem"));
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return *key;
}

// The published example (Oracle's "Request Signatures" page; the expected
// values are those of oracle/oci-go-sdk common/http_signer_test.go, re-checked
// with `openssl dgst -sha256 -sign`, see tests/data/iam/README.md).
constexpr char kDocKeyId[] =
    "ocid1.tenancy.oc1..aaaaaaaaba3pv6wkcr4jqae5f15p2b2m2yt2j6rx32uzr4h25vqstifsfdsq/"
    "ocid1.user.oc1..aaaaaaaat5nvwcna5j6aqzjcaty5eqbb6qt2jvpkanghtgdaqedqw3rynjq/"
    "20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34";
constexpr char kDocDate[] = "Thu, 05 Jan 2014 21:31:40 GMT";
constexpr char kDocHost[] = "iaas.us-phoenix-1.oraclecloud.com";
constexpr char kDocGetTarget[] =
    "/20160918/instances?availabilityDomain=Pjwf%3A%20PHX-AD-1&compartmentId=ocid1."
    "compartment.oc1..aaaaaaaam3we6vgnherjq5q2idnccdflvjsnog7mlr6rtdb25gilchfeyjxa&"
    "displayName=TeamXInstances&volumeId=ocid1.volume.oc1.phx."
    "abyhqljrgvttnlx73nmrwfaux7kcvzfs3s66izvxf2h4lgvyndsdsnoiwr5q";
constexpr char kDocGetSignature[] =
    "GBas7grhyrhSKHP6AVIj/h5/Vp8bd/peM79H9Wv8kjoaCivujVXlpbKLjMPeDUhxkFIWtTtLBj3sUzaFj34XE6YZAHc"
    "9r2DmE4pMwOAy/kiITcZxa1oHPOeRheC0jP2dqbTll8fmTZVwKZOKHYPtrLJIJQHJjNvxFWeHQjMaR7M=";
constexpr char kDocPostTarget[] = "/20160918/volumeAttachments";
constexpr char kDocPostSha256[] = "V9Z20UJTvkvpJ50flBzKE32+6m2zJjweHpDMX/U4Uy0=";
constexpr char kDocPostSignature[] =
    "Mje8vIDPlwIHmD/cTDwRxE7HaAvBg16JnVcsuqaNRim23fFPgQfLoOOxae6WqKb1uPjYEl0qIdazWaBy/Ml8DRhqlo"
    "cMwoSXv0fbukP8J5N80LCmzT/FFBvIvTB91XuXI3hYfP9Zt1l7S6ieVadHUfqBedWH0itrtPJBgKmrWso=";

TimePoint DocTime() { return *ParseHttpDate(kDocDate); }

KeyLookup LookupOf(const PublicKey& key) {
  return [key](const KeyId&) -> std::optional<PublicKey> { return key; };
}

// The doc key id carries a placeholder fingerprint, so the known-answer
// checks look the key up without comparing fingerprints: they use a keyId
// with the real one.
std::string RealDocKeyId() {
  return "ocid1.tenancy.oc1..aaaaaaaaba3pv6wkcr4jqae5f15p2b2m2yt2j6rx32uzr4h25vqstifsfdsq/"
         "ocid1.user.oc1..aaaaaaaat5nvwcna5j6aqzjcaty5eqbb6qt2jvpkanghtgdaqedqw3rynjq/" +
         DocKey().public_key().Fingerprint();
}

TEST(HttpSignatureTest, KnownAnswerGet) {
  Result<HeaderMap> added = SignRequest("GET", kDocGetTarget, {{"Host", kDocHost}, {"date", kDocDate}},
                                        "", kDocKeyId, DocKey(), SigningOptions::PythonSdk());
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->at("authorization"),
            std::string("Signature version=\"1\",keyId=\"") + kDocKeyId +
                "\",algorithm=\"rsa-sha256\",headers=\"date (request-target) host\","
                "signature=\"" + kDocGetSignature + "\"");
  EXPECT_EQ(added->at("date"), kDocDate);
  EXPECT_EQ(added->at("host"), kDocHost);
  EXPECT_EQ(added->count("x-content-sha256"), 0u);
}

TEST(HttpSignatureTest, KnownAnswerPost) {
  const std::string body = Fixture("oci_doc_post_body.json");
  ASSERT_EQ(body.size(), 316u);
  // The date is passed as a header: the example's "Thu" is not the weekday
  // of 5 Jan 2014 (a Sunday), so FormatHttpDate could not reproduce it.
  EXPECT_EQ(FormatHttpDate(DocTime()), "Sun, 05 Jan 2014 21:31:40 GMT");
  Result<HeaderMap> added =
      SignRequest("POST", kDocPostTarget, {{"host", kDocHost}, {"Date", kDocDate}}, body,
                  kDocKeyId, DocKey(), SigningOptions::PythonSdk());
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->at("x-content-sha256"), kDocPostSha256);
  EXPECT_EQ(added->at("content-length"), "316");
  EXPECT_EQ(added->at("content-type"), "application/json");
  EXPECT_EQ(added->at("date"), kDocDate);
  EXPECT_EQ(added->at("authorization"),
            std::string("Signature version=\"1\",keyId=\"") + kDocKeyId +
                "\",algorithm=\"rsa-sha256\",headers=\"date (request-target) host "
                "content-length content-type x-content-sha256\",signature=\"" +
                kDocPostSignature + "\"");
}

TEST(HttpSignatureTest, VerifiesThePublishedSignatures) {
  const PublicKey pub = DocKey().public_key();
  const std::string key_id = RealDocKeyId();
  HeaderMap get = {{"Date", kDocDate}, {"Host", kDocHost},
                   {"Authorization", std::string("Signature version=\"1\",keyId=\"") + key_id +
                                         "\",algorithm=\"rsa-sha256\",headers=\"date "
                                         "(request-target) host\",signature=\"" +
                                         kDocGetSignature + "\""}};
  VerifyResult r = VerifyRequest("GET", kDocGetTarget, get, "", LookupOf(pub), DocTime());
  EXPECT_TRUE(r.ok()) << r.detail;

  const std::string body = Fixture("oci_doc_post_body.json");
  HeaderMap post = {{"date", kDocDate}, {"host", kDocHost}, {"content-length", "316"},
                    {"content-type", "application/json"}, {"x-content-sha256", kDocPostSha256},
                    {"authorization", std::string("Signature version=\"1\",keyId=\"") + key_id +
                                          "\",algorithm=\"rsa-sha256\",headers=\"date "
                                          "(request-target) host content-length content-type "
                                          "x-content-sha256\",signature=\"" +
                                          kDocPostSignature + "\""}};
  r = VerifyRequest("POST", kDocPostTarget, post, body, LookupOf(pub), DocTime());
  EXPECT_TRUE(r.ok()) << r.detail;
  EXPECT_TRUE(r.body_signed);
  EXPECT_TRUE(r.body_hash_verified);
  // One changed byte of the target breaks the published signature.
  r = VerifyRequest("GET", std::string(kDocGetTarget) + "x", get, "", LookupOf(pub), DocTime());
  EXPECT_EQ(r.outcome, VerifyOutcome::kBadSignature);
}

TEST(HttpSignatureTest, HttpDateFormatAndParse) {
  EXPECT_EQ(FormatHttpDate(TimePoint(seconds(0))), "Thu, 01 Jan 1970 00:00:00 GMT");
  // 1700000000 is 2023-11-14T22:13:20Z (a Tuesday), per `date -u -d @1700000000`.
  EXPECT_EQ(FormatHttpDate(TimePoint(seconds(1700000000))), "Tue, 14 Nov 2023 22:13:20 GMT");
  Result<TimePoint> t = ParseHttpDate("Tue, 14 Nov 2023 22:13:20 GMT");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, TimePoint(seconds(1700000000)));
  EXPECT_TRUE(ParseHttpDate("Tue, 4 Nov 2023 22:13:20 GMT").ok());
  for (const char* bad : {"", "Tuesday, 14 Nov 2023 22:13:20 GMT", "Tue, 14 Nov 2023 22:13:20",
                          "Tue, 14 Nov 2023 22:13:20 UTC", "Tue, 31 Feb 2023 22:13:20 GMT",
                          "Tue, 14 Nox 2023 22:13:20 GMT", "Tue, 14 Nov 2023 24:13:20 GMT",
                          "2023-11-14T22:13:20Z", "Tue, 14 Nov 2023 22:13:20 GMT "}) {
    EXPECT_FALSE(ParseHttpDate(bad).ok()) << bad;
  }
}

TEST(HttpSignatureTest, ParsesKeyIdForms) {
  Result<KeyId> api = ParseKeyId("ocid1.tenancy.oc1..a/ocid1.user.oc1..b/aa:bb");
  ASSERT_TRUE(api.ok());
  EXPECT_EQ(api->kind, KeyId::Kind::kApiKey);
  EXPECT_EQ(api->tenancy, "ocid1.tenancy.oc1..a");
  EXPECT_EQ(api->user, "ocid1.user.oc1..b");
  EXPECT_EQ(api->fingerprint, "aa:bb");
  Result<KeyId> token = ParseKeyId("ST$eyJhbGciOi.x.y");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->kind, KeyId::Kind::kSecurityToken);
  EXPECT_EQ(token->token, "eyJhbGciOi.x.y");
  for (const char* bad : {"", "a/b", "a/b/c/d", "a//c", "ST$"}) {
    EXPECT_FALSE(ParseKeyId(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace ads::iam
