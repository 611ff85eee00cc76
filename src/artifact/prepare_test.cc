#include "artifact/prepare.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "artifact/runtime_yaml.h"
#include "artifact/schema.h"
#include "artifact/score_py.h"
#include "artifact/summary_status.h"
#include "metadata/model_metadata.h"

namespace ads::artifact {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

const std::string kSource = ADS_SOURCE_DIR;
const std::string kServicePack =
    "oci://service-conda-packs@id19sfcrra6z/service_pack/cpu/General_ML/1.0/"
    "generalml_p311_cpu_x86_64_v1";

class PrepareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = env_.MakeTempDir("ads-prepare-test-");
    ASSERT_TRUE(dir.ok());
    root_ = *dir;
    target_ = root_ + "/artifact";
  }
  void TearDown() override { env_.RemoveAll(root_).IgnoreError(); }

  PrepareOptions IrisOptions() const {
    PrepareOptions o;
    o.model_file = kSource + "/examples/iris/model.onnx";
    o.artifact_dir = target_;
    o.inference_conda_env = kServicePack;
    o.x_sample = kSource + "/examples/iris/X.csv";
    o.y_sample = kSource + "/examples/iris/y.csv";
    o.custom_metadata.push_back({"Team", "forecasting", "Other", "Owning team"});
    return o;
  }

  // Everything in the parent folder: proves no staging leftovers remain.
  std::vector<std::string> RootEntries() { return env_.ListDir(root_).value_or({}); }

  Env& env_ = *Env::Default();
  std::string root_;
  std::string target_;
};

TEST_F(PrepareTest, WritesACompleteIrisArtifact) {
  auto report = PrepareArtifact(env_, IrisOptions());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_THAT(report->files,
              IsSupersetOf({"runtime.yaml", "score.py", "model.onnx", "input_schema.json",
                            "output_schema.json", ".model-ignore"}));
  EXPECT_TRUE(report->score_py_generated);
  EXPECT_TRUE(report->input_schema_attached);
  EXPECT_EQ(report->framework, "scikit-learn");
  EXPECT_EQ(*env_.ReadFile(target_ + "/model.onnx"),
            *env_.ReadFile(kSource + "/examples/iris/model.onnx"));

  std::vector<std::string> warnings;
  auto runtime = LoadRuntimeYaml(env_, target_ + "/runtime.yaml", &warnings);
  ASSERT_TRUE(runtime.ok()) << runtime.status().ToString();
  EXPECT_EQ(runtime->inference_conda_env.type, "data_science");
  EXPECT_EQ(runtime->inference_conda_env.python_version, "3.11");
  EXPECT_EQ(runtime->provenance.training_code.artifact_directory, target_);

  const ScorePyOrigin origin = RecognizeScorePy(*env_.ReadFile(target_ + "/score.py"));
  EXPECT_EQ(origin.kind, ScorePyOrigin::kGeneratedUnmodified);
  EXPECT_EQ(origin.runtime, "onnx");

  auto schema = LoadSchema(env_, target_ + "/input_schema.json");
  ASSERT_TRUE(schema.ok());
  ASSERT_EQ((*schema)["schema"].size(), 4u);
  EXPECT_EQ((*schema)["schema"][0]["name"], "sepal_length");

  auto md = metadata::ModelMetadata::Load(env_, target_);
  ASSERT_TRUE(md.ok()) << md.status().ToString();
  EXPECT_EQ(md->taxonomy.Value(metadata::kFrameworkKey), "scikit-learn");
  EXPECT_EQ(md->taxonomy.Value(metadata::kAlgorithmKey), "RandomForestClassifier");
  EXPECT_EQ(md->taxonomy.Value(metadata::kUseCaseTypeKey), "multinomial_classification");
  EXPECT_EQ(md->custom.Get("ModelFileName")->value, "model.onnx");
  EXPECT_EQ(md->custom.Get("team")->value, "forecasting");
  EXPECT_EQ(md->provenance.artifact_dir, target_);

  auto status = LoadSummaryStatus(env_, target_);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->StatusOf(kDetailRuntimeYaml), kStateDone);
  EXPECT_EQ(status->StatusOf(kDetailScorePy), kStateDone);
  EXPECT_EQ(status->StatusOf(kDetailIntrospect), kStateAvailable);
  EXPECT_THAT(RootEntries(), ::testing::ElementsAre("artifact"));
  EXPECT_EQ(env_.Stat(target_)->mode & 0777, 0755u);
}

