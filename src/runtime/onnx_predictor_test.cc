// The onnx runtime on real models: the bundled iris forest against sklearn,
// and the generated score.py's answers on every payload encoding.
#include "runtime/onnx_predictor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "base/strings.h"
#include "base/test_shell.h"
#include "runtime/test_artifact.h"

namespace ads::runtime {
namespace {

using ::testing::HasSubstr;
using testing_util::kSource;
using testing_util::TempDir;

// The rows of examples/iris/X.csv as a JSON list of lists, numbers as written.
std::string IrisRows() {
  auto csv = Env::Default()->ReadFile(kSource + "/examples/iris/X.csv");
  EXPECT_TRUE(csv.ok());
  std::string body = "[";
  bool header = true;
  for (const std::string& line : Split(csv.value_or(""), '\n')) {
    if (header || line.empty()) {
      header = false;
      continue;
    }
    body += (body.size() > 1 ? ", [" : "[") + line + "]";
  }
  return body + "]";
}

std::unique_ptr<Predictor> LoadIris(const TempDir& dir) {
  testing_util::CopyFile(kSource + "/examples/iris/model.onnx", dir / "model.onnx");
  auto p = LoadPredictor(*Env::Default(), dir.path(), {});
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(*p) : nullptr;
}

// expected.json holds sklearn's predict / predict_proba for the X.csv rows.
TEST(OnnxPredictorTest, IrisForestAgreesWithSklearn) {
  TempDir dir;
  std::unique_ptr<Predictor> p = LoadIris(dir);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->kind(), RuntimeKind::kOnnx);
  auto r = p->Predict({.body = IrisRows()});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->content_type, "application/json");
  auto doc = ParseJson(r->body);
  ASSERT_TRUE(doc.ok()) << r->body;
  const Json& prediction = (*doc)["prediction"];  // [labels, probabilities]
  auto expected = ParseJson(Env::Default()->ReadFile(kSource + "/examples/iris/expected.json").value());
  ASSERT_TRUE(expected.ok());
  ASSERT_EQ(prediction.size(), 2u);
  ASSERT_EQ(prediction[0].size(), (*expected)["predict"].size());
  for (size_t i = 0; i < prediction[0].size(); ++i) {
    EXPECT_EQ(prediction[0][i].get<int64_t>(), (*expected)["predict"][i].get<int64_t>()) << i;
    for (size_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(prediction[1][i][c].get<double>(), (*expected)["predict_proba"][i][c].get<double>(),
                  1e-6)
          << i;
    }
  }
}

