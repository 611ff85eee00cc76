// Tests for model file inspection. Fixtures and their expected facts come from
// tests/data/models/make_models.py, which asks xgboost and onnx (Python) what
// each file contains and writes expected.json.
#include "artifact/model_info.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <string>

#include "base/env.h"
#include "base/json.h"

namespace ads::artifact {
namespace {

std::string ModelsDir() { return std::string(ADS_SOURCE_DIR) + "/tests/data/models"; }

const Json& Expected() {
  static const Json* expected = [] {
    Result<std::string> text = Env::Default()->ReadFile(ModelsDir() + "/expected.json");
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    Result<Json> doc = ParseJson(text.value_or("{}"), "expected.json");
    EXPECT_TRUE(doc.ok()) << doc.status().ToString();
    return new Json(doc.value_or(Json::object()));
  }();
  return *expected;
}

Result<ModelInfo> Inspect(const std::string& name) {
  return InspectModelFile(*Env::Default(), ModelsDir() + "/" + name);
}

std::string ReadFixture(const std::string& name) {
  Result<std::string> bytes = Env::Default()->ReadFile(ModelsDir() + "/" + name);
  EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
  return bytes.value_or("");
}

void ExpectTensorsMatch(const std::vector<TensorInfo>& got, const Json& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].name, want[i]["name"].get<std::string>());
    EXPECT_EQ(got[i].dtype, want[i]["dtype"].get<std::string>()) << got[i].name;
    EXPECT_EQ(got[i].shape, want[i]["shape"].get<std::vector<int64_t>>()) << got[i].name;
  }
}

TEST(ModelInfoTest, XgboostFilesMatchWhatXgboostSays) {
  const std::map<std::string, ModelFormat> formats = {
      {"json", ModelFormat::kXgboostJson},
      {"ubj", ModelFormat::kXgboostUbj},
      {"bin", ModelFormat::kXgboostBinary}};
  for (const std::string stem : {"xgb_classifier", "xgb_multiclass", "xgb_regressor"}) {
    for (const auto& [ext, format] : formats) {
      const std::string name = stem + "." + ext;
      SCOPED_TRACE(name);
      const Json& want = Expected().at(name);
      Result<ModelInfo> info = Inspect(name);
      ASSERT_TRUE(info.ok()) << info.status().ToString();
      EXPECT_EQ(info->format, format);
      EXPECT_EQ(info->serialization_format, want["serialization_format"].get<std::string>());
      EXPECT_EQ(info->framework, "xgboost");
      EXPECT_EQ(info->framework_version, want["framework_version"].get<std::string>());
      EXPECT_EQ(info->algorithm, want["algorithm"].get<std::string>());
      EXPECT_EQ(info->num_features, want["num_features"].get<int64_t>());
      EXPECT_EQ(info->hyperparameters["objective"], want["objective"]);
      EXPECT_EQ(info->hyperparameters["num_class"], want["num_class"]);
      EXPECT_EQ(info->hyperparameters["num_trees"], want["num_trees"]);
      EXPECT_EQ(info->hyperparameters["booster"], want["booster"]);
      ASSERT_EQ(info->inputs.size(), 1u);
      EXPECT_EQ(info->inputs[0].shape, (std::vector<int64_t>{-1, info->num_features}));
      if (ext != "bin") {  // the legacy header does not carry feature names
        EXPECT_EQ(info->feature_names, want["feature_names"].get<std::vector<std::string>>());
      }
    }
  }
}

TEST(ModelInfoTest, XgboostUseCaseFollowsObjective) {
  EXPECT_EQ(Inspect("xgb_classifier.json")->use_case_type, "binary_classification");
  EXPECT_EQ(Inspect("xgb_multiclass.bin")->use_case_type, "multinomial_classification");
  EXPECT_EQ(Inspect("xgb_multiclass.ubj")->num_classes, 3);
  EXPECT_EQ(Inspect("xgb_regressor.ubj")->use_case_type, "regression");
}

TEST(ModelInfoTest, XgboostSklearnParamsBecomeHyperparameters) {
  for (const std::string name : {"xgb_classifier.json", "xgb_classifier.ubj"}) {
    Result<ModelInfo> info = Inspect(name);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    const Json& want = Expected().at(name);
    EXPECT_EQ(info->hyperparameters["max_depth"], want["max_depth"]) << name;
    EXPECT_EQ(info->hyperparameters["n_estimators"], want["n_estimators"]) << name;
    // Null parameters of the wrapper are not reported.
    EXPECT_FALSE(info->hyperparameters.contains("gamma")) << name;
  }
}

