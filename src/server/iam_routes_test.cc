// The Identity routes through server::Router::Dispatch, signed as the OCI
// SDKs sign, against a real IamService on a SQLite file.
#include "server/iam_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/env.h"
#include "iam/bootstrap.h"
#include "iam/http_signature.h"
#include "iam/oci_config.h"
#include "server/route_test_util.h"

namespace ads::server {
namespace {

using ::testing::HasSubstr;

struct Reply {
  int status = 0;
  Json json;
  std::string body;
};

struct Signer {
  std::string key_id;
  iam::PrivateKey key;
};

class IamRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = env_.MakeTempDir("iam_routes_test");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    auto db = store::Database::Open(JoinPath(dir_, "ads.db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    iam::BootstrapOptions options;
    options.data_dir = dir_;
    options.config_path = JoinPath(dir_, "config");
    auto boot = iam::Bootstrap(env_, *db_, options);
    ASSERT_TRUE(boot.ok()) << boot.status().ToString();
    boot_ = *boot;
    auto config = iam::LoadOciConfig(env_, boot_.config_path);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    auto key = iam::LoadPrivateKey(env_, *config);
    ASSERT_TRUE(key.ok());
    admin_ = std::make_unique<Signer>(Signer{config->KeyId(), *key});
    auto service = iam::IamService::Open(env_, *db_);
    ASSERT_TRUE(service.ok());
    iam_ = std::move(*service);
    router_ = std::make_unique<Router>(env_, iam_.get());
    AddIamRoutes(*router_, *iam_);
    tenancy_ = boot_.tenancy_id;
  }
  void TearDown() override {
    router_.reset();
    iam_.reset();
    db_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }

  // Sends a request signed by `who` (unsigned when null).
  Reply Send(const Signer* who, const std::string& method, const std::string& target,
             const Json& body = nullptr) {
    const std::string text = body.is_null() ? "" : body.dump();
    test_util::SignedRequest options;
    if (method == "POST" || method == "PUT") {
      options.headers["content-length"] = std::to_string(text.size());
      options.headers["content-type"] = "application/json";
    }
    test_util::Reply sent = test_util::SendSigned(*router_, method, target, text,
                                                  std::move(options),
                                                  who == nullptr ? "" : who->key_id,
                                                  who == nullptr ? nullptr : &who->key);
    Reply reply{sent.status, nullptr, sent.body};
    if (!sent.body.empty()) reply.json = ParseJson(sent.body).value_or(nullptr);
    return reply;
  }
  Reply Admin(const std::string& method, const std::string& target, const Json& body = nullptr) {
    return Send(admin_.get(), method, target, body);
  }
  std::string Created(const std::string& collection, Json details) {
    Reply r = Admin("POST", "/20160918/" + collection, details);
    EXPECT_EQ(r.status, 200) << r.body;
    return StringMemberOr(r.json, "id");
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  iam::BootstrapResult boot_;
  std::unique_ptr<Signer> admin_;
  std::unique_ptr<iam::IamService> iam_;
  std::unique_ptr<Router> router_;
  std::string tenancy_;
};

TEST_F(IamRoutesTest, AdminManagesEveryKind) {
  const std::string team = Created(
      "compartments", {{"compartmentId", tenancy_}, {"name", "team"}, {"description", "t"}});
  Reply got = Admin("GET", "/20160918/compartments/" + team);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json["name"], "team");
  EXPECT_EQ(got.json["compartmentId"], tenancy_);
  EXPECT_EQ(got.json["lifecycleState"], "ACTIVE");
  Reply listed = Admin("GET", "/20160918/compartments?compartmentId=" + tenancy_);
  ASSERT_EQ(listed.status, 200);
  ASSERT_TRUE(listed.json.is_array());
  EXPECT_EQ(listed.json.size(), 1u);
  Reply renamed = Admin("PUT", "/20160918/compartments/" + team, {{"description", "the team"}});
  EXPECT_EQ(renamed.json["description"], "the team");

  const std::string user =
      Created("users", {{"compartmentId", tenancy_}, {"name", "bob"}, {"description", "bob"}});
  const std::string group =
      Created("groups", {{"compartmentId", tenancy_}, {"name", "team-ds"}, {"description", "g"}});
  Reply membership =
      Admin("POST", "/20160918/userGroupMemberships", {{"userId", user}, {"groupId", group}});
  ASSERT_EQ(membership.status, 200) << membership.body;
  EXPECT_EQ(membership.json["compartmentId"], tenancy_);
  Reply members = Admin(
      "GET", "/20160918/userGroupMemberships?compartmentId=" + tenancy_ + "&groupId=" + group);
  ASSERT_EQ(members.status, 200) << members.body;
  EXPECT_EQ(members.json.size(), 1u);
  const std::string policy = Created(
      "policies",
      {{"compartmentId", tenancy_},
       {"name", "team-ds"},
       {"description", "p"},
       {"statements", {"allow group team-ds to manage data-science-family in compartment team"}}});
  EXPECT_EQ(Admin("GET", "/20160918/policies/" + policy).json["statements"].size(), 1u);
  const std::string dg =
      Created("dynamicGroups", {{"compartmentId", tenancy_},
                                {"name", "deployments"},
                                {"description", "d"},
                                {"matchingRule", "resource.type='datasciencemodeldeployment'"}});
  EXPECT_EQ(Admin("GET", "/20160918/dynamicGroups/" + dg).json["matchingRule"],
            "resource.type='datasciencemodeldeployment'");

  auto key = iam::PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  Reply uploaded =
      Admin("POST", "/20160918/users/" + user + "/apiKeys", {{"key", key->public_key().ToPem()}});
  ASSERT_EQ(uploaded.status, 200) << uploaded.body;
  const std::string fingerprint = uploaded.json["fingerprint"].get<std::string>();
  EXPECT_EQ(fingerprint, key->public_key().Fingerprint());
  EXPECT_EQ(Admin("GET", "/20160918/users/" + user + "/apiKeys").json.size(), 1u);

  // Bob can now work in his compartment; after his key goes, he cannot sign.
  Signer bob{uploaded.json["keyId"].get<std::string>(), *key};
  EXPECT_TRUE(iam_->IsAllowed(*iam_->PrincipalFor(*iam::ParseKeyId(bob.key_id)), iam::Verb::kManage,
                              iam::kModels, team));
  EXPECT_EQ(Admin("DELETE", "/20160918/users/" + user + "/apiKeys/" + fingerprint).status, 204);
  EXPECT_EQ(Send(&bob, "GET", "/20160918/users/" + user + "/apiKeys").status, 401);

  EXPECT_EQ(
      Admin("DELETE", "/20160918/userGroupMemberships/" + membership.json["id"].get<std::string>())
          .status,
      204);
  // A compartment with a child is not empty; once the child goes, it can go.
  const std::string child =
      Created("compartments", {{"compartmentId", team}, {"name", "child"}, {"description", ""}});
  Reply not_empty = Admin("DELETE", "/20160918/compartments/" + team);
  EXPECT_EQ(not_empty.status, 409) << not_empty.body;
  EXPECT_EQ(not_empty.json["code"], "IncorrectState");
  EXPECT_EQ(Admin("DELETE", "/20160918/compartments/" + child).status, 204);
  EXPECT_EQ(Admin("DELETE", "/20160918/compartments/" + team).status, 204);
  EXPECT_EQ(Admin("DELETE", "/20160918/policies/" + policy).status, 204);
  EXPECT_EQ(Admin("DELETE", "/20160918/dynamicGroups/" + dg).status, 204);
  EXPECT_EQ(Admin("DELETE", "/20160918/groups/" + group).status, 204);
  EXPECT_EQ(Admin("DELETE", "/20160918/users/" + user).status, 204);
  EXPECT_EQ(Admin("GET", "/20160918/users/" + user).json["lifecycleState"], "DELETED");
  EXPECT_EQ(Admin("GET", "/20160918/users?compartmentId=" + tenancy_).json.size(), 1u);  // admin

  Reply tenancy = Admin("GET", "/20160918/tenancies/" + tenancy_);
  ASSERT_EQ(tenancy.status, 200);
  EXPECT_EQ(tenancy.json["id"], tenancy_);
}

TEST_F(IamRoutesTest, BadInputIsA400NamingTheProblem) {
  Reply bad = Admin("POST", "/20160918/policies",
                    {{"compartmentId", tenancy_},
                     {"name", "p"},
                     {"description", "p"},
                     {"statements", {"allow group g to fly buckets in tenancy"}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.json["code"], "InvalidParameter");
  EXPECT_THAT(bad.json["message"].get<std::string>(), HasSubstr("found `fly`"));
  Reply where = Admin("POST", "/20160918/policies",
                      {{"compartmentId", tenancy_},
                       {"name", "p"},
                       {"statements",
                        {"allow group g to read buckets in tenancy where "
                         "target.bucket.name='x'"}}});
  EXPECT_EQ(where.status, 400);
  EXPECT_THAT(where.json["message"].get<std::string>(), HasSubstr("not supported"));
  EXPECT_EQ(Admin("GET", "/20160918/users").status, 400);  // no compartmentId
  EXPECT_EQ(Admin("POST", "/20160918/groups", {{"name", "x"}}).status, 400);
  Reply dup =
      Admin("POST", "/20160918/groups", {{"compartmentId", tenancy_}, {"name", "ADMINISTRATORS"}});
  EXPECT_EQ(dup.status, 409);
  Reply bad_key = Admin("POST", "/20160918/users/" + boot_.admin_user_id + "/apiKeys",
                        {{"key", "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n"}});
  EXPECT_EQ(bad_key.status, 400);
  EXPECT_EQ(Admin("GET", "/20160918/groups/ocid1.group.oc1..missing").status, 404);
  Reply put = Admin("PUT", "/20160918/policies/" + boot_.admin_policy_id,
                    {{"statements", {"allow group Administrators to manage all-resources"}}});
  EXPECT_EQ(put.status, 400);
  EXPECT_THAT(put.json["message"].get<std::string>(), HasSubstr("expected `in`"));
  EXPECT_EQ(Admin("GET",
                  "/20160918/userGroupMemberships?compartmentId=ocid1.compartment.oc1..x&"
                  "userId=" +
                      boot_.admin_user_id)
                .status,
            400);
}

TEST_F(IamRoutesTest, OthersNeedPoliciesButManageTheirOwnKeys) {
  EXPECT_EQ(Send(nullptr, "GET", "/20160918/users?compartmentId=" + tenancy_).status, 401);

  auto carol = iam_->CreateUserWithKey("carol", {});
  ASSERT_TRUE(carol.ok()) << carol.status().ToString();
  Signer c{carol->key_id, carol->key};
  Reply users = Send(&c, "GET", "/20160918/users?compartmentId=" + tenancy_);
  EXPECT_EQ(users.status, 404);
  EXPECT_EQ(users.json["code"], "NotAuthorizedOrNotFound");
  EXPECT_EQ(Send(&c, "GET", "/20160918/users/" + boot_.admin_user_id).status, 404);
  EXPECT_EQ(
      Send(&c, "POST", "/20160918/groups", {{"compartmentId", tenancy_}, {"name", "mine"}}).status,
      404);
  EXPECT_EQ(Send(&c, "GET", "/20160918/users/" + boot_.admin_user_id + "/apiKeys").status, 404);
  Reply own = Send(&c, "GET", "/20160918/users/" + carol->user_id + "/apiKeys");
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(own.json.size(), 1u);
  auto second = iam::PrivateKey::Generate();
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(Send(&c, "POST", "/20160918/users/" + carol->user_id + "/apiKeys",
                 {{"key", second->public_key().ToPem()}})
                .status,
            200);

  // A policy on compartments in one subtree lets her manage just there.
  const std::string team =
      Created("compartments", {{"compartmentId", tenancy_}, {"name", "team"}, {"description", ""}});
  const std::string group =
      Created("groups", {{"compartmentId", tenancy_}, {"name", "leads"}, {"description", ""}});
  ASSERT_TRUE(iam_->AddUserToGroup(carol->user_id, group).ok());
  Created("policies", {{"compartmentId", team},
                       {"name", "leads"},
                       {"description", ""},
                       {"statements",
                        {"allow group leads to manage compartments in compartment "
                         "team"}}});
  Reply sub = Send(&c, "POST", "/20160918/compartments",
                   {{"compartmentId", team}, {"name", "sub"}, {"description", ""}});
  EXPECT_EQ(sub.status, 200) << sub.body;
  EXPECT_EQ(Send(&c, "POST", "/20160918/compartments",
                 {{"compartmentId", tenancy_}, {"name", "top"}, {"description", ""}})
                .status,
            404);
  EXPECT_EQ(Send(&c, "GET", "/20160918/compartments?compartmentId=" + team).json.size(), 1u);
  EXPECT_EQ(Send(&c, "GET", "/20160918/tenancies/" + tenancy_).status, 200);
}

}  // namespace
}  // namespace ads::server
