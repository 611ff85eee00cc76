// End-to-end tests of the `ads` binary: flags, output, exit statuses, files.
#include <sys/wait.h>

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/env.h"
#include "cli/cli_test_util.h"
#include "base/json.h"

namespace ads::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = ADS_SOURCE_DIR;
const std::string kServicePack =
    "oci://service-conda-packs@id19sfcrra6z/service_pack/cpu/General_ML/1.0/"
    "generalml_p311_cpu_x86_64_v1";

class CliTest : public AdsBinaryTest {
 protected:
  void SetUp() override {
    MakeRoot("ads-cli-test-");
    artifact_ = root_ + "/iris";
  }

  CmdResult PrepareIris(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"model", "prepare", kSource + "/examples/iris/model.onnx",
                                     "--artifact-dir", artifact_, "--inference-conda-env",
                                     kServicePack, "--X-sample", kSource + "/examples/iris/X.csv",
                                     "--y-sample", kSource + "/examples/iris/y.csv"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Ads(args);
  }

  std::string artifact_;
};

TEST_F(CliTest, HelpIsEverywhere) {
  CmdResult top = Ads({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_THAT(top.out, HasSubstr("model"));
  CmdResult prepare = Ads({"model", "prepare", "--help"});
  EXPECT_EQ(prepare.exit_code, 0);
  for (const char* flag :
       {"--inference-conda-env", "--inference-python-version", "--training-conda-env",
        "--training-python-version", "--model-file-name", "--X-sample", "--y-sample",
        "--use-case-type", "--training-script-path", "--training-id", "--ignore-pending-changes",
        "--max-col-num", "--ignore-conda-error", "--score-py", "--force-overwrite",
        "--custom-metadata"}) {
    EXPECT_THAT(prepare.out, HasSubstr(flag));
  }
  for (const char* cmd : {"introspect", "status", "metadata"}) {
    CmdResult r = Ads({"model", cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_THAT(r.out, HasSubstr("ARTIFACT")) << cmd;
  }
}

TEST_F(CliTest, UsageErrorsExitTwoWithAHint) {
  CmdResult r = Ads({"model", "prepare", "--no-such-flag"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("error: "));
  EXPECT_THAT(r.err, HasSubstr("hint: "));
  EXPECT_EQ(Ads({"model"}).exit_code, 2);
}

TEST_F(CliTest, PrepareIntrospectStatusRoundTrip) {
  CmdResult prepared = PrepareIris({"--custom-metadata", "Team=ml,category=Other,description=Owners"});
  ASSERT_EQ(prepared.exit_code, 0) << prepared.err;
  EXPECT_THAT(prepared.out, HasSubstr("scikit-learn"));
  EXPECT_TRUE(env_.FileExists(artifact_ + "/runtime.yaml"));

  CmdResult before = Ads({"model", "status", artifact_});
  ASSERT_EQ(before.exit_code, 0);
  EXPECT_THAT(before.out, HasSubstr("Conducted Introspect Test"));

  CmdResult introspect = Ads({"model", "introspect", artifact_});
  EXPECT_EQ(introspect.exit_code, 0) << introspect.out << introspect.err;
  EXPECT_THAT(introspect.out, HasSubstr("score_predict_data"));
  EXPECT_THAT(introspect.out, Not(HasSubstr("Failed")));
  EXPECT_TRUE(env_.FileExists(artifact_ + "/test_json_output.json"));

  CmdResult json = Ads({"model", "introspect", artifact_, "--output", "json"});
  ASSERT_EQ(json.exit_code, 0);
  auto tests = ParseJson(json.out);
  ASSERT_TRUE(tests.ok()) << json.out;
  EXPECT_EQ(tests->size(), 11u);
  for (const auto& [key, test] : tests->items()) EXPECT_EQ(test["success"], true) << key;

  CmdResult status = Ads({"model", "status", artifact_, "--output", "json"});
  ASSERT_EQ(status.exit_code, 0);
  EXPECT_THAT(status.out, HasSubstr("Conducted Introspect Test"));
  auto doc = ParseJson(status.out);
  ASSERT_TRUE(doc.ok()) << status.out;
  bool found = false;
  for (const auto& row : (*doc)["rows"]) {
    if (row.value("Details", "") == "Conducted Introspect Test") {
      found = true;
      EXPECT_EQ(row.value("Status", ""), "Done");
    }
  }
  EXPECT_TRUE(found) << status.out;

  // ADS stores the TESTS dict as the ArtifactTestResults taxonomy value.
  CmdResult md = Ads({"model", "metadata", artifact_, "--output", "json"});
  ASSERT_EQ(md.exit_code, 0);
  EXPECT_THAT(md.out, HasSubstr("ArtifactTestResults"));
  EXPECT_THAT(md.out, HasSubstr("score_predict_data"));
}

TEST_F(CliTest, IntrospectFailsOnABrokenScorePy) {
  ASSERT_EQ(PrepareIris().exit_code, 0);
  ASSERT_TRUE(env_.WriteFile(artifact_ + "/score.py",
                             "def load_model():\n    pass\n\ndef predict(x, data=None):\n    pass\n")
                  .ok());
  CmdResult r = Ads({"model", "introspect", artifact_});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out,
              HasSubstr("The predict function in score.py must have a formal argument named 'data'."));
  CmdResult status = Ads({"model", "status", artifact_});
  EXPECT_THAT(status.out, HasSubstr("Failed"));
}

TEST_F(CliTest, PrepareErrorsAreOneSentenceAndAHint) {
  CmdResult missing = Ads({"model", "prepare", root_ + "/nope.onnx", "--artifact-dir", artifact_,
                     "--ignore-conda-error"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("error: the model file"));
  EXPECT_THAT(missing.err, HasSubstr("nope.onnx"));
  EXPECT_FALSE(env_.FileExists(artifact_));

  ASSERT_EQ(PrepareIris().exit_code, 0);
  CmdResult again = PrepareIris();
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("runtime.yaml already exists"));
  EXPECT_THAT(again.err, HasSubstr("hint: pass --force-overwrite"));
  EXPECT_EQ(PrepareIris({"--force-overwrite"}).exit_code, 0);

  CmdResult no_conda = Ads({"model", "prepare", kSource + "/examples/iris/model.onnx", "--artifact-dir",
                      root_ + "/other"});
  if (!env_.GetEnvVar("CONDA_PREFIX")) {
    EXPECT_EQ(no_conda.exit_code, 1);
    EXPECT_THAT(no_conda.err, HasSubstr("--ignore-conda-error"));
  }
}

TEST_F(CliTest, MetadataShowsAndEditsWithValidation) {
  ASSERT_EQ(PrepareIris().exit_code, 0);
  CmdResult set = Ads({"model", "metadata", artifact_, "--set-custom",
                 "Accuracy=0.97,category=Performance,description=Test accuracy"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_THAT(set.out, HasSubstr("Accuracy"));

  CmdResult json = Ads({"model", "metadata", artifact_, "--output", "json"});
  auto doc = ParseJson(json.out);
  ASSERT_TRUE(doc.ok()) << json.out;
  bool found = false;
  for (const auto& item : (*doc)["customMetadataList"]) {
    if (item["key"] == "Accuracy") {
      found = true;
      EXPECT_EQ(item["value"], "0.97");
      EXPECT_EQ(item["category"], "Performance");
      EXPECT_EQ(item["hasArtifact"], false);
    }
  }
  EXPECT_TRUE(found);

  const std::string before = *env_.ReadFile(artifact_ + "/.ads/metadata.json");
  CmdResult too_long = Ads({"model", "metadata", artifact_, "--set-custom",
                      "Notes=" + std::string(300, 'n')});
  EXPECT_EQ(too_long.exit_code, 1);
  EXPECT_THAT(too_long.err, HasSubstr("255"));
  CmdResult bad_framework = Ads({"model", "metadata", artifact_, "--set-taxonomy", "Framework=bogus"});
  EXPECT_EQ(bad_framework.exit_code, 1);
  EXPECT_THAT(bad_framework.err, HasSubstr("Invalid value of `Framework`"));
  CmdResult unknown = Ads({"model", "metadata", artifact_, "--remove-custom", "NoSuchKey"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(*env_.ReadFile(artifact_ + "/.ads/metadata.json"), before) << "a failed edit wrote";

  CmdResult removed = Ads({"model", "metadata", artifact_, "--remove-custom", "Accuracy"});
  ASSERT_EQ(removed.exit_code, 0);
  EXPECT_THAT(removed.out, Not(HasSubstr("Accuracy")));
}

TEST_F(CliTest, CommandsOnAFolderThatWasNotPrepared) {
  ASSERT_TRUE(env_.CreateDirs(root_ + "/empty").ok());
  CmdResult status = Ads({"model", "status", root_ + "/empty"});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_THAT(status.err, HasSubstr("hint: run `ads model prepare"));
  CmdResult introspect = Ads({"model", "introspect", root_ + "/empty"});
  EXPECT_EQ(introspect.exit_code, 1);
  EXPECT_THAT(introspect.out, HasSubstr("The file 'score.py' is missing."));
}

}  // namespace
}  // namespace ads::cli
