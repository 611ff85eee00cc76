// ChooseRuntime: which runtime serves an artifact folder, and why.
#include "runtime/predictor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/test_artifact.h"

namespace ads::runtime {
namespace {

using ::testing::HasSubstr;
using testing_util::kSource;
using testing_util::TempDir;

Env& env() { return *Env::Default(); }

void Write(const std::string& path, std::string_view text) {
  ASSERT_TRUE(env().WriteFile(path, text).ok()) << path;
}

TEST(ChooseRuntimeTest, KindNames) {
  EXPECT_EQ(RuntimeKindName(RuntimeKind::kOnnx), "onnx");
  EXPECT_EQ(RuntimeKindName(RuntimeKind::kXgboost), "xgboost");
  EXPECT_EQ(RuntimeKindName(RuntimeKind::kPython), "python");
}

TEST(ChooseRuntimeTest, WithoutScorePyTheModelFileDecides) {
  TempDir onnx;
  testing_util::CopyFile(kSource + "/examples/iris/model.onnx", onnx / "model.onnx");
  Write(onnx / "input_schema.json", R"({"schema": [], "version": "1.1"})");
  auto c = ChooseRuntime(env(), onnx.path());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->kind, RuntimeKind::kOnnx);
  EXPECT_EQ(c->model_file, "model.onnx");
  EXPECT_THAT(c->reason, HasSubstr("no score.py"));

  for (const std::string ext : {"json", "ubj", "bin"}) {
    TempDir xgb;
    testing_util::CopyFile(kSource + "/tests/data/models/xgb_classifier." + ext, xgb / ("booster." + ext));
    Write(xgb / "input_schema.json", R"({"schema": [], "version": "1.1"})");
    Write(xgb / "output_schema.json", R"({"schema": [], "version": "1.1"})");
    Write(xgb / "notes.json", R"({"learning": "a json file that is not a model"})");
    auto x = ChooseRuntime(env(), xgb.path());
    ASSERT_TRUE(x.ok()) << ext << ": " << x.status().ToString();
    EXPECT_EQ(x->kind, RuntimeKind::kXgboost) << ext;
    EXPECT_EQ(x->model_file, "booster." + ext);
  }
}

TEST(ChooseRuntimeTest, NoModelOrSeveralModelsIsAClearError) {
  TempDir empty;
  Write(empty / "runtime.yaml", "MODEL_ARTIFACT_VERSION: '3.0'\n");
  auto none = ChooseRuntime(env(), empty.path());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(none.status().message(), HasSubstr("no score.py and no model file"));

  TempDir two;
  testing_util::CopyFile(kSource + "/examples/iris/model.onnx", two / "a.onnx");
  testing_util::CopyFile(kSource + "/tests/data/models/xgb_classifier.json", two / "b.json");
  auto several = ChooseRuntime(env(), two.path());
  ASSERT_FALSE(several.ok());
  EXPECT_THAT(several.status().message(), HasSubstr("several model files (a.onnx, b.json)"));
}

TEST(ChooseRuntimeTest, TheUnmodifiedGeneratedScorePyMeansNative) {
  TempDir dir;
  testing_util::CopyFile(kSource + "/tests/data/models/xgb_classifier.ubj", dir / "clf.ubj");
  testing_util::CopyFile(kSource + "/examples/iris/model.onnx", dir / "other.onnx");  // ignored
  testing_util::WriteGeneratedScorePy(dir.path(), "xgboost", "ubj", "clf.ubj");
  auto c = ChooseRuntime(env(), dir.path());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->kind, RuntimeKind::kXgboost);
  EXPECT_EQ(c->model_file, "clf.ubj");
  EXPECT_THAT(c->reason, HasSubstr("unmodified"));
}

TEST(ChooseRuntimeTest, AnyOtherScorePyMeansPython) {
  TempDir dir;
  testing_util::CopyFile(kSource + "/examples/iris/model.onnx", dir / "model.onnx");
  testing_util::WriteGeneratedScorePy(dir.path(), "onnx", "onnx", "model.onnx");
  auto text = env().ReadFile(dir / "score.py");
  ASSERT_TRUE(text.ok());
  Write(dir / "score.py", *text + "\n# tuned by hand\n");
  auto edited = ChooseRuntime(env(), dir.path());
  ASSERT_TRUE(edited.ok());
  EXPECT_EQ(edited->kind, RuntimeKind::kPython);
  EXPECT_THAT(edited->reason, HasSubstr("edited"));

  Write(dir / "score.py", "def load_model():\n    return None\n\ndef predict(data, model=load_model()):\n"
                          "    return {'prediction': data}\n");
  auto user = ChooseRuntime(env(), dir.path());
  ASSERT_TRUE(user.ok());
  EXPECT_EQ(user->kind, RuntimeKind::kPython);
  EXPECT_THAT(user->reason, HasSubstr("artifact's own"));
}

TEST(ChooseRuntimeTest, GeneratedScorePyWithoutItsModelFileIsAnError) {
  TempDir dir;
  testing_util::WriteGeneratedScorePy(dir.path(), "onnx", "onnx", "model.onnx");
  auto c = ChooseRuntime(env(), dir.path());
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("model.onnx, which is not in"));
  auto p = LoadPredictor(env(), dir.path(), {});
  EXPECT_FALSE(p.ok());
}

TEST(ChooseRuntimeTest, AMissingFolderIsAnError) {
  EXPECT_FALSE(ChooseRuntime(env(), "/nonexistent/ads-artifact").ok());
}

}  // namespace
}  // namespace ads::runtime
