// Robustness of every artifact reader: valid inputs (the fixtures under
// tests/data and documents built here) are mutated with fixed seeds — byte
// flips, truncations, insertions, smashed length fields, JSON type swaps,
// deep nesting, huge numbers, NaN — and fed to the parsers. Each call must
// return a value or a non-OK Status with a message; a crash, an abort, an
// escaping exception or a sanitizer report fails the run.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "artifact/introspect.h"
#include "artifact/model_info.h"
#include "artifact/runtime_yaml.h"
#include "artifact/sample_data.h"
#include "artifact/schema.h"
#include "artifact/score_py.h"
#include "artifact/summary_status.h"
#include "artifact/zip.h"
#include "base/env.h"
#include "base/hash.h"
#include "base/test_mutator.h"
#include "base/yaml.h"

namespace ads::artifact {
namespace {

using ads::testing::DeepNesting;
using ads::testing::Mutator;

constexpr int kRounds = 300;

template <typename T>
::testing::AssertionResult Clean(const Result<T>& r) {
  if (r.ok() || !r.status().message().empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "an error without a message: " << r.status().ToString();
}

std::string Fixture(const std::string& relative) {
  Result<std::string> text =
      Env::Default()->ReadFile(std::string(ADS_SOURCE_DIR) + "/tests/data/" + relative);
  EXPECT_TRUE(text.ok()) << relative;
  return text.ok() ? *text : std::string();
}

// An NPY v1 file; `shape` is the header's Python tuple text.
std::string Npy(const std::string& descr, const std::string& shape, const std::string& data) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape +
                       ", }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY\x01";
  out += '\0';
  out += static_cast<char>(header.size() & 0xFF);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

std::string Doubles(const std::vector<double>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(double));
}

std::string GeneratedScorePy() {
  ScorePyOptions o;
  o.model_file_name = "model.onnx";
  o.framework = "onnx";
  o.serialization_format = "onnx";
  o.ads_version = "2.11.0";
  o.time_created = "20240101_120000";
  Result<std::string> text = GenerateScorePy(o);
  EXPECT_TRUE(text.ok());
  return text.ok() ? *text : std::string();
}

// Everything done downstream with a sample table read from a file.
void UseTable(const Table& table) {
  Result<SchemaResult> schema = InferSchema(table);
  ASSERT_TRUE(Clean(schema));
  if (!schema.ok() || schema->outcome != SchemaOutcome::kOk) return;
  (void)SchemaFileText(schema->schema);
  (void)SchemaCatalogText(schema->schema);
  (void)SchemaSizeForLimit(schema->schema);
}

void FeedSample(std::string_view bytes) {
  Result<Table> csv = ReadCsvSample(bytes, "sample.csv");
  ASSERT_TRUE(Clean(csv));
  if (csv.ok()) UseTable(*csv);
  Result<Table> json = ReadJsonSample(bytes, "sample.json");
  ASSERT_TRUE(Clean(json));
  if (json.ok()) UseTable(*json);
  Result<Table> npy = ReadNpySample(bytes, "sample.npy");
  ASSERT_TRUE(Clean(npy));
  if (npy.ok()) UseTable(*npy);
}

void FeedRuntimeYaml(std::string_view text) {
  std::vector<std::string> warnings;
  Result<RuntimeInfo> info = ParseRuntimeYaml(text, &warnings);
  ASSERT_TRUE(Clean(info));
  if (info.ok()) (void)RenderRuntimeYaml(*info);
}

void FeedSchema(std::string_view text) {
  Result<Json> schema = ParseSchema(text, "input_schema.json");
  ASSERT_TRUE(Clean(schema));
  if (schema.ok()) {
    (void)SchemaCatalogText(*schema);
    (void)SchemaSizeForLimit(*schema);
  }
}

void FeedSummaryStatus(const Json& doc) {
  Result<SummaryStatus> status = SummaryStatus::FromJson(doc, "status.json");
  ASSERT_TRUE(Clean(status));
  if (status.ok()) (void)status->RenderTable();
}

TEST(ArtifactRobustnessTest, RuntimeYamlParserSurvivesMutations) {
  const std::string valid = Fixture("introspect/good/runtime.yaml");
  std::vector<std::string> warnings;
  Result<RuntimeInfo> parsed = ParseRuntimeYaml(valid, &warnings);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  Mutator mutator(11);
  for (int i = 0; i < kRounds; ++i) FeedRuntimeYaml(mutator.MutateBytes(valid));
  Json doc = parsed->document;
  for (int i = 0; i < kRounds; ++i) {
    doc = mutator.MutateJson(i % 4 == 0 ? parsed->document : doc);
    FeedRuntimeYaml(DumpYamlPy(doc));
  }
  for (const std::string& text :
       {std::string(), std::string("~"), std::string("[]"), std::string("MODEL_ARTIFACT_VERSION"),
        DeepNesting("[", "]", 100000), DeepNesting("{a: ", "}", 100000),
        std::string("MODEL_ARTIFACT_VERSION: 1e999\nMODEL_DEPLOYMENT: {INFERENCE_CONDA_ENV: {}}"),
        std::string("MODEL_ARTIFACT_VERSION: .nan\nMODEL_DEPLOYMENT: {INFERENCE_CONDA_ENV: {}}"),
        std::string("MODEL_ARTIFACT_VERSION: !!int 18446744073709551616\n")}) {
    FeedRuntimeYaml(text);
  }
}

TEST(ArtifactRobustnessTest, SchemaParserSurvivesMutations) {
  Result<Table> table = ReadCsvSample(Fixture("schema/mixed.csv"), "mixed.csv");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  Result<SchemaResult> inferred = InferSchema(*table);
  ASSERT_TRUE(inferred.ok());
  const Json valid = inferred->schema;
  const std::string text = SchemaFileText(valid);
  ASSERT_TRUE(ParseSchema(text, "input_schema.json").ok());
  Mutator mutator(12);
  for (int i = 0; i < kRounds; ++i) FeedSchema(mutator.MutateBytes(text));
  Json doc = valid;
  for (int i = 0; i < kRounds; ++i) {
    doc = mutator.MutateJson(i % 4 == 0 ? valid : doc);
    FeedSchema(DumpPythonJson(doc));
  }
  MemEnv env;
  ASSERT_TRUE(env.WriteFile("/s.json", mutator.MutateBytes(text)).ok());
  EXPECT_TRUE(Clean(LoadSchema(env, "/s.json")));
  EXPECT_TRUE(Clean(LoadSchema(env, "/missing.json")));
  for (const std::string& hostile : {std::string(), std::string("{\"schema\": NaN}"),
                                     DeepNesting("{\"schema\":", "}", 100000),
                                     std::string("{\"schema\": [{\"dtype\": \"x\", \"name\": 1e999, "
                                                 "\"required\": true, \"order\": 1e999}]}")}) {
    FeedSchema(hostile);
  }
}

TEST(ArtifactRobustnessTest, SampleReadersSurviveMutations) {
  const std::string csv = Fixture("schema/mixed.csv");
  const std::string records = R"([{"a": 1, "b": "x", "c": true, "d": 1.5},
      {"a": 2, "b": null, "c": false, "d": NaN}, {"a": 3, "b": "y", "c": true, "d": -2}])";
  const std::string columns = R"({"a": {"0": 1, "1": 2}, "b": {"0": "u", "1": "v"}})";
  const std::string rows = R"([[1, 2.5, "a"], [3, 4.5, "b"], [5, 6.5, null]])";
  const std::string npy = Npy("<f8", "(3, 2)", Doubles({1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(ReadCsvSample(csv).ok());
  ASSERT_TRUE(ReadJsonSample(records).ok());
  ASSERT_TRUE(ReadJsonSample(columns).ok());
  ASSERT_TRUE(ReadJsonSample(rows).ok());
  ASSERT_TRUE(ReadNpySample(npy).ok()) << ReadNpySample(npy).status().ToString();
  Mutator mutator(13);
  for (const std::string& valid : {csv, records, columns, rows, npy}) {
    for (int i = 0; i < kRounds; ++i) FeedSample(mutator.MutateBytes(valid));
  }
  for (const std::string& valid : {records, columns, rows}) {
    const Json parsed = *ParseJson(valid);
    Json doc = parsed;
    for (int i = 0; i < kRounds; ++i) {
      doc = mutator.MutateJson(i % 4 == 0 ? parsed : doc);
      Result<Table> table = TableFromJson(doc, "sample.json");
      ASSERT_TRUE(Clean(table));
      if (table.ok()) UseTable(*table);
    }
  }
  // Headers whose numbers overflow or promise more data than there is.
  for (const char* shape :
       {"(18446744073709551615, 2)", "(2, 18446744073709551615)", "(0, 1000000000000)",
        "(4611686018427387904, 4)", "(-1,)", "()", "(1, 2, 3)", "(3,", "(", "(3, 2"}) {
    FeedSample(Npy("<f8", shape, Doubles({1, 2, 3, 4, 5, 6})));
  }
  std::string big_header = npy;
  big_header[6] = '\x02';  // version 2: four length bytes
  big_header.insert(10, std::string("\xff\xff", 2));
  FeedSample(big_header);
  // Cells that are not valid UTF-8 reach the schema's unique-value count.
  FeedSample("name,v\n\xff\xfe,1\n\xc3,2\n\xff\xfe,3\n");
  FeedSample(std::string(20000, ',') + "\n1\n");
  FeedSample(DeepNesting("[", "]", 100000));
}

TEST(ArtifactRobustnessTest, ModelInspectionSurvivesMutations) {
  const std::vector<std::string> names = {
      "linear_regressor.onnx", "mlp.onnx",           "tree_classifier.onnx", "xgb_tree.onnx",
      "xgb_classifier.json",   "xgb_multiclass.json", "xgb_regressor.json",  "xgb_classifier.ubj",
      "xgb_multiclass.ubj",    "xgb_regressor.ubj",   "xgb_classifier.bin",  "xgb_multiclass.bin",
      "xgb_regressor.bin",     "random.onnx",         "truncated.json",      "garbage.ubj"};
  Mutator mutator(14);
  for (const std::string& name : names) {
    const std::string valid = Fixture("models/" + name);
    ASSERT_FALSE(valid.empty()) << name;
    EXPECT_TRUE(Clean(InspectModelBytes(valid, name)));
    for (int i = 0; i < kRounds * 2 / 3; ++i) {
      std::string bytes = mutator.MutateBytes(valid);
      if (i % 3 == 0) mutator.SmashInteger(bytes);
      ASSERT_TRUE(Clean(InspectModelBytes(bytes, i % 5 == 0 ? "model" : name))) << name;
    }
  }
  // XGBoost JSON with type swaps: numbers as strings, NaN, 2^64, wrong types.
  for (const char* name : {"xgb_classifier.json", "xgb_multiclass.json"}) {
    const Json valid = *ParseJson(Fixture(std::string("models/") + name));
    Json doc = valid;
    for (int i = 0; i < kRounds; ++i) {
      doc = mutator.MutateJson(i % 4 == 0 ? valid : doc);
      ASSERT_TRUE(Clean(InspectModelBytes(DumpPythonJson(doc), name)));
    }
  }
  const Json learner_param_cases[] = {"1e300", "-1e300", "NaN", "inf", "1e19", "-9.3e18", 1e300,
                                      Json::array(), Json::object()};
  for (const Json& value : learner_param_cases) {
    Json doc = *ParseJson(Fixture("models/xgb_multiclass.json"));
    doc["learner"]["learner_model_param"]["num_feature"] = value;
    doc["learner"]["learner_model_param"]["num_class"] = value;
    doc["learner"]["objective"]["name"] = Json::array({"multi:softprob"});
    ASSERT_TRUE(Clean(InspectModelBytes(DumpPythonJson(doc), "m.json")));
    doc["learner"]["objective"]["name"] = "multi:softprob";
    doc["learner"]["attributes"]["scikit_learn"] = R"({"_estimator_type": 5, "n": NaN})";
    Result<ModelInfo> info = InspectModelBytes(DumpPythonJson(doc), "m.json");
    ASSERT_TRUE(Clean(info));
  }
  // UBJSON: deep nesting and typed containers whose counts multiply.
  std::string nested_typed = "{";
  for (int i = 0; i < 100; ++i) nested_typed += std::string("i\x01k[$[#i\x7f", 10);
  for (const std::string& ubj :
       {std::string(100000, '['), std::string("[$Z#L\x7f\xff\xff\xff\xff\xff\xff\xff", 13),
        std::string("[$[#U\xff", 6) + std::string(255 * 7, 'x'),
        std::string("[$S#I\x7f\xff", 7), std::string("{U\xffkey", 7), nested_typed}) {
    // Inside an object, so that the content sniffs as UBJSON.
    ASSERT_TRUE(Clean(InspectModelBytes(std::string("{i\x01k", 4) + ubj + "}", "model.ubj")));
    ASSERT_TRUE(Clean(internal::DecodeUbjson(ubj, "model.ubj")));
  }
  std::string typed_nulls = "[$[#U\x40";
  for (int i = 0; i < 64; ++i) typed_nulls += std::string("$Z#l\x00\x10\x00\x00", 8);
  Result<ModelInfo> bomb = InspectModelBytes(std::string("{i\x01k", 4) + typed_nulls + "}", "model.ubj");
  ASSERT_FALSE(bomb.ok());
  EXPECT_NE(bomb.status().message().find("null or boolean values"), std::string::npos)
      << bomb.status().message();
}

// The libzip headers' sizes and offsets, smashed near a signature.
std::string SmashZipHeader(Mutator& mutator, std::string bytes) {
  std::vector<size_t> signatures;
  for (std::string_view sig : {std::string_view("PK\x01\x02", 4), std::string_view("PK\x03\x04", 4),
                               std::string_view("PK\x05\x06", 4)}) {
    for (size_t at = bytes.find(sig); at != std::string::npos; at = bytes.find(sig, at + 1)) {
      signatures.push_back(at);
    }
  }
  if (signatures.empty()) return bytes;
  const size_t at = signatures[mutator.Below(signatures.size())] + 4 + 2 * mutator.Below(20);
  if (at + 4 > bytes.size()) return bytes;
  std::string field = bytes.substr(at, 4);
  mutator.SmashInteger(field);
  bytes.replace(at, 4, field);
  return bytes;
}

TEST(ArtifactRobustnessTest, ZipReadersSurviveMutations) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/art").ok());
  ASSERT_TRUE(env.WriteFile("/art/score.py", GeneratedScorePy()).ok());
  ASSERT_TRUE(env.WriteFile("/art/runtime.yaml", Fixture("introspect/good/runtime.yaml")).ok());
  ASSERT_TRUE(env.WriteFile("/art/model.onnx", Fixture("models/linear_regressor.onnx")).ok());
  ASSERT_TRUE(env.CreateDirs("/art/sub").ok());
  ASSERT_TRUE(env.WriteFile("/art/sub/notes.txt", "notes").ok());
  ASSERT_TRUE(PackArtifact(env, "/art", "/a.zip").ok());
  const std::string valid = *env.ReadFile("/a.zip");
  ASSERT_TRUE(ListZipMembersInBuffer(valid, "a.zip").ok());
  Mutator mutator(15);
  IntrospectOptions native;
  native.check_set = CheckSet::kNative;
  int listed = 0, introspected = 0;
  for (int i = 0; i < kRounds; ++i) {
    const std::string bytes =
        i % 2 == 0 ? SmashZipHeader(mutator, valid) : mutator.MutateBytes(valid);
    Result<std::vector<ZipMember>> members = ListZipMembersInBuffer(bytes, "a.zip");
    ASSERT_TRUE(Clean(members));
    listed += members.ok();
    MemEnv out;
    ASSERT_TRUE(Clean(ExtractArtifactFromBuffer(out, bytes, "/x", ExtractOptions{}, "a.zip")));
    ASSERT_TRUE(out.WriteFile("/m.zip", bytes).ok());
    Result<IntrospectionResult> r = IntrospectArtifact(out, "/m.zip", native);
    ASSERT_TRUE(Clean(r));
    introspected += r.ok();
    if (r.ok()) (void)RenderIntrospectionTable(*r);
  }
  // Enough mutants must still open for the member readers to be exercised.
  EXPECT_GT(listed, kRounds / 10);
  EXPECT_GT(introspected, kRounds / 10);
}

TEST(ArtifactRobustnessTest, SummaryStatusSurvivesMutations) {
  const Json valid = SummaryStatus().ToJson();
  ASSERT_TRUE(SummaryStatus::FromJson(valid).ok());
  Mutator mutator(16);
  Json doc = valid;
  for (int i = 0; i < kRounds; ++i) {
    doc = mutator.MutateJson(i % 4 == 0 ? valid : doc);
    FeedSummaryStatus(doc);
  }
  const std::string text = DumpPythonJson(valid);
  for (int i = 0; i < kRounds; ++i) {
    Result<Json> parsed = ParseJson(mutator.MutateBytes(text), "status.json");
    ASSERT_TRUE(Clean(parsed));
    if (parsed.ok()) FeedSummaryStatus(*parsed);
  }
}

TEST(ArtifactRobustnessTest, ScorePyRecognitionSurvivesMutations) {
  const std::string valid = GeneratedScorePy();
  ASSERT_EQ(RecognizeScorePy(valid).kind, ScorePyOrigin::kGeneratedUnmodified);
  Mutator mutator(17);
  int unmodified = 0;
  for (int i = 0; i < kRounds; ++i) {
    const std::string text = mutator.MutateBytes(valid);
    const ScorePyOrigin origin = RecognizeScorePy(text);
    if (origin.kind == ScorePyOrigin::kGeneratedUnmodified) {
      ++unmodified;
      EXPECT_EQ(origin.model_file_name, "model.onnx");
    }
  }
  EXPECT_LT(unmodified, kRounds);
  // Long first lines and bodies: no regex may recurse per character.
  const std::string prefix = "# score.py 1.0 generated by ads ";
  for (const std::string& text :
       {prefix + std::string(1 << 20, 'v') + " on 20240101_120000 sha256=" +
            std::string(64, 'a') + "\nbody",
        prefix + "2.11.0 on 20240101_120000 sha256=" + std::string(1 << 20, 'a') + "\n",
        prefix + std::string(1 << 20, ' ') + "\n", std::string(1 << 20, '#') + "\n"}) {
    EXPECT_NE(RecognizeScorePy(text).kind, ScorePyOrigin::kGeneratedUnmodified);
  }
  // A body with a valid hash but a hostile shape is still read safely.
  const std::string body = "# ads-runtime: onnx onnx\n" + std::string(1 << 20, '\n') +
                           "model_name = '" + std::string(1 << 20, 'm') + "'\n";
  const std::string forged = prefix + "1 on 20240101_120000 sha256=" + Sha256Hex(body) + "\n" + body;
  const ScorePyOrigin origin = RecognizeScorePy(forged);
  EXPECT_EQ(origin.kind, ScorePyOrigin::kGeneratedUnmodified);
  EXPECT_EQ(origin.model_file_name.size(), size_t{1} << 20);
}

// The ADS check set runs Python for score.py, so it gets fewer rounds.
TEST(ArtifactRobustnessTest, IntrospectionSurvivesMutatedRuntimeYaml) {
  const std::string score = Fixture("introspect/good/score.py");
  const std::string valid = Fixture("introspect/good/runtime.yaml");
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/ads").ok());
  ASSERT_TRUE(env.CreateDirs("/native").ok());
  ASSERT_TRUE(env.WriteFile("/ads/score.py", score).ok());
  ASSERT_TRUE(env.WriteFile("/native/model.onnx", Fixture("models/linear_regressor.onnx")).ok());
  IntrospectOptions ads;
  ads.check_set = CheckSet::kAds;
  IntrospectOptions native;
  native.check_set = CheckSet::kNative;
  Mutator mutator(18);
  for (int i = 0; i < kRounds; ++i) {
    const std::string text = mutator.MutateBytes(valid);
    ASSERT_TRUE(env.WriteFile("/native/runtime.yaml", text).ok());
    Result<IntrospectionResult> r = IntrospectArtifact(env, "/native", native);
    ASSERT_TRUE(Clean(r));
    if (i % 8 != 0) continue;
    ASSERT_TRUE(env.WriteFile("/ads/runtime.yaml", text).ok());
    r = IntrospectArtifact(env, "/ads", ads);
    ASSERT_TRUE(Clean(r));
    if (r.ok()) (void)RenderIntrospectionTable(*r);
  }
  // Values long enough to overflow the stack of a backtracking regex.
  const std::string hostile =
      "MODEL_ARTIFACT_VERSION: '3.0'\nMODEL_DEPLOYMENT:\n  INFERENCE_CONDA_ENV:\n"
      "    INFERENCE_ENV_PATH: " + std::string(300000, 'a') + "://b@c/d\n"
      "    INFERENCE_ENV_TYPE: published\n"
      "    INFERENCE_PYTHON_VERSION: '3.6." + std::string(300000, '7') + "'\n";
  ASSERT_TRUE(env.WriteFile("/ads/runtime.yaml", hostile).ok());
  ads.skip_remote_path_check = true;
  Result<IntrospectionResult> r = IntrospectArtifact(env, "/ads", ads);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->tests.at("runtime_env_python").at("success"), true);
  EXPECT_EQ(r->tests.at("runtime_path_exist").at("success"), true);
  EXPECT_EQ(r->status, IntrospectionStatus::kPassed) << r->final_message;
}

TEST(ArtifactRobustnessTest, PythonVersionAndSchemeChecksKeepAdsSemantics) {
  // The hand-written matchers replace ADS's regexes; these are its verdicts
  // for ^([3])(\.([6-9]|1[0-2]))(\.\d+)?$ and urlparse's scheme rule.
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/ads").ok());
  ASSERT_TRUE(env.WriteFile("/ads/score.py", Fixture("introspect/good/score.py")).ok());
  IntrospectOptions ads;
  ads.check_set = CheckSet::kAds;
  ads.skip_remote_path_check = true;
  const std::pair<std::string, bool> cases[] = {
      {"'3.6'", true},    {"'3.12'", true},   {"'3.11.4'", true}, {"'3.9.'", false},
      {"'3.5'", false},   {"'3.13'", false},  {"'3.1'", false},   {"'4.6'", false},
      {"'3.10.1.2'", false}, {"'3.60'", false}, {"3.8", true},    {"\"3.6\\n\"", true},
      {"' 3.6'", false},  {"'3.6x'", false}};
  for (const auto& [version, ok] : cases) {
    // Written as YAML scalars exactly as given, so quoting decides the type.
    ASSERT_TRUE(env.WriteFile("/ads/runtime.yaml",
                              "MODEL_ARTIFACT_VERSION: '3.0'\nMODEL_DEPLOYMENT:\n"
                              "  INFERENCE_CONDA_ENV:\n"
                              "    INFERENCE_ENV_PATH: oci://bucket@ns/path/env.tar.gz\n"
                              "    INFERENCE_ENV_TYPE: published\n"
                              "    INFERENCE_PYTHON_VERSION: " +
                                  version +
                                  "\n")
                    .ok());
    Result<IntrospectionResult> r = IntrospectArtifact(env, "/ads", ads);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->status == IntrospectionStatus::kPassed, ok) << version << ": " << r->final_message;
  }
}

}  // namespace
}  // namespace ads::artifact
