#include "iam/session_token.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "base/env.h"
#include "base/hash.h"
#include "base/json.h"
#include "base/strings.h"
#include "iam/iam_service.h"

namespace ads::iam {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

std::string B64Url(std::string_view bytes) {
  std::string text = Base64Encode(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return text;
}

std::string DecodePart(std::string_view part) {
  std::string out;
  EXPECT_TRUE(Base64Decode(part, &out));
  return out;
}

class SessionTokenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_key_ = new PrivateKey(PrivateKey::Generate().value());
    session_key_ = new PrivateKey(PrivateKey::Generate().value());
  }
  static void TearDownTestSuite() {
    delete server_key_;
    delete session_key_;
  }
  void SetUp() override {
    options_.lifetime = seconds(600);
    authority_ = std::make_unique<SessionTokenAuthority>(*server_key_, options_);
  }

  std::string IssueOk(TimePoint now) {
    auto token = authority_->Issue(who_, session_key_->public_key(), now);
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.value_or("");
  }
  // A token over `payload` signed with the server key (for claims that
  // Issue never writes).
  std::string SignedToken(const Json& payload,
                          const Json& header = {{"alg", "RS256"}, {"typ", "JWT"}}) {
    const std::string part = B64Url(header.dump()) + "." + B64Url(payload.dump());
    return part + "." + B64Url(server_key_->SignSha256(part).value());
  }
  std::string Failure(std::string_view token, TimePoint now) {
    auto verified = authority_->Verify(token, now);
    EXPECT_FALSE(verified.ok()) << token;
    if (verified.ok()) return "";
    EXPECT_EQ(verified.status().code(), StatusCode::kUnauthenticated);
    return verified.status().message();
  }

