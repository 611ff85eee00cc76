#include "artifact/introspect.h"

#include <gtest/gtest.h>

#include <string>

#include "artifact/introspect_internal.h"
#include "artifact/score_py.h"
#include "base/env.h"

namespace ads::artifact {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

std::string Corpus(const std::string& name) {
  return std::string(ADS_SOURCE_DIR) + "/tests/data/introspect/" + name;
}

IntrospectionResult Introspect(const std::string& path, const IntrospectOptions& options = {}) {
  auto r = IntrospectArtifact(*Env::Default(), path, options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : IntrospectionResult{};
}

std::string Success(const IntrospectionResult& r, const std::string& key) {
  const Json& t = r.tests.at(key);
  if (!t.contains("success")) return "absent";
  return t["success"].dump();
}

std::string Msg(const IntrospectionResult& r, const std::string& key) {
  return r.tests.at(key).at("error_msg").get<std::string>();
}

internal::ProcessResult Python(const std::vector<std::string>& args, std::string_view input = "") {
  std::vector<std::string> argv = {kPython};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = internal::RunProcess(argv, input, 60000);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : internal::ProcessResult{};
}

// Makes a zip with Python's zipfile: members given as "name=source path".
std::string MakeZip(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& members) {
  const std::string zip = JoinPath(dir, "artifact.zip");
  std::vector<std::string> args = {"-c",
                                   "import sys, zipfile\n"
                                   "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n"
                                   "    for i in range(2, len(sys.argv), 2):\n"
                                   "        z.write(sys.argv[i + 1], sys.argv[i])\n",
                                   zip};
  for (const auto& [name, src] : members) {
    args.push_back(name);
    args.push_back(src);
  }
  auto r = Python(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return zip;
}

TEST(IntrospectTest, GoodArtifactPassesAllElevenChecks) {
  IntrospectionResult r = Introspect(Corpus("good"));
  EXPECT_EQ(r.status, IntrospectionStatus::kPassed);
  EXPECT_FALSE(r.native);
  EXPECT_EQ(r.final_message, "Validation Passed.");
  ASSERT_EQ(r.tests.size(), 11u);
  const std::vector<std::string> order = {
      "score_py",         "runtime_yaml",       "score_syntax",       "score_load_model",
      "score_predict",    "score_predict_data", "score_predict_arg",  "runtime_version",
      "runtime_env_python", "runtime_env_path", "runtime_path_exist"};
  size_t i = 0;
  for (const auto& [key, test] : r.tests.items()) {
    EXPECT_EQ(key, order[i++]);
    EXPECT_EQ(test.at("success"), true) << key;
    EXPECT_EQ(test.contains("key"), key == "score_py") << key;
  }
  EXPECT_EQ(r.tests["runtime_env_python"]["value"], "3.11");
  EXPECT_EQ(r.tests["runtime_env_path"]["value"],
            "oci://service-conda-packs@id19sfcrra6z/service_pack/cpu/"
            "General_Machine_Learning_for_CPUs_on_Python_3.11/1.0/generalml_p311_cpu_x86_64_v1");
  EXPECT_EQ(r.tests["score_py"]["category"], "Mandatory Files Check");
  EXPECT_EQ(r.tests["score_py"]["description"],
            "Check that the file \"score.py\" exists and is in the top level directory of the "
            "artifact directory");
  ASSERT_EQ(r.rows.size(), 11u);
  EXPECT_EQ(r.rows.front().key, "runtime_env_path");  // sorted by key, as ADS's DataFrame
  EXPECT_EQ(r.rows.back().key, "score_syntax");
  for (const IntrospectionRow& row : r.rows) {
    EXPECT_EQ(row.result, "Passed");
    EXPECT_EQ(row.message, "");
  }
}

TEST(IntrospectTest, MissingScorePyStopsAtTheMandatoryFiles) {
  IntrospectionResult r = Introspect(Corpus("missing_score"));
  EXPECT_EQ(r.status, IntrospectionStatus::kFailed);
  EXPECT_EQ(Success(r, "score_py"), "false");
  EXPECT_EQ(Success(r, "runtime_yaml"), "true");
  EXPECT_EQ(r.final_message, "The file 'score.py' is missing.");
  for (const char* k : {"score_syntax", "runtime_version", "runtime_path_exist"}) {
    EXPECT_EQ(Success(r, k), "absent") << k;
  }
  bool found = false;
  for (const IntrospectionRow& row : r.rows) {
    if (row.key == "score_py") {
      found = true;
      EXPECT_EQ(row.result, "Failed");
      EXPECT_EQ(row.message, "The file 'score.py' is missing.");
    } else if (row.key == "score_syntax") {
      EXPECT_EQ(row.result, "Skipped");
      EXPECT_EQ(row.message, "");
    }
  }
  EXPECT_TRUE(found);
}

TEST(IntrospectTest, MissingRuntimeYaml) {
  IntrospectionResult r = Introspect(Corpus("missing_runtime"));
  EXPECT_EQ(r.status, IntrospectionStatus::kFailed);
  EXPECT_EQ(Success(r, "score_py"), "true");
  EXPECT_EQ(Success(r, "runtime_yaml"), "false");
  EXPECT_EQ(r.final_message, "The file 'runtime.yaml' is missing.");
  EXPECT_EQ(Success(r, "score_syntax"), "absent");
}

TEST(IntrospectTest, SyntaxErrorCarriesPythonsMessage) {
  const std::string path = Corpus("syntax_error/score.py");
  auto expected = Python({"-c",
                          "import ast, sys\n"
                          "try:\n    ast.parse(open(sys.argv[1]).read())\n"
                          "except SyntaxError as e:\n    sys.stdout.write(str(e))\n",
                          path});
  ASSERT_FALSE(expected.out.empty());
  IntrospectionResult r = Introspect(Corpus("syntax_error"));
  EXPECT_EQ(r.status, IntrospectionStatus::kFailed);
  EXPECT_EQ(Success(r, "score_syntax"), "false");
  EXPECT_EQ(Msg(r, "score_syntax"), "There is Syntax error in score.py: " + expected.out);
  EXPECT_EQ(Success(r, "score_load_model"), "absent");
}

TEST(IntrospectTest, MissingLoadModel) {
  IntrospectionResult r = Introspect(Corpus("no_load_model"));
  EXPECT_EQ(Success(r, "score_syntax"), "true");
  EXPECT_EQ(Success(r, "score_predict"), "true");
  EXPECT_EQ(Success(r, "score_load_model"), "false");
  EXPECT_EQ(r.final_message, "Function load_model is not present in score.py.");
  EXPECT_EQ(Success(r, "score_predict_data"), "absent");
}

TEST(IntrospectTest, PredictWhoseFirstArgumentIsNotData) {
  IntrospectionResult r = Introspect(Corpus("predict_x_data"));
  EXPECT_EQ(Success(r, "score_predict_data"), "false");
  EXPECT_EQ(r.final_message,
            "The predict function in score.py must have a formal argument named 'data'.");
  EXPECT_EQ(Success(r, "score_predict_arg"), "absent");
}

TEST(IntrospectTest, PredictWithARequiredSecondArgument) {
  IntrospectionResult r = Introspect(Corpus("predict_no_default"));
  EXPECT_EQ(Success(r, "score_predict_data"), "true");
  EXPECT_EQ(Success(r, "score_predict_arg"), "false");
  EXPECT_EQ(r.final_message,
            "All formal arguments in the predict function must have default values, except that "
            "'data' argument.");
}

TEST(IntrospectTest, AsyncPredictDoesNotCount) {
  IntrospectionResult r = Introspect(Corpus("async_predict"));
  EXPECT_EQ(Success(r, "score_predict"), "false");
  EXPECT_EQ(Success(r, "score_load_model"), "true");
  EXPECT_EQ(r.final_message, "Function predict is not present in score.py.");
}

TEST(IntrospectTest, PredictWithoutArgumentsFailsLikeAdsIndexError) {
  IntrospectionResult r = Introspect(Corpus("predict_no_args"));
  EXPECT_EQ(r.status, IntrospectionStatus::kFailed);
  EXPECT_EQ(Success(r, "score_predict"), "true");
  EXPECT_EQ(Success(r, "score_predict_data"), "absent");
  EXPECT_EQ(r.final_message, "list index out of range");
}

TEST(IntrospectTest, UnquotedArtifactVersionIsAFloatAndFails) {
  IntrospectionResult r = Introspect(Corpus("version_unquoted"));
  EXPECT_EQ(Success(r, "score_predict_arg"), "true");
  EXPECT_EQ(Success(r, "runtime_version"), "false");
  EXPECT_EQ(r.final_message, "In runtime.yaml, the key MODEL_ARTIFACT_VERSION must be set to 3.0.");
  EXPECT_EQ(Success(r, "runtime_env_python"), "absent");
}

TEST(IntrospectTest, Python313IsRejectedByAdsPattern) {
  IntrospectionResult r = Introspect(Corpus("python_313"));
  EXPECT_EQ(Success(r, "runtime_version"), "true");
  EXPECT_EQ(Success(r, "runtime_env_python"), "false");
  EXPECT_FALSE(r.tests["runtime_env_python"].contains("value"));
  EXPECT_EQ(Success(r, "runtime_env_path"), "true");
  EXPECT_EQ(r.final_message,
            "In runtime.yaml, the key MODEL_DEPLOYMENT.INFERENCE_PYTHON_VERSION must be set to a "
            "value of 3.6 or higher.");
  EXPECT_EQ(Success(r, "runtime_path_exist"), "absent");
}

TEST(IntrospectTest, EmptyEnvPath) {
  IntrospectionResult r = Introspect(Corpus("empty_env_path"));
  EXPECT_EQ(Success(r, "runtime_env_python"), "true");
  EXPECT_EQ(Success(r, "runtime_env_path"), "false");
  EXPECT_FALSE(r.tests["runtime_env_path"].contains("value"));
  EXPECT_EQ(r.final_message,
            "In runtime.yaml, the key MODEL_DEPLOYMENT.INFERENCE_ENV_PATH must have a value.");
}

TEST(IntrospectTest, RuntimeYamlThatIsNotAMapping) {
  IntrospectionResult r = Introspect(Corpus("not_mapping"));
  EXPECT_EQ(r.status, IntrospectionStatus::kFailed);
  EXPECT_EQ(r.final_message, "runtime.yaml is not valid.");
  EXPECT_EQ(Success(r, "score_predict_arg"), "true");
  EXPECT_EQ(Success(r, "runtime_version"), "absent");
}

TEST(IntrospectTest, PublishedPathGivesTheAdsWarningOffline) {
  IntrospectionResult r = Introspect(Corpus("published_path"));
  EXPECT_EQ(r.status, IntrospectionStatus::kFailed);
  EXPECT_EQ(Success(r, "runtime_path_exist"), "null");
  EXPECT_EQ(r.tests["runtime_env_python"]["value"], "3.11.4");
  const std::string warning =
      "WARNING: Unable to validate if INFERENCE_ENV_PATH exists. Please check whether provided "
      "path is correct or user is authorized to access the file";
  EXPECT_EQ(Msg(r, "runtime_path_exist"), warning);
  for (const IntrospectionRow& row : r.rows) {
    if (row.key != "runtime_path_exist") continue;
    EXPECT_EQ(row.result, "Skipped");
    EXPECT_EQ(row.message, warning);  // shown although not "Failed", as ADS does
  }
}

TEST(IntrospectTest, PublishedPathPassesWithSkipFlagOrObjectCallback) {
  IntrospectOptions skip;
  skip.skip_remote_path_check = true;
  EXPECT_EQ(Introspect(Corpus("published_path"), skip).status, IntrospectionStatus::kPassed);

  IntrospectOptions lookup;
  std::string seen;
  lookup.object_exists = [&](const std::string& bucket, const std::string& ns,
                             const std::string& object) -> Result<bool> {
    seen = bucket + "|" + ns + "|" + object;
    return true;
  };
  EXPECT_EQ(Introspect(Corpus("published_path"), lookup).status, IntrospectionStatus::kPassed);
  EXPECT_EQ(seen, "my-bucket|my-namespace|conda_environments/cpu/myenv/1.0/myenv_v1_0");

  lookup.object_exists = [](const std::string&, const std::string&, const std::string&) -> Result<bool> {
    return false;
  };
  EXPECT_EQ(Success(Introspect(Corpus("published_path"), lookup), "runtime_path_exist"), "null");
}

TEST(IntrospectTest, ServicePackPathOutsideServicePackFolderFails) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/a").ok());
  auto score = Env::Default()->ReadFile(Corpus("good/score.py"));
  auto yaml = Env::Default()->ReadFile(Corpus("good/runtime.yaml"));
  ASSERT_TRUE(score.ok() && yaml.ok());
  ASSERT_TRUE(env.WriteFile("/a/score.py", *score).ok());
  std::string bad = *yaml;
  const size_t pos = bad.find("service_pack/cpu");
  bad.replace(pos, std::string("service_pack").size(), "other_place");
  ASSERT_TRUE(env.WriteFile("/a/runtime.yaml", bad).ok());
  
  auto mem = IntrospectArtifact(env, "/a");
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(Success(*mem, "runtime_path_exist"), "false");
  EXPECT_EQ(mem->final_message,
            "In runtime.yaml, the key MODEL_DEPLOYMENT.INFERENCE_ENV_PATH does not exist.");
}

TEST(IntrospectTest, JsonFileIsPythonJsonDumpIndent4) {
  Env& env = *Env::Default();
  auto dir = env.MakeTempDir("introspect_test");
  ASSERT_TRUE(dir.ok());
  IntrospectionResult r = Introspect(Corpus("published_path"));
  ASSERT_TRUE(SaveIntrospectionResult(env, *dir, r).ok());
  const std::string path = JoinPath(*dir, "test_json_output.json");
  auto text = env.ReadFile(path);
  ASSERT_TRUE(text.ok());
  auto redump = Python({"-c",
                        "import json, sys\n"
                        "sys.stdout.write(json.dumps(json.load(open(sys.argv[1])), indent=4))\n",
                        path});
  EXPECT_EQ(*text, redump.out);
  EXPECT_NE(text->find("\"success\": null"), std::string::npos);
  EXPECT_TRUE(env.RemoveAll(*dir).ok());
}

class IntrospectZipTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = Env::Default()->MakeTempDir("introspect_zip");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
  }
  void TearDown() override { EXPECT_TRUE(Env::Default()->RemoveAll(dir_).ok()); }
  std::string dir_;
};

