#include "iam/iam_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "base/env.h"

namespace ads::iam {
namespace {

using ::testing::HasSubstr;

class IamServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = env_.MakeTempDir("iam_service_test");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    auto db = store::Database::Open(JoinPath(dir_, "ads.db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto iam = IamService::Open(env_, *db_);
    ASSERT_TRUE(iam.ok()) << iam.status().ToString();
    iam_ = std::move(*iam);
    auto tenancy = iam_->CreateTenancy("acme", "us-ashburn-1", "acmens");
    ASSERT_TRUE(tenancy.ok()) << tenancy.status().ToString();
    tenancy_ = tenancy->id;
  }
  void TearDown() override {
    iam_.reset();
    db_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }

  std::string MakeOk(IamKind kind, Json details) {
    auto made = iam_->Create(kind, details);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? (*made)["id"].get<std::string>() : "";
  }
  std::string Compartment(const std::string& parent, const std::string& name) {
    return MakeOk(IamKind::kCompartment,
                  {{"compartmentId", parent}, {"name", name}, {"description", name}});
  }
  std::string Group(const std::string& name) {
    return MakeOk(IamKind::kGroup, {{"compartmentId", tenancy_}, {"name", name}});
  }
  std::string Policy(const std::string& compartment, const std::string& name,
                     std::vector<std::string> statements) {
    return MakeOk(IamKind::kPolicy,
                  {{"compartmentId", compartment}, {"name", name}, {"statements", statements}});
  }
  Principal UserIn(std::vector<std::string> groups) {
    Principal p;
    p.tenancy_id = tenancy_;
    p.id = "ocid1.user.oc1..someone";
    p.group_ids = std::move(groups);
    return p;
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<IamService> iam_;
  std::string tenancy_;
};

TEST_F(IamServiceTest, TenancyIsSingleAndPersists) {
  EXPECT_EQ(iam_->tenancy_id(), tenancy_);
  EXPECT_TRUE(tenancy_.starts_with("ocid1.tenancy.oc1.."));
  EXPECT_EQ(iam_->CreateTenancy("again", "us-ashburn-1", "x").status().code(),
            StatusCode::kFailedPrecondition);
  auto reopened = IamService::Open(env_, *db_);
  ASSERT_TRUE(reopened.ok());
  auto t = (*reopened)->Tenancy();
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->id, tenancy_);
  EXPECT_EQ(t->namespace_name, "acmens");
  EXPECT_TRUE((*reopened)->CompartmentExists(tenancy_));
}

TEST_F(IamServiceTest, CompartmentsNestAndNamesAreUniqueAmongSiblings) {
  const std::string projects = Compartment(tenancy_, "Projects");
  const std::string iris = Compartment(projects, "Iris");
  Compartment(tenancy_, "Iris");  // same name, another parent: fine
  auto dup = iam_->Create(IamKind::kCompartment,
                          {{"compartmentId", projects}, {"name", "IRIS"}, {"description", ""}});
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  auto got = iam_->Get(IamKind::kCompartment, iris);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["compartmentId"], projects);
  EXPECT_EQ((*got)["name"], "Iris");
  EXPECT_EQ((*got)["lifecycleState"], "ACTIVE");
  EXPECT_TRUE((*got)["freeformTags"].is_object());
  auto listed = iam_->List(IamKind::kCompartment, projects);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE(iam_->CompartmentExists(iris));
  EXPECT_FALSE(iam_->CompartmentExists("ocid1.compartment.oc1..nope"));