  static inline PrivateKey* server_key_ = nullptr;
  static inline PrivateKey* session_key_ = nullptr;
  SessionTokenOptions options_;
  std::unique_ptr<SessionTokenAuthority> authority_;
  const ResourceIdentity who_{std::string(kModelDeploymentType),
                              "ocid1.datasciencemodeldeployment.oc1.iad.d1",
                              "ocid1.compartment.oc1..c1", "ocid1.tenancy.oc1..t1"};
  const TimePoint now_ = TimePoint(seconds(1'800'000'000));
};

TEST_F(SessionTokenTest, IssuesAJwtThatVerifies) {
  const std::string token = IssueOk(now_);
  const std::vector<std::string> parts = Split(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  const Json header = Json::parse(DecodePart(parts[0]));
  EXPECT_EQ(header["alg"], "RS256");
  const Json payload = Json::parse(DecodePart(parts[1]));
  EXPECT_EQ(payload["sub"], who_.id);
  EXPECT_EQ(payload["res_type"], "datasciencemodeldeployment");
  EXPECT_EQ(payload["res_id"], who_.id);
  EXPECT_EQ(payload["res_compartment"], who_.compartment_id);
  EXPECT_EQ(payload["res_tenant"], who_.tenancy_id);
  EXPECT_EQ(payload["iat"], 1'800'000'000);
  EXPECT_EQ(payload["exp"], 1'800'000'600);
  EXPECT_EQ(payload["jti"].get<std::string>().size(), 32u);
  const Json jwk = Json::parse(payload["jwk"].get<std::string>());
  EXPECT_EQ(jwk["kty"], "RSA");
  EXPECT_EQ(jwk["e"], "AQAB");

  auto verified = authority_->Verify(token, now_ + seconds(10));
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->claims.resource.id, who_.id);
  EXPECT_EQ(verified->claims.resource.compartment_id, who_.compartment_id);
  EXPECT_EQ(verified->claims.resource.tenancy_id, who_.tenancy_id);
  EXPECT_EQ(verified->claims.jti, payload["jti"]);
  EXPECT_TRUE(verified->session_key == session_key_->public_key());
  // The session key from the jwk verifies what the session private key signs.
  EXPECT_TRUE(verified->session_key.VerifySha256("x", session_key_->SignSha256("x").value()));
  // Two tokens never share a jti.
  EXPECT_NE(Json::parse(DecodePart(Split(IssueOk(now_), '.')[1]))["jti"], payload["jti"]);
}

TEST_F(SessionTokenTest, TamperedPayloadIsRefused) {
  const std::vector<std::string> parts = Split(IssueOk(now_), '.');
  Json payload = Json::parse(DecodePart(parts[1]));
  payload["res_compartment"] = "ocid1.compartment.oc1..other";
  const std::string forged = parts[0] + "." + B64Url(payload.dump()) + "." + parts[2];
  EXPECT_THAT(Failure(forged, now_), HasSubstr("signature that does not verify"));
  // Also after the genuine token was verified (and cached).
  ASSERT_TRUE(authority_->Verify(Join(parts, "."), now_).ok());
  EXPECT_THAT(Failure(forged, now_), HasSubstr("signature that does not verify"));
}

TEST_F(SessionTokenTest, TokenOfAnotherKeyIsRefused) {
  SessionTokenAuthority other(PrivateKey::Generate().value(), options_);
  const std::string token = other.Issue(who_, session_key_->public_key(), now_).value();
  EXPECT_THAT(Failure(token, now_), HasSubstr("not issued by this server"));
}

TEST_F(SessionTokenTest, ExpiryAllowsTheClockSkewOnly) {
  const std::string token = IssueOk(now_);
  const TimePoint exp = now_ + seconds(600);
  EXPECT_TRUE(authority_->Verify(token, exp + seconds(299)).ok());
  EXPECT_THAT(Failure(token, exp + seconds(301)), HasSubstr("expired"));
  // A cached token expires all the same.
  EXPECT_THAT(Failure(token, exp + seconds(3600)), HasSubstr("expired"));
  // Issued in the future (beyond the skew): a clock is wrong.
  EXPECT_THAT(Failure(IssueOk(now_ + seconds(900)), now_), HasSubstr("in the future"));
}

TEST_F(SessionTokenTest, MalformedTokensGetClearErrors) {
  EXPECT_THAT(Failure("abc", now_), HasSubstr("three base64url parts"));
  EXPECT_THAT(Failure("a.b", now_), HasSubstr("three base64url parts"));
  EXPECT_THAT(Failure("a.b.c.d", now_), HasSubstr("three base64url parts"));
  EXPECT_THAT(Failure("e30.e30.a+b=", now_), HasSubstr("not base64url"));
  EXPECT_THAT(Failure("e30.!!.c2ln", now_), HasSubstr("not base64url"));
  EXPECT_THAT(Failure(B64Url("not json") + ".e30.c2ln", now_), HasSubstr("header"));
  EXPECT_THAT(Failure("e30." + B64Url("[1,2]") + ".c2ln", now_), HasSubstr("payload"));
  EXPECT_THAT(Failure(B64Url(R"({"alg":"none"})") + ".e30.c2ln", now_), HasSubstr("only RS256"));
}

TEST_F(SessionTokenTest, SignedTokensWithBadClaimsAreRefused) {
  Json good = Json::parse(DecodePart(Split(IssueOk(now_), '.')[1]));
  ASSERT_TRUE(authority_->Verify(SignedToken(good), now_).ok());
  for (const char* claim : {"res_tenant", "res_type", "res_compartment", "jti", "iat"}) {
    Json p = good;
    p.erase(claim);
    EXPECT_THAT(Failure(SignedToken(p), now_), HasSubstr(std::string("no ") + claim)) << claim;
  }
  Json p = good;
  p["exp"] = "tomorrow";
  EXPECT_THAT(Failure(SignedToken(p), now_), HasSubstr("no exp claim"));
  p = good;
  p["iss"] = "someone-else";
  EXPECT_THAT(Failure(SignedToken(p), now_), HasSubstr("not by this server"));
  p = good;
  p["jwk"] = "{not json";
  EXPECT_THAT(Failure(SignedToken(p), now_), HasSubstr("jwk claim that is not JSON"));
  p = good;
  p["jwk"] = R"({"kty":"RSA","n":"AQAB","e":"AQAB"})";
  EXPECT_THAT(Failure(SignedToken(p), now_), HasSubstr("unusable jwk"));
  p = good;
  p.erase("jwk");
  EXPECT_THAT(Failure(SignedToken(p), now_), HasSubstr("no jwk"));
  // The jwk may also be a JSON object.
  p = good;
  p["jwk"] = Json::parse(good["jwk"].get<std::string>());
  EXPECT_TRUE(authority_->Verify(SignedToken(p), now_).ok());
}

TEST_F(SessionTokenTest, RevokedTokensStopVerifying) {
  const std::string token = IssueOk(now_);
  ASSERT_TRUE(authority_->Verify(token, now_).ok());
  authority_->RevokeResource(who_.id);
  EXPECT_THAT(Failure(token, now_), HasSubstr("revoked"));
  // Tokens issued afterwards are good.
  EXPECT_TRUE(authority_->Verify(IssueOk(now_), now_).ok());
}

TEST_F(SessionTokenTest, IssueNeedsTheWholeIdentity) {
  ResourceIdentity partial = who_;
  partial.tenancy_id.clear();
  EXPECT_EQ(authority_->Issue(partial, session_key_->public_key(), now_).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SessionTokenOpenTest, CreatesThePrivateKeyFileOnceWithMode0600) {
  Env& env = *Env::Default();
  const std::string dir = env.MakeTempDir("session_token_test").value();
  const std::string file = JoinPath(dir, "keys/session-token.pem");
  auto first = SessionTokenAuthority::Open(env, file, {});
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  struct stat st;
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(JoinPath(dir, "keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto second = SessionTokenAuthority::Open(env, file, {});
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE((*first)->public_key() == (*second)->public_key());
  ASSERT_TRUE(env.WriteFile(file, "garbage").ok());
  EXPECT_THAT(SessionTokenAuthority::Open(env, file, {}).status().message(),
              HasSubstr("session token key"));
  env.RemoveAll(dir).IgnoreError();
}

// IamService: ST$ key ids become resource principals with their dynamic
// groups; users never match dynamic groups.
TEST(SessionTokenIamTest, TokensBecomeResourcePrincipals) {
  Env& env = *Env::Default();
  const std::string dir = env.MakeTempDir("session_token_iam").value();
  auto db = store::Database::Open(JoinPath(dir, "ads.db")).value();
  auto iam = IamService::Open(env, *db).value();
  const std::string tenancy = iam->CreateTenancy("acme", "us-ashburn-1", "ns").value().id;
  const std::string comp =
      (*iam->Create(IamKind::kCompartment,
                    {{"compartmentId", tenancy}, {"name", "ml"}, {"description", "ml"}}))["id"];
  SessionTokenAuthority authority(PrivateKey::Generate().value(), {});
  PrivateKey session = PrivateKey::Generate().value();
  const ResourceIdentity who{std::string(kModelDeploymentType),
                             "ocid1.datasciencemodeldeployment.oc1.iad.x", comp, tenancy};
  const std::string token = authority.Issue(who, session.public_key(), env.Now()).value();
  const KeyId key_id = ParseKeyId("ST$" + token).value();

  // Not enabled: an unknown key.
  EXPECT_FALSE(iam->LookupKey(key_id).has_value());
  iam->EnableSessionTokens(&authority);
  auto key = iam->LookupKey(key_id);
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(*key == session.public_key());

  ASSERT_TRUE(iam->Create(IamKind::kDynamicGroup, {{"compartmentId", tenancy},
                                                   {"name", "deployments"},
                                                   {"matchingRule",
                                                    "Any {resource.id = 'ocid1.nothing', All "
                                                    "{resource.type='datasciencemodeldeployment', "
                                                    "resource.compartment.id='" +
                                                        comp + "'}}"}})
                  .ok());
  ASSERT_TRUE(iam->Create(IamKind::kPolicy, {{"compartmentId", tenancy},
                                             {"name", "p"},
                                             {"statements",
                                              {"allow dynamic-group deployments to read "
                                               "data-science-models in compartment ml"}}})
                  .ok());
  auto principal = iam->PrincipalFor(key_id);
  ASSERT_TRUE(principal.ok()) << principal.status().ToString();
  EXPECT_EQ(principal->kind, Principal::Kind::kResource);
  EXPECT_EQ(principal->id, who.id);
  EXPECT_EQ(principal->compartment_id, comp);
  EXPECT_EQ(principal->group_ids.size(), 1u);
  EXPECT_TRUE(iam->IsAllowed(*principal, Verb::kRead, kModels, comp));
  EXPECT_FALSE(iam->IsAllowed(*principal, Verb::kManage, kModels, comp));
  EXPECT_FALSE(iam->IsAllowed(*principal, Verb::kRead, kModels, tenancy));

  // A user listing the dynamic group's id as a group gets nothing from it.
  Principal user{
      .tenancy_id = tenancy, .id = "ocid1.user.oc1..u", .group_ids = principal->group_ids};
  EXPECT_FALSE(iam->IsAllowed(user, Verb::kRead, kModels, comp));

  // A token for another tenancy is refused.
  ResourceIdentity foreign = who;
  foreign.tenancy_id = "ocid1.tenancy.oc1..other";
  const KeyId foreign_id =
      ParseKeyId("ST$" + authority.Issue(foreign, session.public_key(), env.Now()).value()).value();
  EXPECT_FALSE(iam->LookupKey(foreign_id).has_value());
  EXPECT_EQ(iam->PrincipalFor(foreign_id).status().code(), StatusCode::kUnauthenticated);

  iam.reset();
  db.reset();
  env.RemoveAll(dir).IgnoreError();
}

TEST(MatchingRuleSyntaxTest, BadRulesNameTheProblemAtCreateAndUpdate) {
  Env& env = *Env::Default();
  const std::string dir = env.MakeTempDir("session_token_rules").value();
  auto db = store::Database::Open(JoinPath(dir, "ads.db")).value();
  auto iam = IamService::Open(env, *db).value();
  const std::string tenancy = iam->CreateTenancy("acme", "us-ashburn-1", "ns").value().id;
  auto bad = iam->Create(IamKind::kDynamicGroup,
                         {{"compartmentId", tenancy},
                          {"name", "dg"},
                          {"matchingRule", "ALL {resource.type='x', resource.colour='red'}"}});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("resource.colour"));
  auto made = iam->Create(
      IamKind::kDynamicGroup,
      {{"compartmentId", tenancy}, {"name", "dg"}, {"matchingRule", "resource.type='x'"}});
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  auto updated = iam->Update(IamKind::kDynamicGroup, (*made)["id"].get<std::string>(),
                             {{"matchingRule", "any {resource.type='x'"}});
  EXPECT_EQ(updated.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(updated.status().message(), HasSubstr("expected `,` or `}` but found the end"));
  iam.reset();
  db.reset();
  env.RemoveAll(dir).IgnoreError();
}

}  // namespace
}  // namespace ads::iam
