#include "artifact/summary_status.h"

#include <gtest/gtest.h>

#include "base/env.h"

namespace ads::artifact {
namespace {

TEST(SummaryStatusTest, InitialRowsMatchAds) {
  SummaryStatus s;
  ASSERT_EQ(s.rows().size(), 10u);
  EXPECT_EQ(s.rows()[0].step, "initiate");
  EXPECT_EQ(s.rows()[0].details, "Initiated the model");
  EXPECT_EQ(s.rows()[0].status, "Done");
  EXPECT_EQ(s.rows()[4].details, "Populated metadata(Custom, Taxonomy and Provenance)");
  EXPECT_EQ(s.rows()[4].status, "Available");
  EXPECT_EQ(s.rows()[5].step, "verify()");
  EXPECT_EQ(s.rows()[5].status, "Not Available");
  EXPECT_EQ(s.rows()[9].details, "Called deployment predict endpoint");
  for (const SummaryRow& r : s.rows()) EXPECT_EQ(r.actions_needed, "");
}

TEST(SummaryStatusTest, PrepareWithSerializedModel) {
  SummaryStatus s;
  s.OnPrepare({.serialized = true});
  for (auto d : {kDetailRuntimeYaml, kDetailScorePy, kDetailSerialize, kDetailMetadata}) {
    EXPECT_EQ(s.StatusOf(d), "Done") << d;
  }
  EXPECT_EQ(s.StatusOf(kDetailVerify), "Available");
  EXPECT_EQ(s.StatusOf(kDetailIntrospect), "Available");
  EXPECT_EQ(s.StatusOf(kDetailUpload), "Available");
  EXPECT_EQ(s.StatusOf(kDetailDeploy), "Not Available");
}

TEST(SummaryStatusTest, PrepareWithoutModelFileNeedsAction) {
  SummaryStatus s;
  s.OnPrepare({.serialized = false, .model_file_present = false, .score_generated = true,
               .ignore_conda_error = true, .model_file_name = "model.pkl",
               .artifact_dir = "/tmp/a"});
  EXPECT_EQ(s.StatusOf(kDetailSerialize), "Needs Action");
  EXPECT_EQ(s.ActionOf(kDetailSerialize),
            "Model is not automatically serialized. Serialize the model as `model.pkl` and save "
            "to the /tmp/a.");
  EXPECT_EQ(s.StatusOf(kDetailScorePy), "Done");
  EXPECT_EQ(s.ActionOf(kDetailScorePy),
            "`load_model` is not automatically generated. Finish implementing it and call .verify "
            "to check if it works.");
  EXPECT_EQ(s.StatusOf(kDetailIntrospect), "Not Available");  // ignore_conda_error

  s.OnModelFileCheck(true, "model.pkl", "/tmp/a");
  EXPECT_EQ(s.StatusOf(kDetailSerialize), "Done");
  EXPECT_EQ(s.ActionOf(kDetailSerialize), "");
  s.OnModelFileCheck(false, "model.pkl", "/tmp/a");
  EXPECT_EQ(s.StatusOf(kDetailSerialize), "Needs Action");
}

TEST(SummaryStatusTest, VerifyIntrospectSaveDeployPredict) {
  SummaryStatus s;
  s.OnPrepare({.serialized = true});
  s.OnVerify();
  EXPECT_EQ(s.StatusOf(kDetailVerify), "Done");
  s.OnIntrospect(false);
  EXPECT_EQ(s.StatusOf(kDetailIntrospect), "Failed");
  EXPECT_EQ(s.ActionOf(kDetailIntrospect), "Use `.introspect()` method to get detailed information.");
  s.OnIntrospect(true);
  EXPECT_EQ(s.StatusOf(kDetailIntrospect), "Done");
  EXPECT_EQ(s.ActionOf(kDetailIntrospect), "");
  s.OnSave();
  EXPECT_EQ(s.StatusOf(kDetailUpload), "Done");
  EXPECT_EQ(s.StatusOf(kDetailDeploy), "Available");
  s.OnDeploy("creating");
  EXPECT_EQ(s.StatusOf(kDetailDeploy), "CREATING");
  EXPECT_EQ(s.StatusOf(kDetailPredict), "Not Available");
  s.OnDeploy("Active");
  EXPECT_EQ(s.StatusOf(kDetailDeploy), "ACTIVE");
  EXPECT_EQ(s.StatusOf(kDetailPredict), "Available");
  s.OnPredict();
  EXPECT_EQ(s.StatusOf(kDetailPredict), "Done");
  s.OnDeploy("ACTIVE");
  EXPECT_EQ(s.StatusOf(kDetailPredict), "Done");
  s.OnDeploy("INACTIVE");
  EXPECT_EQ(s.StatusOf(kDetailPredict), "Not Available");
}

TEST(SummaryStatusTest, PersistenceRoundTrip) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/art").ok());
  auto fresh = LoadSummaryStatus(env, "/art");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->StatusOf(kDetailVerify), "Not Available");