TEST_F(IntrospectZipTest, TopLevelAndOneFolderDownPass) {
  const std::string good = Corpus("good");
  EXPECT_EQ(Introspect(MakeZip(dir_, {{"score.py", good + "/score.py"},
                               {"runtime.yaml", good + "/runtime.yaml"}}))
                .status,
            IntrospectionStatus::kPassed);
  EXPECT_EQ(Introspect(MakeZip(dir_, {{"model/score.py", good + "/score.py"},
                               {"model/runtime.yaml", good + "/runtime.yaml"}}))
                .status,
            IntrospectionStatus::kPassed);
}

TEST_F(IntrospectZipTest, MissingMemberAndTooDeepMember) {
  const std::string good = Corpus("good");
  IntrospectionResult missing = Introspect(MakeZip(dir_, {{"runtime.yaml", good + "/runtime.yaml"}}));
  EXPECT_EQ(Success(missing, "score_py"), "false");
  EXPECT_EQ(missing.final_message, "The file 'score.py' is missing.");
  // Present by name (any depth counts) but too deep to be checked.
  IntrospectionResult deep = Introspect(MakeZip(dir_, {{"a/b/score.py", good + "/score.py"},
                                                {"runtime.yaml", good + "/runtime.yaml"}}));
  EXPECT_EQ(deep.status, IntrospectionStatus::kFailed);
  EXPECT_EQ(Success(deep, "score_py"), "true");
  EXPECT_EQ(Success(deep, "score_syntax"), "absent");
}

