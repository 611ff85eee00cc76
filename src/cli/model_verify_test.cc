// End-to-end tests of `ads model verify`: output, exit statuses, the status row.
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

const std::string kSource = ADS_SOURCE_DIR;
constexpr std::string_view kVerifyDetail = "Local tested .predict from score.py";

class ModelVerifyTest : public AdsBinaryTest {
 protected:
  void SetUp() override {
    MakeRoot("ads-verify-test-");
    artifact_ = root_ + "/iris";
  }

  void Prepare(const std::string& model, const std::string& dir) {
    CmdResult r = Ads({"model", "prepare", model, "--artifact-dir", dir, "--ignore-conda-error"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string VerifyRowStatus(const std::string& dir) {
    CmdResult r = Ads({"model", "status", dir, "-o", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto doc = ParseJson(r.out);
    EXPECT_TRUE(doc.ok()) << r.out;
    if (!doc.ok()) return "";
    for (const Json& row : doc->is_array() ? *doc : (*doc)["rows"]) {
      if (StringMemberOr(row, "Details") == kVerifyDetail || StringMemberOr(row, "details") == kVerifyDetail) {
        return StringMemberOr(row, "Status") + StringMemberOr(row, "status");
      }
    }
    ADD_FAILURE() << "no verify row in " << r.out;
    return "";
  }

  std::string artifact_;
};

// The first X.csv row and sklearn's class for it, from examples/iris.
struct IrisRow {
  std::string body;
  int64_t label = -1;
};
IrisRow FirstIrisRow() {
  IrisRow row;
  auto csv = Env::Default()->ReadFile(kSource + "/examples/iris/X.csv").value_or("");
  const size_t start = csv.find('\n') + 1;
  row.body = "[[" + csv.substr(start, csv.find('\n', start) - start) + "]]";
  auto expected = ParseJson(Env::Default()->ReadFile(kSource + "/examples/iris/expected.json").value_or(""));
  if (expected.ok()) row.label = (*expected)["predict"][0].get<int64_t>();
  return row;
}

TEST_F(ModelVerifyTest, PredictsPrintsJsonAndMarksVerifyDone) {
  Prepare(kSource + "/examples/iris/model.onnx", artifact_);
  EXPECT_NE(VerifyRowStatus(artifact_), "Done");
  const IrisRow row = FirstIrisRow();
  CmdResult r = Ads({"model", "verify", artifact_, "--data", row.body});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("runtime: onnx"));
  auto doc = ParseJson(r.out);
  ASSERT_TRUE(doc.ok()) << r.out;
  EXPECT_EQ((*doc)["prediction"][0][0].get<int64_t>(), row.label) << r.out;
  EXPECT_EQ((*doc)["prediction"][1][0].size(), 3u) << r.out;
  EXPECT_EQ(VerifyRowStatus(artifact_), "Done");
}

TEST_F(ModelVerifyTest, ReadsTheBodyFromAFile) {
  Prepare(kSource + "/examples/iris/model.onnx", artifact_);
  ASSERT_TRUE(env_.WriteFile(root_ + "/payload.json",
                             R"({"data": [[6.3, 2.5, 5.0, 1.9]], "data_type": "<class 'list'>"})")
                  .ok());
  CmdResult file = Ads({"model", "verify", artifact_, "--data", "@" + root_ + "/payload.json"});
  CmdResult inline_body = Ads({"model", "verify", artifact_, "-d", "[[6.3, 2.5, 5.0, 1.9]]"});
  ASSERT_EQ(file.exit_code, 0) << file.err;
  EXPECT_EQ(file.out, inline_body.out);
  CmdResult missing = Ads({"model", "verify", artifact_, "--data", "@" + root_ + "/absent.json"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("error: Cannot read the payload file"));
}

TEST_F(ModelVerifyTest, BadPayloadFailsWithOneSentenceAndAHint) {
  Prepare(kSource + "/examples/iris/model.onnx", artifact_);
  CmdResult r = Ads({"model", "verify", artifact_, "--data", "[[1, 2, 3]]"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr("error: "));
  EXPECT_THAT(r.err, HasSubstr("shape"));
  EXPECT_THAT(r.err, HasSubstr("hint: "));
  EXPECT_NE(VerifyRowStatus(artifact_), "Done");
  CmdResult bytes = Ads({"model", "verify", artifact_, "--data", "[[1, 2, 3, 4]]", "--content-type",
                         "application/octet-stream"});
  EXPECT_EQ(bytes.exit_code, 1);
  EXPECT_THAT(bytes.err, HasSubstr("JSON bodies only"));
}

TEST_F(ModelVerifyTest, FolderWithoutModelIsAnError) {
  ASSERT_TRUE(env_.CreateDirs(root_ + "/empty").ok());
  CmdResult r = Ads({"model", "verify", root_ + "/empty", "--data", "[[1]]"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("no score.py and no model file"));
  EXPECT_THAT(r.err, HasSubstr("hint: run `ads model prepare"));
}

TEST_F(ModelVerifyTest, DataIsRequired) {
  CmdResult r = Ads({"model", "verify", root_});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--data"));
}

TEST_F(ModelVerifyTest, XgboostArtifactsRunNatively) {
  const std::string dir = root_ + "/xgb";
  Prepare(kSource + "/tests/data/models/xgb_classifier.json", dir);
  CmdResult r =
      Ads({"model", "verify", dir, "--data", "[[0.1, 0.2, 0.3, 0.4, 0.5, 0.6], [1, 1, 1, 1, 1, 1]]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("runtime: xgboost"));
  auto doc = ParseJson(r.out);
  ASSERT_TRUE(doc.ok()) << r.out;
  const Json& p = (*doc)["prediction"];
  ASSERT_EQ(p.size(), 2u) << r.out;  // binary:logistic: one probability per row
  for (const Json& v : p) {
    EXPECT_GE(v.get<double>(), 0.0);
    EXPECT_LE(v.get<double>(), 1.0);
  }
}

}  // namespace
}  // namespace ads::cli
