// End-to-end tests of `ads project|model|model-version-set|iam ...`: the real
// `ads` binary against an in-process server (AdsServerTest), its output in
// both formats, its exit statuses, and the access a policy grants a new user.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "base/json.h"
#include "cli/cli_server_test_util.h"
#include "cli/table.h"
#include "client/client.h"
#include "iam/keys.h"
#include "iam/oci_config.h"

namespace ads::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class CatalogCommandsTest : public AdsServerTest {
 protected:
  void SetUp() override {
    // The environment's defaults must not leak into the commands under test.
    for (const char* name :
         {"NB_SESSION_COMPARTMENT_OCID", "PROJECT_COMPARTMENT_OCID", "JOB_RUN_COMPARTMENT_OCID",
          "PIPELINE_RUN_COMPARTMENT_OCID", "PROJECT_OCID", "PIPELINE_PROJECT_OCID"}) {
      ::unsetenv(name);
    }
    AdsServerTest::SetUp();
  }

  std::string CreateProject(const std::string& compartment, const std::string& name = "p") {
    Json p = AdsJson({"project", "create", "-c", compartment, "--display-name", name});
    return StringMemberOr(p, "id");
  }

  // Models are made over HTTP, as `ads model save` would.
  std::string CreateModel(Json details) {
    auto r = client_->Call("POST", "/20190101/models", details);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return "";
    return StringMemberOr(r->ParseJson().value_or(Json::object()), "id");
  }
};

std::vector<std::string> Ids(const Json& items) {
  std::vector<std::string> ids;
  for (const Json& i : items) ids.push_back(StringMemberOr(i, "id"));
  return ids;
}