TEST_F(IntrospectZipTest, SyntaxErrorInsideZip) {
  IntrospectionResult r = Introspect(MakeZip(dir_, {{"score.py", Corpus("syntax_error/score.py")},
                                             {"runtime.yaml", Corpus("good/runtime.yaml")}}));
  EXPECT_EQ(Success(r, "score_syntax"), "false");
}

TEST(IntrospectTest, NotAnArtifactIsAnError) {
  EXPECT_FALSE(IntrospectArtifact(*Env::Default(), Corpus("does_not_exist")).ok());
  MemEnv env;
  ASSERT_TRUE(env.WriteFile("/x.zip", "not a zip").ok());
  EXPECT_FALSE(IntrospectArtifact(env, "/x.zip").ok());
}

TEST(IntrospectTest, TableShowsRowsAndStatus) {
  IntrospectionResult r = Introspect(Corpus("missing_score"));
  const std::string table = RenderIntrospectionTable(r);
  EXPECT_EQ(table.rfind("Test key", 0), 0u);
  EXPECT_NE(table.find("The file 'score.py' is missing."), std::string::npos);
  EXPECT_NE(table.find("Introspection Failed"), std::string::npos);
}

// --- native checks ---

class NativeIntrospectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = Env::Default()->MakeTempDir("introspect_native");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
    auto r = Python({"-c",
                     "import sys, numpy as np, onnx\n"
                     "from onnx import TensorProto, helper, numpy_helper\n"
                     "w = numpy_helper.from_array(np.ones((3, 1), np.float32), 'W')\n"
                     "g = helper.make_graph([helper.make_node('MatMul', ['X', 'W'], ['Y'])], 'g',\n"
                     "    [helper.make_tensor_value_info('X', TensorProto.FLOAT, ['N', 3])],\n"
                     "    [helper.make_tensor_value_info('Y', TensorProto.FLOAT, ['N', 1])], [w])\n"
                     "onnx.save(helper.make_model(g), sys.argv[1])\n",
                     JoinPath(dir_, "model.onnx")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override { EXPECT_TRUE(Env::Default()->RemoveAll(dir_).ok()); }
  void Write(const std::string& name, const std::string& text) {
    ASSERT_TRUE(Env::Default()->WriteFile(JoinPath(dir_, name), text).ok());
  }
  static std::string Schema(int columns) {
    std::string s = "{\"schema\": [";
    for (int i = 0; i < columns; ++i) {
      s += std::string(i ? ", " : "") + "{\"dtype\": \"float32\", \"name\": \"f" +
           std::to_string(i) + "\", \"required\": true}";
    }
    return s + "], \"version\": \"1.1\"}";
  }
  std::string dir_;
};

TEST_F(NativeIntrospectTest, AutoUsesNativeChecksWithoutScorePy) {
  IntrospectOptions opts;
  opts.check_set = CheckSet::kAuto;
  Write("input_schema.json", Schema(3));
  IntrospectionResult r = Introspect(dir_, opts);
  EXPECT_TRUE(r.native);
  EXPECT_EQ(r.status, IntrospectionStatus::kPassed) << r.final_message;
  EXPECT_EQ(r.tests["native_model_file"]["value"], "model.onnx");
  EXPECT_EQ(r.tests["native_model_parse"]["value"], "onnx");
  EXPECT_EQ(Success(r, "native_input_schema"), "true");
  EXPECT_EQ(Success(r, "native_runtime_yaml"), "true");
}

TEST_F(NativeIntrospectTest, SchemaWithWrongColumnCountFails) {
  IntrospectOptions opts;
  opts.check_set = CheckSet::kNative;
  Write("input_schema.json", Schema(4));
  IntrospectionResult r = Introspect(dir_, opts);
  EXPECT_EQ(r.status, IntrospectionStatus::kFailed);
  EXPECT_EQ(Success(r, "native_input_schema"), "false");
  EXPECT_EQ(r.final_message, "input_schema.json has 4 columns but the model expects 3 features.");
  EXPECT_EQ(Success(r, "native_runtime_yaml"), "absent");
}

TEST_F(NativeIntrospectTest, MissingAndCorruptModelFiles) {
  IntrospectOptions opts;
  opts.check_set = CheckSet::kNative;
  opts.model_file_name = "other.onnx";
  IntrospectionResult missing = Introspect(dir_, opts);
  EXPECT_EQ(Success(missing, "native_model_file"), "false");
  EXPECT_EQ(missing.final_message, "The model file 'other.onnx' is missing.");
  Write("other.onnx", "this is not a model");
  IntrospectionResult corrupt = Introspect(dir_, opts);
  EXPECT_EQ(Success(corrupt, "native_model_file"), "true");
  EXPECT_EQ(Success(corrupt, "native_model_parse"), "false");
  EXPECT_EQ(corrupt.final_message.rfind("The model file 'other.onnx' cannot be read: ", 0), 0u);
}

TEST_F(NativeIntrospectTest, GeneratedScorePyNamesTheModelWhenAsked) {
  ScorePyOptions o{"model.onnx", "onnx", "onnx", "0.1.0", "20260101_000000"};
  auto text = GenerateScorePy(o);
  ASSERT_TRUE(text.ok());
  Write("score.py", *text);
  Write("extra.onnx", "not used");  // would make the guess ambiguous
  Write("runtime.yaml", "MODEL_ARTIFACT_VERSION: '3.0'\n");
  IntrospectOptions opts;
  opts.check_set = CheckSet::kAuto;
  EXPECT_FALSE(Introspect(dir_, opts).native);  // ADS checks by default
  opts.native_for_generated_score_py = true;
  IntrospectionResult r = Introspect(dir_, opts);
  EXPECT_TRUE(r.native);
  EXPECT_EQ(r.status, IntrospectionStatus::kPassed) << r.final_message;
  Write("score.py", *text + "# edited\n");
  EXPECT_FALSE(Introspect(dir_, opts).native);
}

TEST_F(NativeIntrospectTest, InvalidRuntimeYamlFails) {
  IntrospectOptions opts;
  opts.check_set = CheckSet::kNative;
  Write("runtime.yaml", "MODEL_ARTIFACT_VERSION: 3.0\n");
  IntrospectionResult r = Introspect(dir_, opts);
  EXPECT_EQ(Success(r, "native_runtime_yaml"), "false");
  EXPECT_EQ(r.final_message, "In runtime.yaml, the key MODEL_ARTIFACT_VERSION must be set to 3.0.");
}

}  // namespace
}  // namespace ads::artifact