  // Not empty: refused; empty: deleted, then gone from lists and checks.
  EXPECT_EQ(iam_->Delete(IamKind::kCompartment, projects).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(iam_->Delete(IamKind::kCompartment, iris).ok());
  EXPECT_FALSE(iam_->CompartmentExists(iris));
  EXPECT_EQ((*iam_->Get(IamKind::kCompartment, iris))["lifecycleState"], "DELETED");
  EXPECT_TRUE(iam_->List(IamKind::kCompartment, projects)->empty());
  EXPECT_EQ(iam_->Delete(IamKind::kCompartment, iris).code(), StatusCode::kNotFound);
  Compartment(projects, "Iris");  // the name is free again

  auto renamed =
      iam_->Update(IamKind::kCompartment, projects, {{"name", "Proj"}, {"description", "renamed"}});
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  EXPECT_EQ((*renamed)["name"], "Proj");
  EXPECT_EQ((*renamed)["description"], "renamed");
}

TEST_F(IamServiceTest, BadDetailsAreClearErrors) {
  auto no_name = iam_->Create(IamKind::kUser, {{"compartmentId", tenancy_}});
  EXPECT_EQ(no_name.status().code(), StatusCode::kInvalidArgument);
  auto spaces = iam_->Create(IamKind::kGroup, {{"compartmentId", tenancy_}, {"name", "a b"}});
  EXPECT_THAT(spaces.status().message(), HasSubstr("may only use"));
  auto elsewhere = iam_->Create(IamKind::kUser,
                                {{"compartmentId", Compartment(tenancy_, "C")}, {"name", "bob"}});
  EXPECT_THAT(elsewhere.status().message(), HasSubstr("must be the tenancy"));
  auto missing = iam_->Create(IamKind::kCompartment,
                              {{"compartmentId", "ocid1.compartment.oc1..x"}, {"name", "n"}});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto tags = iam_->Create(
      IamKind::kGroup, {{"compartmentId", tenancy_}, {"name", "g"}, {"freeformTags", {{"a", 1}}}});
  EXPECT_THAT(tags.status().message(), HasSubstr("freeformTags.a must be a string"));
  EXPECT_EQ(iam_->Create(IamKind::kGroup, Json::array()).status().code(),
            StatusCode::kInvalidArgument);
  auto rule = iam_->Create(
      IamKind::kDynamicGroup,
      {{"compartmentId", tenancy_}, {"name", "dg"}, {"matchingRule", "resource.colour='red'"}});
  EXPECT_THAT(rule.status().message(), HasSubstr("matching rule"));
}

TEST_F(IamServiceTest, PolicyStatementsAreValidatedAgainstTheAttachedCompartment) {
  const std::string projects = Compartment(tenancy_, "Projects");
  const std::string iris = Compartment(projects, "Iris");
  const std::string other = Compartment(tenancy_, "Other");
  auto in_tenancy = iam_->Create(IamKind::kPolicy,
                                 {{"compartmentId", projects},
                                  {"name", "p"},
                                  {"statements", {"allow group g to read buckets in tenancy"}}});
  EXPECT_THAT(in_tenancy.status().message(), HasSubstr("only allowed in policies attached"));
  auto outside =
      iam_->Create(IamKind::kPolicy,
                   {{"compartmentId", projects},
                    {"name", "p"},
                    {"statements", {"allow group g to read buckets in compartment id " + other}}});
  EXPECT_THAT(outside.status().message(), HasSubstr("outside the compartment"));
  auto unknown = iam_->Create(
      IamKind::kPolicy, {{"compartmentId", tenancy_},
                         {"name", "p"},
                         {"statements", {"allow group g to read buckets in compartment Nope"}}});
  EXPECT_THAT(unknown.status().message(), HasSubstr("no compartment `Nope`"));
  auto bad = iam_->Create(
      IamKind::kPolicy,
      {{"compartmentId", tenancy_},
       {"name", "p"},
       {"statements",
        {"allow group g to read buckets in tenancy", "allow group g to fly buckets in tenancy"}}});
  EXPECT_THAT(bad.status().message(), HasSubstr("allow group g to fly buckets"));
  EXPECT_EQ(
      iam_->Create(IamKind::kPolicy, {{"compartmentId", tenancy_}, {"name", "p"}}).status().code(),
      StatusCode::kInvalidArgument);
  // Paths resolve below the policy's compartment, or start with it.
  Policy(projects, "relative", {"allow group g to read buckets in compartment Iris"});
  Policy(projects, "self", {"allow group g to read buckets in compartment Projects:Iris"});
  Policy(tenancy_, "full", {"allow group g to read buckets in compartment Projects:Iris"});
  Policy(projects, "byid", {"allow group g to read buckets in compartment id " + iris});
}

TEST_F(IamServiceTest, GrantsInheritDownNestedCompartmentsOnly) {
  const std::string a = Compartment(tenancy_, "A");
  const std::string b = Compartment(a, "B");
  const std::string c = Compartment(b, "C");
  const std::string sibling = Compartment(tenancy_, "Sibling");
  const std::string ds = Group("DataScientists");
  Policy(a, "ds", {"allow group datascientists to manage data-science-family in compartment B"});
  const Principal who = UserIn({ds});
  EXPECT_FALSE(iam_->IsAllowed(who, Verb::kRead, kModels, a));
  EXPECT_TRUE(iam_->IsAllowed(who, Verb::kManage, kModels, b));
  EXPECT_TRUE(iam_->IsAllowed(who, Verb::kInspect, kProjects, c));  // inherited, weaker verb
  EXPECT_FALSE(iam_->IsAllowed(who, Verb::kRead, kModels, sibling));
  EXPECT_FALSE(iam_->IsAllowed(who, Verb::kRead, kModels, tenancy_));
  EXPECT_FALSE(iam_->IsAllowed(who, Verb::kRead, kBuckets, c));  // not in the family
  EXPECT_FALSE(iam_->IsAllowed(UserIn({}), Verb::kRead, kModels, c));
  Principal foreign = who;
  foreign.tenancy_id = "ocid1.tenancy.oc1..other";
  EXPECT_FALSE(iam_->IsAllowed(foreign, Verb::kRead, kModels, c));

  // Verbs are cumulative, and a read grant does not give use.
  Policy(tenancy_, "objects", {"allow group DataScientists to read object-family in tenancy"});
  EXPECT_TRUE(iam_->IsAllowed(who, Verb::kRead, kObjects, sibling));
  EXPECT_TRUE(iam_->IsAllowed(who, Verb::kInspect, kBuckets, c));
  EXPECT_FALSE(iam_->IsAllowed(who, Verb::kUse, kBuckets, c));

  // Deleting the grant's compartment subtree or the group takes effect at once.
  ASSERT_TRUE(iam_->Delete(IamKind::kCompartment, c).ok());
  EXPECT_FALSE(iam_->IsAllowed(who, Verb::kRead, kModels, c));
  ASSERT_TRUE(iam_->Delete(IamKind::kGroup, ds).ok());
  EXPECT_FALSE(iam_->IsAllowed(who, Verb::kRead, kModels, b));
}

TEST_F(IamServiceTest, PolicyChangesInvalidateTheCache) {
  const std::string g = Group("Readers");
  const std::string comp = Compartment(tenancy_, "Work");
  const Principal who = UserIn({g});
  EXPECT_FALSE(iam_->IsAllowed(who, Verb::kRead, kModels, comp));
  const std::string p = Policy(tenancy_, "r",
                               {"allow group Readers to read all-resources in "
                                "compartment Work"});
  EXPECT_TRUE(iam_->IsAllowed(who, Verb::kRead, kModels, comp));
  EXPECT_FALSE(iam_->IsAllowed(who, Verb::kManage, kModels, comp));
  auto updated = iam_->Update(
      IamKind::kPolicy, p,
      {{"statements", {"allow group Readers to manage all-resources in compartment Work"}}});
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_TRUE(iam_->IsAllowed(who, Verb::kManage, kUsers, comp));
  ASSERT_TRUE(iam_->Delete(IamKind::kPolicy, p).ok());
  EXPECT_FALSE(iam_->IsAllowed(who, Verb::kRead, kModels, comp));
}

TEST_F(IamServiceTest, WhereClauseOnTheTargetCompartment) {
  const std::string g = Group("G");
  const std::string open = Compartment(tenancy_, "Open");
  const std::string secret = Compartment(tenancy_, "Secret");
  Policy(tenancy_, "w",
         {"allow group G to read buckets in tenancy where "
          "target.compartment.name != 'secret'"});
  EXPECT_TRUE(iam_->IsAllowed(UserIn({g}), Verb::kRead, kBuckets, open));
  EXPECT_FALSE(iam_->IsAllowed(UserIn({g}), Verb::kRead, kBuckets, secret));
}

TEST_F(IamServiceTest, DynamicGroupsAndAnyUser) {
  const std::string comp = Compartment(tenancy_, "Serving");
  const std::string dg =
      MakeOk(IamKind::kDynamicGroup, {{"compartmentId", tenancy_},
                                      {"name", "Deployments"},
                                      {"description", "model deployments"},
                                      {"matchingRule",
                                       "ALL {resource.type='datasciencemodeldeployment', "
                                       "resource.compartment.id='" +
                                           comp + "'}"}});
  Policy(tenancy_, "dg", {"allow dynamic-group Deployments to read object-family in tenancy"});
  Principal dep = iam_->ResourcePrincipal({"datasciencemodeldeployment", "ocid1.dep..1", comp});
  EXPECT_EQ(dep.group_ids, std::vector<std::string>{dg});
  EXPECT_TRUE(iam_->IsAllowed(dep, Verb::kRead, kObjects, comp));
  EXPECT_FALSE(iam_->IsAllowed(dep, Verb::kManage, kObjects, comp));
  Principal elsewhere =
      iam_->ResourcePrincipal({"datasciencemodeldeployment", "ocid1.dep..2", tenancy_});
  EXPECT_TRUE(elsewhere.group_ids.empty());
  EXPECT_FALSE(iam_->IsAllowed(elsewhere, Verb::kRead, kObjects, comp));
  // A user whose "groups" list the dynamic group's id does not match it.
  EXPECT_FALSE(iam_->IsAllowed(UserIn({dg}), Verb::kRead, kObjects, comp));

  Policy(tenancy_, "any", {"allow any-user to inspect data-science-projects in tenancy"});
  EXPECT_TRUE(iam_->IsAllowed(UserIn({}), Verb::kInspect, kProjects, comp));
  EXPECT_TRUE(iam_->IsAllowed(elsewhere, Verb::kInspect, kProjects, comp));
  EXPECT_FALSE(iam_->IsAllowed(UserIn({}), Verb::kRead, kProjects, comp));
}

TEST_F(IamServiceTest, KeyLookupRefusesDeletedKeysAndUsers) {
  Group("Admins");
  auto creds = iam_->CreateUserWithKey("alice", {"admins"});
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  auto key_id = ParseKeyId(creds->key_id);
  ASSERT_TRUE(key_id.ok());
  auto found = iam_->LookupKey(*key_id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->Fingerprint(), creds->fingerprint);
  auto principal = iam_->PrincipalFor(*key_id);
  ASSERT_TRUE(principal.ok());
  EXPECT_EQ(principal->id, creds->user_id);
  EXPECT_EQ(principal->tenancy_id, tenancy_);
  EXPECT_EQ(principal->group_ids, std::vector<std::string>{*iam_->GroupIdByName("Admins")});

  KeyId wrong_tenancy = *key_id;
  wrong_tenancy.tenancy = "ocid1.tenancy.oc1..other";
  EXPECT_FALSE(iam_->LookupKey(wrong_tenancy).has_value());
  KeyId wrong_fingerprint = *key_id;
  wrong_fingerprint.fingerprint = "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff";
  EXPECT_FALSE(iam_->LookupKey(wrong_fingerprint).has_value());
  EXPECT_EQ(iam_->PrincipalFor(wrong_fingerprint).status().code(), StatusCode::kUnauthenticated);
  KeyId token;
  token.kind = KeyId::Kind::kSecurityToken;
  token.token = "abc";
  EXPECT_FALSE(iam_->LookupKey(token).has_value());

  ASSERT_TRUE(iam_->DeleteApiKey(creds->user_id, creds->fingerprint).ok());
  EXPECT_FALSE(iam_->LookupKey(*key_id).has_value());
  EXPECT_EQ(iam_->DeleteApiKey(creds->user_id, creds->fingerprint).code(), StatusCode::kNotFound);

  // Re-upload the same key, then delete the user: the key dies with it.
  ASSERT_TRUE(iam_->UploadApiKey(creds->user_id, creds->key.public_key().ToPem()).ok());
  EXPECT_TRUE(iam_->LookupKey(*key_id).has_value());
  ASSERT_TRUE(iam_->Delete(IamKind::kUser, creds->user_id).ok());
  EXPECT_FALSE(iam_->LookupKey(*key_id).has_value());
  EXPECT_EQ(iam_->UploadApiKey(creds->user_id, creds->key.public_key().ToPem()).status().code(),
            StatusCode::kNotFound);
}

TEST_F(IamServiceTest, ApiKeysAreLimitedToThreeAndMustBePem) {
  const std::string user =
      MakeOk(IamKind::kUser, {{"compartmentId", tenancy_}, {"name", "bob"}, {"email", "b@x.io"}});
  EXPECT_EQ((*iam_->Get(IamKind::kUser, user))["email"], "b@x.io");
  EXPECT_EQ(iam_->UploadApiKey(user, "not a key").status().code(), StatusCode::kInvalidArgument);
  std::vector<std::string> pems;
  for (int i = 0; i < 4; ++i) pems.push_back(PrivateKey::Generate()->public_key().ToPem());
  for (int i = 0; i < 3; ++i) {
    auto uploaded = iam_->UploadApiKey(user, pems[static_cast<size_t>(i)]);
    ASSERT_TRUE(uploaded.ok()) << uploaded.status().ToString();
    EXPECT_EQ((*uploaded)["userId"], user);
    EXPECT_THAT((*uploaded)["keyId"].get<std::string>(), HasSubstr(tenancy_ + "/" + user + "/"));
  }
  EXPECT_EQ(iam_->UploadApiKey(user, pems[0]).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(iam_->UploadApiKey(user, pems[3]).status().code(), StatusCode::kOutOfRange);
  auto keys = iam_->ListApiKeys(user);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 3u);
}

TEST_F(IamServiceTest, MembershipsAddListRemove) {
  const std::string g = Group("G");
  const std::string u = MakeOk(IamKind::kUser, {{"compartmentId", tenancy_}, {"name", "u"}});
  auto m = iam_->AddUserToGroup(u, g);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ((*m)["userId"], u);
  EXPECT_EQ((*m)["groupId"], g);
  EXPECT_EQ(iam_->AddUserToGroup(u, g).status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(iam_->ListMemberships(u, "")->size(), 1u);
  EXPECT_EQ(iam_->ListMemberships("", g)->size(), 1u);
  EXPECT_EQ(iam_->ListMemberships("", "").status().code(), StatusCode::kInvalidArgument);
  const std::string id = (*m)["id"].get<std::string>();
  EXPECT_EQ((*iam_->GetMembership(id))["id"], id);
  ASSERT_TRUE(iam_->RemoveMembership(id).ok());
  EXPECT_EQ(iam_->RemoveMembership(id).code(), StatusCode::kNotFound);
  EXPECT_TRUE(iam_->ListMemberships(u, "")->empty());
}

TEST_F(IamServiceTest, ChecksRunWhileAnotherThreadWrites) {
  const std::string g = Group("G");
  const std::string comp = Compartment(tenancy_, "Busy");
  const std::string keep =
      Policy(tenancy_, "keep", {"allow group G to read data-science-models in tenancy"});
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        if (!iam_->IsAllowed(UserIn({g}), Verb::kRead, kModels, comp)) ++wrong;
        if (iam_->IsAllowed(UserIn({}), Verb::kRead, kModels, comp)) ++wrong;
      }
    });
  }
  for (int i = 0; i < 15; ++i) {
    const std::string p = Policy(tenancy_, "p" + std::to_string(i),
                                 {"allow group G to manage buckets in compartment Busy"});
    ASSERT_TRUE(iam_->Delete(IamKind::kPolicy, p).ok());
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace ads::iam