  SummaryStatus s;
  s.OnPrepare({.serialized = false, .model_file_present = false, .model_file_name = "m.onnx",
               .artifact_dir = "/art"});
  s.OnIntrospect(false);
  ASSERT_TRUE(SaveSummaryStatus(env, "/art", s).ok());
  EXPECT_TRUE(env.FileExists("/art/.ads/status.json"));
  auto loaded = LoadSummaryStatus(env, "/art");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  ASSERT_EQ(loaded->rows().size(), s.rows().size());
  for (size_t i = 0; i < s.rows().size(); ++i) {
    EXPECT_EQ(loaded->rows()[i].step, s.rows()[i].step);
    EXPECT_EQ(loaded->rows()[i].status, s.rows()[i].status);
    EXPECT_EQ(loaded->rows()[i].details, s.rows()[i].details);
    EXPECT_EQ(loaded->rows()[i].actions_needed, s.rows()[i].actions_needed);
  }
}

TEST(SummaryStatusTest, BadStatusFileIsAnError) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/art/.ads").ok());
  ASSERT_TRUE(env.WriteFile("/art/.ads/status.json", "[1, 2]").ok());
  EXPECT_FALSE(LoadSummaryStatus(env, "/art").ok());
  ASSERT_TRUE(env.WriteFile("/art/.ads/status.json", "{\"rows\": [{\"Step\": \"x\"}]}").ok());
  EXPECT_FALSE(LoadSummaryStatus(env, "/art").ok());
  ASSERT_TRUE(env.WriteFile("/art/.ads/status.json",
                            "{\"rows\": [{\"Step\": \"save()\", \"Status\": \"Done\", \"Details\": "
                            "\"Something else\", \"Actions Needed\": \"\"}]}")
                  .ok());
  EXPECT_FALSE(LoadSummaryStatus(env, "/art").ok());
}

TEST(SummaryStatusTest, SaveFailureLeavesOldFile) {
  MemEnv mem;
  ASSERT_TRUE(mem.CreateDirs("/art").ok());
  SummaryStatus s;
  ASSERT_TRUE(SaveSummaryStatus(mem, "/art", s).ok());
  FaultInjectionEnv faulty(&mem);
  faulty.FailAfter(0);
  s.OnVerify();
  EXPECT_FALSE(SaveSummaryStatus(faulty, "/art", s).ok());
  auto loaded = LoadSummaryStatus(mem, "/art");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->StatusOf(kDetailVerify), "Not Available");
}

TEST(SummaryStatusTest, TableHasHeaderAndRows) {
  SummaryStatus s;
  const std::string table = s.RenderTable();
  EXPECT_EQ(table.rfind("Step", 0), 0u);
  EXPECT_NE(table.find("Actions Needed"), std::string::npos);
  EXPECT_NE(table.find("Conducted Introspect Test"), std::string::npos);
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 12);
}

}  // namespace
}  // namespace ads::artifact