TEST_F(PrepareTest, XgboostModelGetsXgboostScorePy) {
  PrepareOptions o;
  o.model_file = kSource + "/tests/data/models/xgb_classifier.json";
  o.artifact_dir = target_;
  o.ignore_conda_error = true;
  auto report = PrepareArtifact(env_, o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->framework, "xgboost");
  const ScorePyOrigin origin = RecognizeScorePy(*env_.ReadFile(target_ + "/score.py"));
  EXPECT_EQ(origin.runtime, "xgboost");
  EXPECT_EQ(origin.serialization_format, "json");
  std::vector<std::string> warnings;
  auto runtime = LoadRuntimeYaml(env_, target_ + "/runtime.yaml", &warnings);
  ASSERT_TRUE(runtime.ok());
  EXPECT_EQ(runtime->inference_conda_env.path, "");  // container / native runtime
}

// A model ads cannot read (here: bytes like a joblib file) is accepted with
// the user's own score.py, and only then; a damaged model of a format ads
// knows is refused even with one.
TEST_F(PrepareTest, ForeignModelFileNeedsItsOwnScorePy) {
  const std::string joblib = root_ + "/in/model.joblib";
  ASSERT_TRUE(env_.CreateDirs(root_ + "/in").ok());
  ASSERT_TRUE(env_.WriteFile(joblib, std::string("\x80\x04\x95" "joblib bytes")).ok());
  const std::string score = kSource + "/tests/data/runtime/python/sklearn_iris/score.py";
  PrepareOptions o;
  o.model_file = joblib;
  o.artifact_dir = target_;
  o.inference_conda_env = kServicePack;
  auto refused = PrepareArtifact(env_, o);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("not in a model format ads recognises"));
  EXPECT_FALSE(env_.FileExists(target_));

  o.score_py = score;
  auto report = PrepareArtifact(env_, o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_FALSE(report->score_py_generated);
  EXPECT_EQ(report->framework, "");
  EXPECT_EQ(*env_.ReadFile(target_ + "/model.joblib"), *env_.ReadFile(joblib));
  EXPECT_EQ(*env_.ReadFile(target_ + "/score.py"), *env_.ReadFile(score));

  o.force_overwrite = true;
  for (const std::string damaged : {"truncated.onnx", "truncated.json", "garbage.ubj"}) {
    o.model_file = kSource + "/tests/data/models/" + damaged;
    EXPECT_FALSE(PrepareArtifact(env_, o).ok()) << damaged;
  }
  EXPECT_TRUE(env_.FileExists(target_ + "/model.joblib"));  // the refusals changed nothing
}

TEST_F(PrepareTest, RefusesToOverwriteWithoutForceAndKeepsUserFilesWithIt) {
  ASSERT_TRUE(PrepareArtifact(env_, IrisOptions()).ok());
  ASSERT_TRUE(env_.WriteFile(target_ + "/tokenizer.txt", "mine").ok());
  auto again = PrepareArtifact(env_, IrisOptions());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().message(),
            "runtime.yaml already exists. Set `force_overwrite` to True to overwrite all the "
            "files.");
  PrepareOptions o = IrisOptions();
  o.force_overwrite = true;
  o.custom_metadata = {{"Team", "platform", "", ""}};
  auto forced = PrepareArtifact(env_, o);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_EQ(*env_.ReadFile(target_ + "/tokenizer.txt"), "mine");
  EXPECT_EQ(metadata::ModelMetadata::Load(env_, target_)->custom.Get("Team")->value, "platform");
  EXPECT_THAT(RootEntries(), ::testing::ElementsAre("artifact"));
}

// Fails every mutating file-system call from the k-th on, as a crash would
// (clean-up fails too): the target always shows the old artifact or the new
// one, never a mixture; the next successful prepare removes the leftovers.
TEST_F(PrepareTest, AFailureAtAnyWriteLeavesOldStateOrNewState) {
  PrepareOptions first = IrisOptions();
  first.custom_metadata = {{"Team", "old", "", ""}};
  ASSERT_TRUE(PrepareArtifact(env_, first).ok());
  const std::string old_runtime = *env_.ReadFile(target_ + "/runtime.yaml");
  first.force_overwrite = true;

  PrepareOptions second = IrisOptions();
  second.force_overwrite = true;
  second.inference_python_version = "3.10";
  second.custom_metadata = {{"Team", "new", "", ""}};
  FaultInjectionEnv faulty(&env_);
  int failures = 0;
  for (int k = 0;; ++k) {
    faulty.Reset();
    faulty.FailAfter(k);
    auto r = PrepareArtifact(faulty, second);
    auto md = metadata::ModelMetadata::Load(env_, target_);
    ASSERT_TRUE(md.ok()) << "after failing write #" << k << ": " << md.status().ToString();
    const Json team = md->custom.Get("Team")->value;
    const std::string runtime = *env_.ReadFile(target_ + "/runtime.yaml");
    if (r.ok()) {
      EXPECT_EQ(team, "new");
      EXPECT_THAT(runtime, HasSubstr("INFERENCE_PYTHON_VERSION: '3.10'"));
      break;
    }
    ++failures;
    EXPECT_EQ(r.status().code(), StatusCode::kIoError) << r.status().ToString();
    if (team == "old") {
      EXPECT_EQ(runtime, old_runtime) << "mixed state after failing write #" << k;
    } else {
      // Failing the clean-up after the switch: the new artifact is complete.
      EXPECT_EQ(team, "new");
      EXPECT_THAT(runtime, HasSubstr("'3.10'"));
      ASSERT_TRUE(PrepareArtifact(env_, first).ok());  // back to the old one for the next k
    }
    ASSERT_LT(k, 500) << "prepare never succeeded";
  }
  EXPECT_GT(failures, 5);
  EXPECT_THAT(RootEntries(), ::testing::ElementsAre("artifact"));
}

