#include "iam/bootstrap.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/env.h"
#include "iam/iam_service.h"
#include "iam/oci_config.h"

namespace ads::iam {
namespace {

class BootstrapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = env_.MakeTempDir("bootstrap_test");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    options_.data_dir = JoinPath(dir_, "data");
    options_.config_path = JoinPath(dir_, "home/.ads/config");
    options_.endpoint = "http://127.0.0.1:9999";
    auto db = store::Database::Open(JoinPath(dir_, "ads.db"));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
  }
  void TearDown() override {
    db_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  BootstrapOptions options_;
  std::unique_ptr<store::Database> db_;
};

TEST_F(BootstrapTest, FirstStartWritesAWorkingConfigAndSecondStartIsANoOp) {
  auto first = Bootstrap(env_, *db_, options_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->created);
  EXPECT_TRUE(first->config_written);
  EXPECT_EQ(first->key_file, JoinPath(options_.data_dir, "keys/admin.pem"));
  EXPECT_EQ(env_.Stat(first->key_file)->mode & 0777, 0600u);
  EXPECT_EQ(env_.Stat(first->config_path)->mode & 0777, 0600u);

  // The config parses back and its key signs as the admin.
  auto config = LoadOciConfig(env_, first->config_path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->user, first->admin_user_id);
  EXPECT_EQ(config->tenancy, first->tenancy_id);
  EXPECT_EQ(config->fingerprint, first->fingerprint);
  EXPECT_EQ(config->key_file, first->key_file);
  EXPECT_EQ(config->region, "us-ashburn-1");
  EXPECT_EQ(config->endpoint, "http://127.0.0.1:9999");
  auto key = LoadPrivateKey(env_, *config);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->public_key().Fingerprint(), first->fingerprint);

  auto iam = IamService::Open(env_, *db_);
  ASSERT_TRUE(iam.ok());
  auto key_id = ParseKeyId(config->KeyId());
  ASSERT_TRUE(key_id.ok());
  auto found = (*iam)->LookupKey(*key_id);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(*found, key->public_key());
  auto admin = (*iam)->PrincipalFor(*key_id);
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->group_ids, std::vector<std::string>{first->admin_group_id});
  EXPECT_TRUE((*iam)->IsAllowed(*admin, Verb::kManage, kModels, first->tenancy_id));
  EXPECT_TRUE((*iam)->IsAllowed(*admin, Verb::kManage, kPolicies, first->tenancy_id));

  // Second start: same ids, nothing written, the config left alone.
  ASSERT_TRUE(env_.WriteFile(first->config_path, "# edited by the user\n").ok());
  auto second = Bootstrap(env_, *db_, options_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->created);
  EXPECT_FALSE(second->config_written);
  EXPECT_EQ(second->tenancy_id, first->tenancy_id);
  EXPECT_EQ(second->admin_user_id, first->admin_user_id);
  EXPECT_EQ(second->admin_group_id, first->admin_group_id);
  EXPECT_EQ(second->admin_policy_id, first->admin_policy_id);
  EXPECT_EQ(second->fingerprint, first->fingerprint);
  EXPECT_EQ(second->namespace_name, first->namespace_name);
  EXPECT_EQ(*env_.ReadFile(first->config_path), "# edited by the user\n");
  EXPECT_EQ((*iam)->ListApiKeys(first->admin_user_id)->size(), 1u);
  EXPECT_EQ((*iam)->List(IamKind::kUser, first->tenancy_id)->size(), 1u);
  EXPECT_EQ((*iam)->List(IamKind::kPolicy, first->tenancy_id)->size(), 1u);
}

TEST_F(BootstrapTest, AMissingConfigIsWrittenAgainWithTheSameKey) {
  auto first = Bootstrap(env_, *db_, options_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(env_.RemoveFile(first->config_path).ok());
  options_.profile = "ads";
  auto second = Bootstrap(env_, *db_, options_);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(second->config_written);
  auto config = LoadOciConfig(env_, first->config_path, "ads");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->fingerprint, first->fingerprint);
}

TEST_F(BootstrapTest, NeedsADataDirectory) {
  options_.data_dir.clear();
  EXPECT_EQ(Bootstrap(env_, *db_, options_).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ads::iam