TEST_F(CatalogCommandsTest, ProjectCrudInBothFormats) {
  const std::string id = CreateProject(tenancy_id(), "first");
  ASSERT_THAT(id, HasSubstr("ocid1.datascienceproject."));

  CmdResult list = Ads({"project", "list", "-c", tenancy_id(), "--output", "table"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("OCID"));
  EXPECT_THAT(list.out, HasSubstr("DISPLAY NAME"));
  EXPECT_THAT(list.out, HasSubstr(id + "  first"));  // OCIDs are never cut
  EXPECT_THAT(list.out, HasSubstr("ACTIVE"));

  Json updated =
      AdsJson({"project", "update", id, "--display-name", "renamed", "--description", "about"});
  EXPECT_EQ(StringMemberOr(updated, "displayName"), "renamed");
  Json got = AdsJson({"project", "get", "--project-id", id});
  EXPECT_EQ(StringMemberOr(got, "description"), "about");

  CmdResult get_table = Ads({"project", "get", id, "-o", "table"});
  ASSERT_EQ(get_table.exit_code, 0) << get_table.err;
  EXPECT_THAT(get_table.out, HasSubstr("displayName"));
  EXPECT_THAT(get_table.out, HasSubstr("renamed"));

  CmdResult del = Ads({"project", "delete", id, "-o", "table"});
  ASSERT_EQ(del.exit_code, 0) << del.err;
  EXPECT_THAT(del.out, HasSubstr("Deleted project " + id));
  EXPECT_EQ(StringMemberOr(AdsJson({"project", "get", id}), "lifecycleState"), "DELETED");
  EXPECT_TRUE(AdsJson({"project", "list", "-c", tenancy_id()}).empty());
}

TEST_F(CatalogCommandsTest, ModelListFiltersSortsAndPages) {
  const std::string project = CreateProject(tenancy_id());
  std::vector<std::string> ids;
  for (const char* name : {"delta", "alpha", "charlie", "bravo", "echo"}) {
    ids.push_back(CreateModel({{"compartmentId", tenancy_id()},
                               {"projectId", project},
                               {"displayName", name},
                               {"versionLabel", std::string(name) == "alpha" ? "v1" : "v2"}}));
  }
  EXPECT_EQ(AdsJson({"model", "list", "-c", tenancy_id()}).size(), 5u);
  EXPECT_EQ(Ids(AdsJson({"model", "list", "-c", tenancy_id(), "--display-name", "charlie"})),
            std::vector<std::string>{ids[2]});
  EXPECT_EQ(Ids(AdsJson({"model", "list", "-c", tenancy_id(), "--version-label", "v1"})),
            std::vector<std::string>{ids[1]});
  EXPECT_TRUE(
      AdsJson({"model", "list", "-c", tenancy_id(), "--lifecycle-state", "INACTIVE"}).empty());

  Json sorted = AdsJson(
      {"model", "list", "-c", tenancy_id(), "--sort-by", "displayName", "--sort-order", "ASC"});
  EXPECT_EQ(Ids(sorted), (std::vector<std::string>{ids[1], ids[3], ids[2], ids[0], ids[4]}));

  // --limit: that many, and a token to continue from.
  CmdResult first = Ads({"model", "list", "-c", tenancy_id(), "--sort-by", "displayName", "--limit",
                         "2", "-o", "json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(Ids(Json::parse(first.out)), (std::vector<std::string>{ids[1], ids[3]}));
  const size_t at = first.err.find("--page ");
  ASSERT_NE(at, std::string::npos) << first.err;
  std::string token = first.err.substr(at + 7);
  token = token.substr(0, token.find('\n'));
  Json rest =
      AdsJson({"model", "list", "-c", tenancy_id(), "--sort-by", "displayName", "--page", token});
  EXPECT_EQ(Ids(rest), (std::vector<std::string>{ids[2], ids[0], ids[4]}));

  CmdResult table = Ads({"model", "list", "-c", tenancy_id(), "-o", "table"});
  ASSERT_EQ(table.exit_code, 0);
  EXPECT_THAT(table.out, HasSubstr("VERSION SET"));
  EXPECT_THAT(table.out, HasSubstr("CREATED"));
  for (const std::string& id : ids) EXPECT_THAT(table.out, HasSubstr(id));
}

TEST_F(CatalogCommandsTest, ModelUpdateChangesOnlyMetadata) {
  const std::string project = CreateProject(tenancy_id());
  const std::string schema = R"({"schema": [{"name": "x", "dtype": "float64"}]})";
  const std::string id =
      CreateModel({{"compartmentId", tenancy_id()},
                   {"projectId", project},
                   {"displayName", "m"},
                   {"inputSchema", schema},
                   {"freeformTags", {{"team", "a"}}},
                   {"customMetadataList",
                    Json::array({{{"key", "kept"}, {"value", "1"}, {"category", "Other"}}})}});
  Json updated = AdsJson({"model", "update", id, "--display-name", "m2", "--version-label", "rc1",
                          "--freeform-tag", "stage=dev", "--custom-metadata",
                          "owner=ml, team,category=Other,description=who"});
  EXPECT_EQ(StringMemberOr(updated, "displayName"), "m2");
  Json got = AdsJson({"model", "get", id});
  EXPECT_EQ(StringMemberOr(got, "inputSchema"), schema);
  EXPECT_EQ(StringMemberOr(got, "versionLabel"), "rc1");
  EXPECT_EQ(got["freeformTags"], (Json{{"team", "a"}, {"stage", "dev"}}));
  ASSERT_EQ(got["customMetadataList"].size(), 2u) << got.dump();
  EXPECT_EQ(got["customMetadataList"][0]["key"], "kept");
  EXPECT_EQ(got["customMetadataList"][1]["value"], "ml, team");  // commas kept
  EXPECT_EQ(got["customMetadataList"][1]["description"], "who");

  CmdResult table = Ads({"model", "get", id, "-o", "table"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("versionLabel"));
  EXPECT_THAT(table.out, HasSubstr("customMetadataList:\n  KEY "));
  EXPECT_THAT(table.out, HasSubstr("CATEGORY"));

  // The same key replaces; --remove-custom-metadata drops one.
  AdsJson({"model", "update", id, "--custom-metadata", "OWNER=ops", "--remove-custom-metadata",
           "kept"});
  got = AdsJson({"model", "get", id});
  ASSERT_EQ(got["customMetadataList"].size(), 1u) << got.dump();
  EXPECT_EQ(got["customMetadataList"][0]["value"], "ops");

  CmdResult nothing = Ads({"model", "update", id});
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_THAT(nothing.err, HasSubstr("nothing to update"));
  CmdResult bad = Ads({"model", "update", id, "--custom-metadata", "novalue"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("key=value"));
  // A server-side limit comes back as the OCI error, exit 1.
  CmdResult too_long =
      Ads({"model", "update", id, "--custom-metadata", "k=" + std::string(300, 'x')});
  EXPECT_EQ(too_long.exit_code, 1);
  EXPECT_THAT(too_long.err, HasSubstr("InvalidParameter"));
}

TEST_F(CatalogCommandsTest, ActivateDeactivateAndDelete) {
  const std::string project = CreateProject(tenancy_id());
  const std::string id = CreateModel({{"compartmentId", tenancy_id()}, {"projectId", project}});
  EXPECT_EQ(StringMemberOr(AdsJson({"model", "deactivate", id}), "lifecycleState"), "INACTIVE");
  CmdResult again = Ads({"model", "deactivate", id, "--no-retry"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("error: IncorrectState (409)"));
  CmdResult activated = Ads({"model", "activate", id, "-o", "table"});
  ASSERT_EQ(activated.exit_code, 0) << activated.err;
  EXPECT_THAT(activated.out, HasSubstr(id));
  EXPECT_THAT(activated.out, HasSubstr("ACTIVE"));

  // A project with a live model is refused; the model goes with --force.
  CmdResult busy = Ads({"project", "delete", project, "--no-retry"});
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_THAT(busy.err, HasSubstr("IncorrectState"));
  ASSERT_EQ(Ads({"model", "delete", id, "--force"}).exit_code, 0);
  EXPECT_EQ(StringMemberOr(AdsJson({"model", "get", id}), "lifecycleState"), "DELETED");
  CmdResult twice = Ads({"model", "delete", id, "--no-retry"});
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.err, HasSubstr("IncorrectState"));
  EXPECT_EQ(Ads({"project", "delete", project}).exit_code, 0);
}

TEST_F(CatalogCommandsTest, VersionSetsListTheirModelsByVersion) {
  const std::string project = CreateProject(tenancy_id());
  Json set = AdsJson({"model-version-set", "create", "--name", "churn", "--project-id", project,
                      "-c", tenancy_id(), "--description", "churn models"});
  const std::string set_id = StringMemberOr(set, "id");
  ASSERT_THAT(set_id, HasSubstr("ocid1.datasciencemodelversionset."));
  std::vector<std::string> models;
  for (const char* label : {"first", "second", "third"}) {
    models.push_back(CreateModel({{"compartmentId", tenancy_id()},
                                  {"projectId", project},
                                  {"modelVersionSetId", set_id},
                                  {"versionLabel", label}}));
  }
  CreateModel({{"compartmentId", tenancy_id()}, {"projectId", project}});  // not a member

  Json by_name = AdsJson({"model-version-set", "models", "churn", "-c", tenancy_id()});
  EXPECT_EQ(Ids(by_name), models);
  EXPECT_EQ(by_name[2]["versionId"], 3);
  CmdResult table = Ads({"model-version-set", "models", set_id, "-o", "table"});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_THAT(table.out, HasSubstr("VERSION"));
  EXPECT_LT(table.out.find("first"), table.out.find("third"));

  EXPECT_EQ(
      StringMemberOr(AdsJson({"model-version-set", "get", "churn", "-c", tenancy_id()}), "id"),
      set_id);
  EXPECT_EQ(AdsJson({"model-version-set", "list", "-c", tenancy_id(), "--name", "churn"}).size(),
            1u);
  EXPECT_EQ(StringMemberOr(AdsJson({"model-version-set", "update", set_id, "--description", "d2"}),
                           "description"),
            "d2");
  CmdResult taken = Ads({"model-version-set", "create", "--name", "churn", "--project-id", project,
                         "-c", tenancy_id()});
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_THAT(taken.err, HasSubstr("Conflict"));

  CmdResult refused = Ads({"model-version-set", "delete", set_id, "--no-retry"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("IncorrectState"));
  CmdResult deleted = Ads({"model-version-set", "delete", set_id, "--delete-related-models"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(StringMemberOr(AdsJson({"model", "get", models[0]}), "lifecycleState"), "DELETED");
  EXPECT_EQ(StringMemberOr(AdsJson({"model-version-set", "get", set_id}), "lifecycleState"),
            "DELETED");
}

TEST_F(CatalogCommandsTest, PolicyScopesANewUsersAccess) {
  const std::string team =
      StringMemberOr(AdsJson({"iam", "compartment", "create", "--name", "team"}), "id");
  const std::string other =
      StringMemberOr(AdsJson({"iam", "compartment", "create", "--name", "other"}), "id");
  const std::string nested = StringMemberOr(
      AdsJson({"iam", "compartment", "create", "-c", team, "--name", "nested"}), "id");
  ASSERT_THAT(nested, HasSubstr("ocid1.compartment."));
  EXPECT_EQ(AdsJson({"iam", "compartment", "list"}).size(), 2u);
  EXPECT_EQ(AdsJson({"iam", "compartment", "list", "--compartment-id-in-subtree"}).size(), 3u);

  const std::string user = StringMemberOr(
      AdsJson({"iam", "user", "create", "--name", "alice", "--email", "a@example.com"}), "id");
  AdsJson({"iam", "group", "create", "--name", "scientists", "--description", "ML"});
  CmdResult added = Ads({"iam", "group", "add-user", "--group-id", "scientists", "--user-id",
                         "alice", "-o", "table"});
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_THAT(added.out, HasSubstr(user));
  EXPECT_EQ(Ids(AdsJson({"iam", "group", "list-users", "scientists"})),
            std::vector<std::string>{user});

  // A key for alice, uploaded as a public key PEM file.
  auto key = iam::PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(env_.WriteFile(root_ + "/alice_public.pem", key->public_key().ToPem()).ok());
  ASSERT_TRUE(iam::WritePrivateKeyFile(env_, root_ + "/alice.pem", *key).ok());
  CmdResult uploaded = Ads({"iam", "user", "api-key", "upload", "--user-id", user, "--key-file",
                            root_ + "/alice_public.pem", "-o", "table"});
  ASSERT_EQ(uploaded.exit_code, 0) << uploaded.err;
  const std::string fingerprint = key->public_key().Fingerprint();
  EXPECT_THAT(uploaded.out, HasSubstr("FINGERPRINT"));
  EXPECT_THAT(uploaded.out, HasSubstr(fingerprint));
  Json keys = AdsJson({"iam", "user", "api-key", "list", "--user-id", "alice"});
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(StringMemberOr(keys[0], "fingerprint"), fingerprint);

  ASSERT_TRUE(env_.WriteFile(root_ + "/statements.txt",
                             "# scientists work in team only\n"
                             "allow group scientists to manage data-science-family in "
                             "compartment team\n")
                  .ok());
  Json policy = AdsJson({"iam", "policy", "create", "--name", "team-ds", "--statements-file",
                         root_ + "/statements.txt"});
  ASSERT_EQ(policy["statements"].size(), 1u);
  CmdResult policies = Ads({"iam", "policy", "get", StringMemberOr(policy, "id"), "-o", "table"});
  EXPECT_THAT(policies.out, HasSubstr("compartment team"));

  // Models in both compartments, made by the administrator.
  const std::string team_model =
      CreateModel({{"compartmentId", team}, {"projectId", CreateProject(team)}});
  CreateModel({{"compartmentId", other}, {"projectId", CreateProject(other)}});

  iam::OciConfigValues values{user,           tenancy_id(), fingerprint, root_ + "/alice.pem",
                              "us-ashburn-1", endpoint()};
  ASSERT_TRUE(iam::WriteOciConfig(env_, root_ + "/alice_config", values).ok());
  const std::string as_alice = root_ + "/alice_config";
  Json visible = AdsJson({"model", "list", "-c", team, "--config-file", as_alice});
  EXPECT_EQ(Ids(visible), std::vector<std::string>{team_model});
  CmdResult refused = Ads({"model", "list", "-c", other, "--config-file", as_alice});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("error: NotAuthorizedOrNotFound (404)"));
  EXPECT_THAT(refused.err, HasSubstr("hint:"));

  // The same user as a second profile of the admin's config file, chosen by
  // --profile or OCI_CONFIG_PROFILE (tenancy, region, endpoint from DEFAULT).
  auto admin_config = env_.ReadFile(root_ + "/config");
  ASSERT_TRUE(admin_config.ok());
  ASSERT_TRUE(env_.WriteFile(root_ + "/config", *admin_config + "\n[ALICE]\nuser=" + user +
                                                    "\nfingerprint=" + fingerprint +
                                                    "\nkey_file=" + root_ + "/alice.pem\n")
                  .ok());
  EXPECT_EQ(Ads({"model", "list", "-c", other, "--profile", "ALICE"}).exit_code, 1);
  EXPECT_EQ(Ids(AdsJson({"model", "list", "-c", team, "--profile", "ALICE"})),
            std::vector<std::string>{team_model});
  ::setenv("OCI_CONFIG_PROFILE", "ALICE", 1);
  CmdResult by_env = Ads({"model", "list", "-c", other});
  ::unsetenv("OCI_CONFIG_PROFILE");
  EXPECT_EQ(by_env.exit_code, 1);
  EXPECT_THAT(by_env.err, HasSubstr("NotAuthorizedOrNotFound"));

  // Out of the group, out of the compartment.
  ASSERT_EQ(Ads({"iam", "group", "remove-user", "--group-id", "scientists", "--user-id", "alice"})
                .exit_code,
            0);
  EXPECT_EQ(Ads({"model", "list", "-c", team, "--config-file", as_alice}).exit_code, 1);
  EXPECT_TRUE(AdsJson({"iam", "user", "list-groups", "alice"}).empty());
  // Deleting the key makes every request unauthenticated.
  ASSERT_EQ(
      Ads({"iam", "user", "api-key", "delete", "--user-id", user, "--fingerprint", fingerprint})
          .exit_code,
      0);
  CmdResult unsigned_ = Ads({"project", "list", "-c", team, "--config-file", as_alice});
  EXPECT_EQ(unsigned_.exit_code, 1);
  EXPECT_THAT(unsigned_.err, HasSubstr("NotAuthenticated"));
}

TEST_F(CatalogCommandsTest, IamUpdatesAndDeletes) {
  AdsJson({"iam", "user", "create", "--name", "bob"});
  EXPECT_EQ(
      StringMemberOr(AdsJson({"iam", "user", "update", "bob", "--email", "b@x.org"}), "email"),
      "b@x.org");
  const std::string c =
      StringMemberOr(AdsJson({"iam", "compartment", "create", "--name", "c1"}), "id");
  EXPECT_EQ(
      StringMemberOr(
          AdsJson({"iam", "compartment", "update", "--compartment-id", c, "--name", "c2"}), "name"),
      "c2");
  Json policy = AdsJson({"iam", "policy", "create", "--name", "p", "--statement",
                         "allow group Administrators to read data-science-models in "
                         "compartment c2"});
  Json updated = AdsJson({"iam", "policy", "update", StringMemberOr(policy, "id"), "--statements",
                          R"(["allow any-user to inspect data-science-models in compartment c2",
                              "allow group Administrators to use buckets in compartment c2"])"});
  EXPECT_EQ(updated["statements"].size(), 2u);
  CmdResult bad_statement = Ads({"iam", "policy", "create", "--name", "bad", "--statement",
                                 "allow group x read models in tenancy"});
  EXPECT_EQ(bad_statement.exit_code, 1);
  EXPECT_THAT(bad_statement.err, HasSubstr("InvalidParameter"));
  ASSERT_EQ(Ads({"iam", "policy", "delete", StringMemberOr(policy, "id")}).exit_code, 0);

  const std::string inner =
      StringMemberOr(AdsJson({"iam", "compartment", "create", "-c", c, "--name", "inner"}), "id");
  CmdResult non_empty = Ads({"iam", "compartment", "delete", c, "--no-retry"});
  EXPECT_EQ(non_empty.exit_code, 1);
  EXPECT_THAT(non_empty.err, HasSubstr("IncorrectState"));
  ASSERT_EQ(Ads({"iam", "compartment", "delete", inner}).exit_code, 0);
  ASSERT_EQ(Ads({"iam", "compartment", "delete", c}).exit_code, 0);
  const std::string rule = "ALL {resource.type = 'datasciencemodeldeployment'}";
  CmdResult dg = Ads({"iam", "dynamic-group", "create", "--name", "deployments", "--matching-rule",
                      rule, "-o", "table"});
  ASSERT_EQ(dg.exit_code, 0) << dg.err;
  EXPECT_THAT(dg.out, HasSubstr("MATCHING RULE"));
  EXPECT_EQ(StringMemberOr(AdsJson({"iam", "dynamic-group", "get", "deployments"}), "matchingRule"),
            rule);
  CmdResult bad_rule =
      Ads({"iam", "dynamic-group", "update", "deployments", "--matching-rule", "resource.type ="});
  EXPECT_EQ(bad_rule.exit_code, 1);
  EXPECT_THAT(bad_rule.err, HasSubstr("InvalidParameter"));
  EXPECT_EQ(Ads({"iam", "dynamic-group", "create", "--name", "x"}).exit_code, 2);
  ASSERT_EQ(Ads({"iam", "dynamic-group", "delete", "deployments"}).exit_code, 0);

  CmdResult users = Ads({"iam", "user", "list", "-o", "table"});
  EXPECT_THAT(users.out, HasSubstr("EMAIL"));
  EXPECT_THAT(users.out, HasSubstr("b@x.org"));
  ASSERT_EQ(Ads({"iam", "user", "delete", "bob"}).exit_code, 0);
  CmdResult gone = Ads({"iam", "user", "get", "bob"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_THAT(gone.err, HasSubstr("no user named"));
}

TEST_F(CatalogCommandsTest, ErrorsAndUsage) {
  const std::string missing = "ocid1.datasciencemodel.oc1.iad." + std::string(60, 'a');
  CmdResult unknown = Ads({"model", "get", missing});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("error: NotAuthorizedOrNotFound (404)"));
  EXPECT_THAT(unknown.out, Not(HasSubstr("{")));

  EXPECT_EQ(Ads({"model", "list", "-c", tenancy_id(), "--output", "xml"}).exit_code, 2);
  EXPECT_EQ(Ads({"model", "list", "-c", tenancy_id(), "--limit", "0"}).exit_code, 2);
  EXPECT_EQ(Ads({"model", "list", "-c", tenancy_id(), "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(Ads({"iam", "user", "create"}).exit_code, 2);  // --name is required
  CmdResult no_compartment = Ads({"model", "list"});
  EXPECT_EQ(no_compartment.exit_code, 2);
  EXPECT_THAT(no_compartment.err, HasSubstr("NB_SESSION_COMPARTMENT_OCID"));
  CmdResult no_id = Ads({"model", "get"});
  EXPECT_EQ(no_id.exit_code, 2);
  CmdResult no_statements = Ads({"iam", "policy", "create", "--name", "p"});
  EXPECT_EQ(no_statements.exit_code, 2);

  // The compartment may come from the notebook environment, as in ADS.
  ::setenv("NB_SESSION_COMPARTMENT_OCID", tenancy_id().c_str(), 1);
  CmdResult from_env = Ads({"model", "list", "-o", "json"});
  ::unsetenv("NB_SESSION_COMPARTMENT_OCID");
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  EXPECT_EQ(from_env.out, "[]\n");

  // A bad profile name is a clear error, not a crash.
  CmdResult profile = Ads({"project", "list", "-c", tenancy_id(), "--profile", "NOPE"});
  EXPECT_EQ(profile.exit_code, 1);
  EXPECT_THAT(profile.err, HasSubstr("NOPE"));
}

TEST(TableTest, ColumnsAlignAndCutOnlyWhereAsked) {
  Json items = Json::array({{{"id", "ocid1.x"}, {"name", std::string(50, 'n')}, {"n", 7}},
                            {{"id", "ocid1.longer"}, {"name", "b"}}});
  const std::string out = RenderList(
      items, {FieldColumn("OCID", "id"), FieldColumn("NAME", "name", 10), FieldColumn("N", "n")});
  EXPECT_EQ(out,
            "OCID          NAME        N\n"
            "------------  ----------  -\n"
            "ocid1.x       nnnnnnn...  7\n"
            "ocid1.longer  b\n");
  const std::string one =
      RenderOne({{"id", "x"}, {"statements", {"allow a", "allow b"}}, {"list", {{{"key", "k"}}}}});
  EXPECT_THAT(one, HasSubstr("id     x"));
  EXPECT_THAT(one, HasSubstr("statements:\n  allow a\n  allow b\n"));
  EXPECT_THAT(one, HasSubstr("list:\n  KEY\n  ---\n  k\n"));
}

}  // namespace
}  // namespace ads::cli