TEST(ModelInfoTest, JsonAndUbjDescribeTheSameModel) {
  for (const std::string stem : {"xgb_classifier", "xgb_multiclass", "xgb_regressor"}) {
    Result<ModelInfo> json = Inspect(stem + ".json");
    Result<ModelInfo> ubj = Inspect(stem + ".ubj");
    ASSERT_TRUE(json.ok() && ubj.ok()) << stem;
    EXPECT_EQ(json->hyperparameters, ubj->hyperparameters) << stem;
    EXPECT_EQ(json->algorithm, ubj->algorithm) << stem;
  }
}

TEST(ModelInfoTest, LegacyBinaryWithoutBinfTagIsRecognised) {
  // XGBoost reads the header with or without the leading "binf" tag.
  std::string bytes = ReadFixture("xgb_classifier.bin");
  ASSERT_EQ(bytes.substr(0, 4), "binf");
  Result<ModelInfo> info = InspectModelBytes(bytes.substr(4), "old.model");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->format, ModelFormat::kXgboostBinary);
  EXPECT_EQ(info->num_features, Expected()["xgb_classifier.bin"]["num_features"].get<int64_t>());
}

TEST(ModelInfoTest, OnnxFilesMatchWhatOnnxSays) {
  for (const std::string name :
       {"linear_regressor.onnx", "tree_classifier.onnx", "xgb_tree.onnx", "mlp.onnx"}) {
    SCOPED_TRACE(name);
    const Json& want = Expected().at(name);
    Result<ModelInfo> info = Inspect(name);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->format, ModelFormat::kOnnx);
    EXPECT_EQ(info->serialization_format, "onnx");
    EXPECT_EQ(info->ir_version, want["ir_version"].get<int64_t>());
    EXPECT_EQ(info->producer_name, want["producer_name"].get<std::string>());
    EXPECT_EQ(info->producer_version, want["producer_version"].get<std::string>());
    ExpectTensorsMatch(info->inputs, want["inputs"]);
    ExpectTensorsMatch(info->outputs, want["outputs"]);
    Json opsets = Json::object();
    for (const OpsetImport& o : info->opset_imports) opsets[o.domain] = o.version;
    EXPECT_EQ(opsets, want["opsets"]);
    std::vector<std::string> ops = info->op_types;
    std::sort(ops.begin(), ops.end());
    EXPECT_EQ(ops, want["op_types"].get<std::vector<std::string>>());
    EXPECT_EQ(info->framework, want["framework"].get<std::string>());
    EXPECT_EQ(info->framework_version, want.value("framework_version", ""));
    EXPECT_EQ(info->algorithm, want["algorithm"].get<std::string>());
    EXPECT_EQ(info->use_case_type, want["use_case_type"].get<std::string>());
    EXPECT_EQ(info->num_features, want["num_features"].get<int64_t>());
    EXPECT_TRUE(info->hyperparameters.is_null());
  }
}

TEST(ModelInfoTest, BadFilesAreClearErrors) {
  for (const std::string name : {"empty.onnx", "random.onnx", "truncated.onnx", "truncated.json",
                                 "garbage.ubj", "truncated.bin"}) {
    ASSERT_TRUE(Expected().at(name)["error"].get<bool>());
    Result<ModelInfo> info = Inspect(name);
    ASSERT_FALSE(info.ok()) << name;
    EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(info.status().message().find(name), std::string::npos)
        << info.status().message();
  }
  EXPECT_NE(Inspect("truncated.bin").status().message().find("XGBoost"), std::string::npos);
  EXPECT_NE(Inspect("truncated.onnx").status().message().find("ONNX"), std::string::npos);
}

