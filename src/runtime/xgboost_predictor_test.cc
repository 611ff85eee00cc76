// The xgboost runtime: the generated score.py's answers (python3-xgboost) on
// every payload encoding, concurrency, and damaged model files.
#include "runtime/xgboost_predictor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

#include "base/test_shell.h"
#include "runtime/test_artifact.h"

namespace ads::runtime {
namespace {

using ::testing::HasSubstr;
using testing_util::kSource;
using testing_util::TempDir;

// One artifact with the boosters of tests/data/runtime/xgboost_equivalence.py
// and that script's output, shared by the tests of this file.
class XgboostPredictorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    testing_util::WriteGeneratedScorePy(dir_->path(), "xgboost", "json", "model.json");
    output_ = new std::string(ads::testing_util::RunShell(
        "/usr/bin/python3 " + kSource + "/tests/data/runtime/xgboost_equivalence.py " + dir_->path()));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete output_;
  }

  static std::unique_ptr<Predictor> Load(const std::string& model) {
    auto p = LoadXgboostPredictor(*Env::Default(), dir_->path(), model, {});
    EXPECT_TRUE(p.ok()) << model << ": " << p.status().ToString();
    return p.ok() ? std::move(*p) : nullptr;
  }

  static TempDir* dir_;
  static std::string* output_;
};

TempDir* XgboostPredictorTest::dir_ = nullptr;
std::string* XgboostPredictorTest::output_ = nullptr;

// The strongest check: same bodies, same text (or both fail), for binary,
// softprob, softmax, regression, gblinear, dart and a one-feature booster,
// saved as JSON, UBJSON and the legacy binary format.
TEST_F(XgboostPredictorTest, AnswersExactlyLikeTheGeneratedScorePy) {
  const auto cases = testing_util::ParseCases(*output_);
  ASSERT_GE(cases.size(), 80u) << *output_;
  std::map<std::string, std::unique_ptr<Predictor>> predictors;
  auto main = LoadPredictor(*Env::Default(), dir_->path(), {});  // score.py names model.json
  ASSERT_TRUE(main.ok()) << main.status().ToString();
  EXPECT_EQ((*main)->kind(), RuntimeKind::kXgboost);
  predictors["model.json"] = std::move(*main);
  int answered = 0, refused = 0;
  for (const auto& c : cases) {
    if (!predictors.count(c.model)) predictors[c.model] = Load(c.model);
    ASSERT_NE(predictors[c.model], nullptr);
    auto r = predictors[c.model]->Predict({.body = c.body});
    if (c.error.empty()) {
      ASSERT_TRUE(r.ok()) << c.model << " / " << c.name << ": " << r.status().ToString();
      EXPECT_EQ(r->body, c.expected) << c.model << " / " << c.name;
      ++answered;
    } else {
      EXPECT_FALSE(r.ok()) << c.model << " / " << c.name << " should fail like score.py (" << c.error
                           << ") but gave " << r->body;
      if (!r.ok()) {
        EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
      }
      ++refused;
    }
  }
  EXPECT_GE(answered, 60);
  EXPECT_GE(refused, 10);
}

// libxgboost would read a short row as missing trailing features; we refuse it.
TEST_F(XgboostPredictorTest, RowsWithTooFewFeaturesAreRefused) {
  std::unique_ptr<Predictor> p = Load("multi.ubj");
  ASSERT_NE(p, nullptr);
  auto r = p->Predict({.body = "[[1, 2, 3]]"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("takes 4 features per row; the payload has 3"));
  auto cube = p->Predict({.body = "[[[1, 2, 3, 4]]]"});
  ASSERT_FALSE(cube.ok());
  EXPECT_THAT(cube.status().message(), HasSubstr("3-D"));
  auto empty = p->Predict({.body = "[]"});  // one row of no features
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("the payload has 0"));
}

// Many threads on one predictor (in-place path and the mutex-guarded
// gblinear path) must give what one thread gives.
TEST_F(XgboostPredictorTest, ConcurrentPredictionsAgree) {
  for (const std::string model : {"multi.ubj", "linear.json", "dart.ubj"}) {
    std::unique_ptr<Predictor> p = Load(model);
    ASSERT_NE(p, nullptr);
    std::vector<std::string> bodies, expected;
    for (int i = 0; i < 8; ++i) {
      const std::string v = std::to_string(i * 0.37 - 1.1), w = std::to_string(1.3 - i * 0.29);
      bodies.push_back("[[" + v + ", 0.5, " + w + ", 1], [0, " + w + ", 0.25, " + v + "]]");
      auto r = p->Predict({.body = bodies.back()});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      expected.push_back(r->body);
    }
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int k = 0; k < 200; ++k) {
          const size_t i = static_cast<size_t>((t + k) % 8);
          auto r = p->Predict({.body = bodies[i]});
          if (!r.ok() || r->body != expected[i]) ++mismatches;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(mismatches.load(), 0) << model;
  }
}

TEST(XgboostLoadTest, DamagedModelFilesAreErrors) {
  TempDir dir;
  for (const std::string name : {"truncated.json", "truncated.bin", "garbage.ubj"}) {
    testing_util::CopyFile(kSource + "/tests/data/models/" + name, dir / name);
    auto p = LoadXgboostPredictor(*Env::Default(), dir.path(), name, {});
    ASSERT_FALSE(p.ok()) << name;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << name << ": " << p.status().ToString();
  }
  testing_util::CopyFile(kSource + "/examples/iris/model.onnx", dir / "model.onnx");
  auto onnx = LoadXgboostPredictor(*Env::Default(), dir.path(), "model.onnx", {});
  ASSERT_FALSE(onnx.ok());
  EXPECT_THAT(onnx.status().message(), HasSubstr("not an XGBoost model"));
  auto missing = LoadXgboostPredictor(*Env::Default(), dir.path(), "absent.json", {});
  EXPECT_FALSE(missing.ok());
}

// The committed models of tests/data/models load in all three formats and
// agree with each other.
TEST(XgboostLoadTest, TheThreeFormatsOfOneModelAgree) {
  TempDir dir;
  std::string first;
  for (const std::string ext : {"json", "ubj", "bin"}) {
    const std::string name = "xgb_multiclass." + ext;
    testing_util::CopyFile(kSource + "/tests/data/models/" + name, dir / name);
    auto p = LoadXgboostPredictor(*Env::Default(), dir.path(), name, {.threads = 1});
    ASSERT_TRUE(p.ok()) << name << ": " << p.status().ToString();
    auto r = (*p)->Predict({.body = "[[0.1, 0.2, 0.3, 0.4], [1, 1, 1, 1]]"});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    if (first.empty()) first = r->body;
    EXPECT_EQ(r->body, first) << name;
  }
}

}  // namespace
}  // namespace ads::runtime