TEST(OnnxPredictorTest, SchemaMatchesDataFrameColumnsByName) {
  TempDir dir;
  ASSERT_TRUE(Env::Default()
                  ->WriteFile(dir / "input_schema.json",
                              R"({"schema": [{"name": "sepal_length", "dtype": "float64"},)"
                              R"( {"name": "sepal_width", "dtype": "float64"},)"
                              R"( {"name": "petal_length", "dtype": "float64"},)"
                              R"( {"name": "petal_width", "dtype": "float64"}], "version": "1.1"})")
                  .ok());
  std::unique_ptr<Predictor> p = LoadIris(dir);
  ASSERT_NE(p, nullptr);
  auto rows = p->Predict({.body = "[[6.3, 2.5, 5.0, 1.9], [5.0, 3.4, 1.5, 0.2]]"});
  auto shuffled = p->Predict({.body = R"({"petal_width": [1.9, 0.2], "sepal_width": [2.5, 3.4],)"
                                      R"( "sepal_length": [6.3, 5.0], "petal_length": [5.0, 1.5]})"});
  ASSERT_TRUE(rows.ok() && shuffled.ok()) << shuffled.status().ToString();
  EXPECT_EQ(rows->body, shuffled->body);
  auto missing = p->Predict({.body = R"({"sepal_length": [6.3], "sepal_width": [2.5], "petal_length": [5.0]})"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(missing.status().message(), HasSubstr("lacks the column `petal_width`"));
  auto extra = p->Predict({.body = R"({"sepal_length": [6.3], "sepal_width": [2.5], "petal_length": [5.0],)"
                                   R"( "petal_width": [1.9], "species": [2]})"});
  ASSERT_FALSE(extra.ok());
  EXPECT_THAT(extra.status().message(), HasSubstr("`species`"));
}

TEST(OnnxPredictorTest, BadPayloadsAreInvalidArgument) {
  TempDir dir;
  std::unique_ptr<Predictor> p = LoadIris(dir);
  ASSERT_NE(p, nullptr);
  for (const char* body : {"[[1, 2, 3]]", "[[1, 2, 3, 4], [1, 2]]", "[[\"a\", 1, 2, 3]]", "[1, 2",
                           "[[[1, 2, 3, 4]]]"}) {
    auto r = p->Predict({.body = body});
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << body << ": " << r.status().ToString();
  }
  auto wrong = p->Predict({.body = "[[1, 2, 3]]"});
  EXPECT_THAT(wrong.status().message(), HasSubstr("shape"));
}

// ZipMap outputs: onnxruntime returns one dict per row with its keys in
// ascending order (it builds them from a std::map); json.dumps quotes int keys.
TEST(OnnxPredictorTest, ZipMapRowsAreDictsWithSortedKeys) {
  TempDir dir;
  const std::string script =
      "import onnx, sys\n"
      "from onnx import helper, TensorProto as T\n"
      "def save(path, attr, values):\n"
      "    node = helper.make_node('ZipMap', ['X'], ['Z'], domain='ai.onnx.ml', **{attr: values})\n"
      "    key = T.INT64 if attr == 'classlabels_int64s' else T.STRING\n"
      "    row = onnx.TypeProto()\n"
      "    row.map_type.key_type = key\n"
      "    row.map_type.value_type.CopyFrom(helper.make_tensor_type_proto(T.FLOAT, None))\n"
      "    out = helper.make_value_info('Z', helper.make_sequence_type_proto(row))\n"
      "    g = helper.make_graph([node], 'z', [helper.make_tensor_value_info('X', T.FLOAT, ['N', 3])], [out])\n"
      "    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13), helper.make_opsetid('ai.onnx.ml', 1)])\n"
      "    m.ir_version = 8\n"
      "    onnx.save(m, path)\n"
      "save(sys.argv[1] + '/ints.onnx', 'classlabels_int64s', [2, 0, 1])\n"
      "save(sys.argv[1] + '/strings.onnx', 'classlabels_strings', ['b', 'a', 'c'])\n";
  ASSERT_TRUE(Env::Default()->WriteFile(dir / "make.py", script).ok());
  const std::string out = ads::testing_util::RunShell("/usr/bin/python3 " + (dir / "make.py") + " " + dir.path());
  ASSERT_TRUE(Env::Default()->FileExists(dir / "ints.onnx")) << out;
  const std::string body = "[[0.5, 0.25, 0.125], [1, 0.1, 0]]";
  auto ints = LoadOnnxPredictor(*Env::Default(), dir.path(), "ints.onnx", {});
  ASSERT_TRUE(ints.ok()) << ints.status().ToString();
  auto r = (*ints)->Predict({.body = body});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body,
            R"({"prediction": [{"0": 0.25, "1": 0.125, "2": 0.5}, )"
            R"({"0": 0.10000000149011612, "1": 0.0, "2": 1.0}]})");
  auto strings = LoadOnnxPredictor(*Env::Default(), dir.path(), "strings.onnx", {});
  ASSERT_TRUE(strings.ok()) << strings.status().ToString();
  r = (*strings)->Predict({.body = body});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body,
            R"({"prediction": [{"a": 0.25, "b": 0.5, "c": 0.125}, )"
            R"({"a": 0.10000000149011612, "b": 1.0, "c": 0.0}]})");
}

// The strongest check: the generated score.py (run by python3 against the
// test stand-in for onnxruntime, which evaluates these linear graphs with
// numpy) and the native runtime get the same request bodies and must return
// the same JSON (floats to the last float32 bit), or both fail.
TEST(OnnxPredictorTest, AnswersExactlyLikeTheGeneratedScorePy) {
  TempDir dir;
  testing_util::WriteGeneratedScorePy(dir.path(), "onnx", "onnx", "model.onnx");
  const std::string out = ads::testing_util::RunShell(
      "/usr/bin/python3 " + kSource + "/tests/data/runtime/onnx_equivalence.py " + dir.path() + " " +
      kSource + "/tests/data/score_py/fake_onnxruntime");
  const auto cases = testing_util::ParseCases(out);
  ASSERT_GE(cases.size(), 30u) << out;
  std::map<std::string, std::unique_ptr<Predictor>> predictors;
  auto main = LoadPredictor(*Env::Default(), dir.path(), {});  // the serving path: score.py decides
  ASSERT_TRUE(main.ok()) << main.status().ToString();
  EXPECT_EQ((*main)->kind(), RuntimeKind::kOnnx);
  predictors["model.onnx"] = std::move(*main);
  int answered = 0, refused = 0, exact = 0;
  for (const auto& c : cases) {
    if (!predictors.count(c.model)) {
      auto p = LoadOnnxPredictor(*Env::Default(), dir.path(), c.model, {});
      ASSERT_TRUE(p.ok()) << c.model << ": " << p.status().ToString();
      predictors[c.model] = std::move(*p);
    }
    auto r = predictors[c.model]->Predict({.body = c.body});
    if (c.error.empty()) {
      ASSERT_TRUE(r.ok()) << c.model << " / " << c.name << ": " << r.status().ToString();
      // The same text, up to the last bit of a float32 (see JsonNear).
      std::string where;
      EXPECT_TRUE(testing_util::JsonNear(ParseJson(r->body).value(), ParseJson(c.expected).value(), &where))
          << c.model << " / " << c.name << " differs at " << where << "\n  native: " << r->body
          << "\n  python: " << c.expected;
      exact += r->body == c.expected;
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
  EXPECT_GE(answered, 25);
  EXPECT_GE(refused, 5);
  // For the record: how many answers were byte-identical (the others differ
  // in the last bit of a float32 that numpy sums in float and we in double).
  RecordProperty("byte_identical", exact);
}

}  // namespace
}  // namespace ads::runtime