TEST(ModelInfoTest, ExtensionThatContradictsContentIsRejected) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/m").ok());
  ASSERT_TRUE(env.WriteFile("/m/model.onnx", ReadFixture("xgb_classifier.json")).ok());
  ASSERT_TRUE(env.WriteFile("/m/model.json", ReadFixture("mlp.onnx")).ok());
  ASSERT_TRUE(env.WriteFile("/m/model.ubj", ReadFixture("xgb_regressor.bin")).ok());
  Result<ModelInfo> a = InspectModelFile(env, "/m/model.onnx");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("extension .onnx"), std::string::npos);
  EXPECT_NE(a.status().message().find("XGBoost JSON"), std::string::npos);
  Result<ModelInfo> b = InspectModelFile(env, "/m/model.json");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("an ONNX model"), std::string::npos);
  Result<ModelInfo> c = InspectModelFile(env, "/m/model.ubj");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("legacy binary"), std::string::npos);
}

TEST(ModelInfoTest, UnknownExtensionIsDetectedByContent) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/m").ok());
  ASSERT_TRUE(env.WriteFile("/m/model.dat", ReadFixture("xgb_tree.onnx")).ok());
  ASSERT_TRUE(env.WriteFile("/m/booster", ReadFixture("xgb_regressor.ubj")).ok());
  EXPECT_EQ(InspectModelFile(env, "/m/model.dat")->format, ModelFormat::kOnnx);
  EXPECT_EQ(InspectModelFile(env, "/m/booster")->format, ModelFormat::kXgboostUbj);
}

TEST(ModelInfoTest, MissingFileIsNotFound) {
  MemEnv env;
  Result<ModelInfo> info = InspectModelFile(env, "/nowhere/model.onnx");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().code(), StatusCode::kNotFound);
}

TEST(ModelInfoTest, JsonThatIsNotXgboostIsRejected) {
  Result<ModelInfo> info = InspectModelBytes(R"({"name": "x"})", "config.json");
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find("learner"), std::string::npos);
}

TEST(ModelInfoTest, UnrecognisedContentWithoutExtensionSaysSo) {
  Result<ModelInfo> info = InspectModelBytes("#!/bin/sh\necho hello\n", "run");
  ASSERT_FALSE(info.ok());
  EXPECT_NE(info.status().message().find("not in a model format ads recognises"),
            std::string::npos)
      << info.status().message();
}

// A one-input graph built with the protobuf classes, for producer conventions.
onnx::ModelProto SmallOnnxModel(const std::string& producer, const std::string& version) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name(producer);
  model.set_producer_version(version);
  model.add_opset_import()->set_version(13);
  onnx::GraphProto* graph = model.mutable_graph();
  onnx::ValueInfoProto* in = graph->add_input();
  in->set_name("x");
  in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::DOUBLE);
  in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_param("n");
  in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(5);
  onnx::NodeProto* node = graph->add_node();
  node->set_op_type("Identity");
  node->add_input("x");
  node->add_output("y");
  graph->add_output()->set_name("y");
  return model;
}

TEST(ModelInfoTest, ConverterVersionIsNotFrameworkVersion) {
  Result<ModelInfo> info =
      InspectModelBytes(SmallOnnxModel("tf2onnx", "1.9.3").SerializeAsString(), "m.onnx");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->framework, "tensorflow");
  EXPECT_EQ(info->framework_version, "");
  EXPECT_EQ(info->producer_version, "1.9.3");
  ASSERT_EQ(info->inputs.size(), 1u);
  EXPECT_EQ(info->inputs[0].dtype, "float64");
  EXPECT_EQ(info->inputs[0].shape, (std::vector<int64_t>{-1, 5}));
  EXPECT_EQ(info->outputs[0].dtype, "unknown");  // an output without a type
}

TEST(ModelInfoTest, UnparseableHyperparametersAreKeptAsText) {
  onnx::ModelProto model = SmallOnnxModel("", "");
  auto* prop = model.add_metadata_props();
  prop->set_key("hyperparameters");
  prop->set_value("{not json");
  Result<ModelInfo> info = InspectModelBytes(model.SerializeAsString(), "m.onnx");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->hyperparameters, Json("{not json"));
  EXPECT_EQ(info->framework, "");
}

TEST(ModelInfoTest, OnnxWithoutGraphOrIrVersionIsRejected) {
  onnx::ModelProto no_graph = SmallOnnxModel("pytorch", "2.0");
  no_graph.clear_graph();
  Result<ModelInfo> a = InspectModelBytes(no_graph.SerializeAsString(), "a.onnx");
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("no graph"), std::string::npos);
  onnx::ModelProto no_ir = SmallOnnxModel("pytorch", "2.0");
  no_ir.clear_ir_version();
  Result<ModelInfo> b = InspectModelBytes(no_ir.SerializeAsString(), "b.onnx");
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("ir_version"), std::string::npos);
}

