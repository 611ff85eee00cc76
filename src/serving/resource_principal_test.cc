#include "serving/resource_principal.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "base/env.h"

namespace ads::serving {
namespace {

using ::testing::HasSubstr;

constexpr char kDeployment[] = "ocid1.datasciencemodeldeployment.oc1.iad.d1";
constexpr char kTenancy[] = "ocid1.tenancy.oc1..t";

class ResourcePrincipalKeeperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = env_.MakeTempDir("ads-rp-keeper-").value();
    iam::SessionTokenOptions options;
    options.lifetime = std::chrono::seconds(2);
    authority_ =
        std::make_unique<iam::SessionTokenAuthority>(iam::PrivateKey::Generate().value(), options);
    keeper_ = std::make_unique<ResourcePrincipalKeeper>(
        env_, ResourcePrincipalOptions{authority_.get(), kTenancy, "us-phoenix-1"});
  }
  void TearDown() override {
    keeper_.reset();
    env_.RemoveAll(dir_).IgnoreError();
  }
  std::string Token() { return env_.ReadFile(JoinPath(rp_dir(), "rpst")).value_or(""); }
  std::string rp_dir() const { return JoinPath(dir_, "rp"); }
  // Waits until the token file holds something other than `old`.
  std::string NextToken(const std::string& old) {
    std::string now = Token();
    for (int i = 0; i < 100 && now == old; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      now = Token();
    }
    return now;
  }

  Env& env_ = *Env::Default();
  std::string dir_;
  std::unique_ptr<iam::SessionTokenAuthority> authority_;
  std::unique_ptr<ResourcePrincipalKeeper> keeper_;
};

TEST_F(ResourcePrincipalKeeperTest, ProvisionWritesKeyAndTokenAndRefreshesIt) {
  auto vars =
      keeper_->Provision(kDeployment, "ocid1.compartment.oc1..a", rp_dir(), "http://127.0.0.1:9");
  ASSERT_TRUE(vars.ok()) << vars.status().ToString();
  EXPECT_EQ((*vars)[kRpVersionVar], "2.2");
  EXPECT_EQ((*vars)[kRpTokenVar], JoinPath(rp_dir(), "rpst"));
  EXPECT_EQ((*vars)[kRpPrivateKeyVar], JoinPath(rp_dir(), "private.pem"));
  EXPECT_EQ((*vars)[kRpRegionVar], "us-phoenix-1");
  EXPECT_EQ((*vars)[kRpEndpointVar], "http://127.0.0.1:9");
  EXPECT_EQ((*vars)[kOdscEndpointVar], "http://127.0.0.1:9");
  struct stat st;
  ASSERT_EQ(::stat((*vars)[kRpPrivateKeyVar].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(rp_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  const iam::PrivateKey key =
      iam::PrivateKey::FromPem(env_.ReadFile((*vars)[kRpPrivateKeyVar]).value()).value();
  const std::string first = Token();
  auto verified = authority_->Verify(first, env_.Now());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->claims.resource.id, kDeployment);
  EXPECT_EQ(verified->claims.resource.tenancy_id, kTenancy);
  EXPECT_EQ(verified->claims.resource.compartment_id, "ocid1.compartment.oc1..a");
  EXPECT_TRUE(verified->session_key == key.public_key());

  // Refreshed at half the lifetime (1 s), with the same session key.
  const std::string second = NextToken(first);
  ASSERT_NE(second, first);
  auto again = authority_->Verify(second, env_.Now());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_GT(again->claims.expires_at, verified->claims.expires_at);
  EXPECT_TRUE(again->session_key == key.public_key());

  // A second provision (a model swap) keeps the key.
  ASSERT_TRUE(keeper_->Provision(kDeployment, "ocid1.compartment.oc1..a", rp_dir(), "x").ok());
  EXPECT_EQ(env_.ReadFile((*vars)[kRpPrivateKeyVar]).value(), key.ToPem().value());
}

TEST_F(ResourcePrincipalKeeperTest, MovingReissuesAndWithdrawingRevokes) {
  ASSERT_TRUE(keeper_->Provision(kDeployment, "ocid1.compartment.oc1..a", rp_dir(), "x").ok());
  const std::string first = Token();
  keeper_->SetCompartment(kDeployment, "ocid1.compartment.oc1..b");
  std::string moved = NextToken(first);
  auto verified = authority_->Verify(moved, env_.Now());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->claims.resource.compartment_id, "ocid1.compartment.oc1..b");

  keeper_->Withdraw(kDeployment);
  EXPECT_THAT(authority_->Verify(moved, env_.Now()).status().message(), HasSubstr("revoked"));
  // No more refreshes.
  const std::string last = Token();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(Token(), last);
}

TEST(ResourcePrincipalKeeperDisabledTest, ProvisionsNothingWithoutAnAuthority) {
  ResourcePrincipalKeeper keeper(*Env::Default(), {});
  EXPECT_FALSE(keeper.enabled());
  auto vars = keeper.Provision(kDeployment, "c", "/nonexistent/rp", "x");
  ASSERT_TRUE(vars.ok());
  EXPECT_TRUE(vars->empty());
}

}  // namespace
}  // namespace ads::serving