TEST_F(PrepareTest, FreshTargetIsAbsentAfterAnyFailure) {
  FaultInjectionEnv faulty(&env_);
  for (int k = 0; k < 500; ++k) {
    faulty.Reset();
    faulty.FailAfter(k);
    auto r = PrepareArtifact(faulty, IrisOptions());
    if (r.ok()) break;
    EXPECT_FALSE(env_.FileExists(target_)) << "partial artifact after failing write #" << k;
  }
  EXPECT_TRUE(env_.FileExists(target_ + "/runtime.yaml"));
  EXPECT_THAT(RootEntries(), ::testing::ElementsAre("artifact"));
}

TEST_F(PrepareTest, BadInputsGetClearErrorsAndWriteNothing) {
  struct Case {
    std::string name;
    std::function<void(PrepareOptions&)> edit;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"missing model", [](auto& o) { o.model_file = "/nonexistent/model.onnx"; },
       "the model file `/nonexistent/model.onnx` does not exist"},
      {"not a model", [](auto& o) { o.model_file = kSource + "/examples/iris/X.csv"; }, "X.csv"},
      {"reserved name", [](auto& o) { o.model_file_name = "score.py"; },
       "is a file that prepare writes itself"},
      {"nested name", [](auto& o) { o.model_file_name = "a/model.onnx"; },
       "must be a plain file name"},
      {"slug", [](auto& o) { o.inference_conda_env = "generalml_p311_cpu_x86_64_v1"; },
       "slugs cannot be resolved offline"},
      {"use case", [](auto& o) { o.use_case_type = "telepathy"; }, "Invalid value of `UseCaseType`"},
      {"long custom value",
       [](auto& o) { o.custom_metadata = {{"Notes", std::string(300, 'x'), "", ""}}; }, "255"},
      {"bad category",
       [](auto& o) { o.custom_metadata = {{"Notes", "x", "Colours", ""}}; }, "Invalid category"},
      {"bad sample", [](auto& o) { o.x_sample = kSource + "/examples/iris/model.onnx"; },
       "model.onnx"},
      {"bad score.py path", [](auto& o) { o.score_py = "/nonexistent/score.py"; },
       "--score-py"},
      {"max col num", [](auto& o) { o.max_col_num = 0; }, "--max-col-num"},
  };
  for (const auto& c : cases) {
    PrepareOptions o = IrisOptions();
    c.edit(o);
    auto r = PrepareArtifact(env_, o);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_THAT(r.status().message(), HasSubstr(c.expected)) << c.name;
    EXPECT_TRUE(RootEntries().empty()) << c.name << " left files behind";
  }
}

TEST_F(PrepareTest, NoCondaInformationNeedsIgnoreCondaError) {
  PrepareOptions o = IrisOptions();
  o.inference_conda_env.clear();
  auto r = PrepareArtifact(env_, o);
  if (!env_.GetEnvVar("CONDA_PREFIX")) {
    ASSERT_FALSE(r.ok());
    EXPECT_THAT(r.status().hint(), HasSubstr("--ignore-conda-error"));
  }
  o.ignore_conda_error = true;
  EXPECT_TRUE(PrepareArtifact(env_, o).ok());
}

TEST(ParseCustomMetadataArgTest, SplitsValueCategoryAndDescription) {
  auto a = ParseCustomMetadataArg("Accuracy=0.97,category=Performance,description=On test, 2026");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->key, "Accuracy");
  EXPECT_EQ(a->value, "0.97");
  EXPECT_EQ(a->category, "Performance");
  EXPECT_EQ(a->description, "On test, 2026");
  auto b = ParseCustomMetadataArg("Tags=a,b,c");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->value, "a,b,c");
  EXPECT_EQ(b->category, "");
  auto c = ParseCustomMetadataArg("K=v,description=first,category=Other");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->description, "first");
  EXPECT_EQ(c->category, "Other");
  EXPECT_FALSE(ParseCustomMetadataArg("novalue").ok());
  EXPECT_FALSE(ParseCustomMetadataArg("=x").ok());
}

}  // namespace
}  // namespace ads::artifact