TEST(ModelInfoTest, OnnxMetadataPropsWin) {
  // The bundled iris sample carries the metadata written by make_iris.py.
  const std::string dir = std::string(ADS_SOURCE_DIR) + "/examples/iris";
  Result<ModelInfo> info = InspectModelFile(*Env::Default(), dir + "/model.onnx");
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  Result<std::string> text = Env::Default()->ReadFile(dir + "/expected.json");
  ASSERT_TRUE(text.ok());
  Result<Json> want = ParseJson(*text, "expected.json");
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(info->framework, "scikit-learn");
  EXPECT_EQ(info->framework_version, (*want)["sklearn_version"].get<std::string>());
  EXPECT_EQ(info->algorithm, "RandomForestClassifier");
  EXPECT_EQ(info->use_case_type, "multinomial_classification");
  EXPECT_EQ(info->hyperparameters, (*want)["hyperparameters"]);
  EXPECT_EQ(info->num_features, 4);
  EXPECT_EQ(info->num_classes, 3);
  ASSERT_EQ(info->inputs.size(), 1u);
  EXPECT_EQ(info->inputs[0].name, "input");
  EXPECT_EQ(info->inputs[0].shape, (std::vector<int64_t>{-1, 4}));
  ASSERT_EQ(info->outputs.size(), 2u);
  EXPECT_EQ(info->outputs[0].dtype, "int64");
  EXPECT_EQ(info->outputs[1].shape, (std::vector<int64_t>{-1, 3}));
}

// UBJSON bytes below are written by hand from the UBJSON draft-12 spec.
TEST(UbjsonTest, DecodesTypedAndCountedContainers) {
  using namespace std::string_literals;
  // One literal with the s suffix, so the embedded NUL bytes are kept.
  const std::string bytes =
      "{"
      "i\x01" "a" "[$d#i\x02" "\x3f\x80\x00\x00" "\xc0\x00\x00\x00"  // a: [1.0, -2.0]
      "i\x01" "b" "[#U\x02" "SU\x02hi" "T"                                // b: ["hi", true]
      "i\x01" "c" "I\x01\x00"                                             // c: 256
      "i\x01" "d" "Z"                                                     // d: null
      "}"s;
  Result<Json> doc = internal::DecodeUbjson(bytes, "test.ubj");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(*doc, Json::parse(R"({"a": [1.0, -2.0], "b": ["hi", true], "c": 256, "d": null})"));
}

TEST(UbjsonTest, RejectsCorruptInput) {
  using namespace std::string_literals;
  const std::vector<std::string> bad = {
      "",                                  // empty
      "[$d#L\x7f\xff\xff\xff\xff\xff\xff\xff"s,  // count far beyond the data
      "{i\x05" "ab"s,                      // key longer than the data
      "[i\x01"s,                           // array never closed
      "\x01"s,                             // unknown marker
      "SU\x02hi" "T"s,                     // trailing bytes
      std::string(1000, '['),              // nesting too deep
  };
  for (const std::string& b : bad) {
    Result<Json> doc = internal::DecodeUbjson(b, "bad.ubj");
    ASSERT_FALSE(doc.ok()) << "accepted " << b.size() << " bytes";
    EXPECT_EQ(doc.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(doc.status().message().find("bad.ubj"), std::string::npos);
  }
}

TEST(SniffModelFormatTest, RecognisesEachFormatByContent) {
  EXPECT_EQ(SniffModelFormat(ReadFixture("xgb_classifier.json")), ModelFormat::kXgboostJson);
  EXPECT_EQ(SniffModelFormat(ReadFixture("xgb_classifier.ubj")), ModelFormat::kXgboostUbj);
  EXPECT_EQ(SniffModelFormat(ReadFixture("xgb_classifier.bin")), ModelFormat::kXgboostBinary);
  EXPECT_EQ(SniffModelFormat(ReadFixture("mlp.onnx")), ModelFormat::kOnnx);
  EXPECT_EQ(SniffModelFormat(""), ModelFormat::kUnknown);
}

}  // namespace
}  // namespace ads::artifact
