// End-to-end tests of `ads onnx run|bench|test` on real ONNX backend test
// data (Debian's libonnx-testdata) and the ai.onnx.ml cases in tests/data.
// Expected values come from the data's own output_*.pb files or from NumPy.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <regex>

#include "base/env.h"
#include "cli/cli_test_util.h"
#include "base/json.h"
#include "base/test_shell.h"

namespace ads::cli {
namespace {

using ::testing::HasSubstr;

const std::string kNode = "/usr/share/libonnx-testdata/data/node";
const std::string kSource = ADS_SOURCE_DIR;

class OnnxCliTest : public AdsBinaryTest {
 protected:
  void SetUp() override {
    if (!env_.IsDirectory(kNode)) GTEST_SKIP() << "libonnx-testdata is not installed";
    MakeRoot("ads-onnx-cli-");
  }

  // Runs a python3 snippet with numpy/onnx imported; returns its output.
  static std::string Python(const std::string& code) {
    return testing_util::RunShell(
        "/usr/bin/python3 -c " +
        Quote("import numpy as np, onnx, json\nfrom onnx import numpy_helper as nh\n" + code));
  }

  // Copies a libonnx-testdata case into the temp folder.
  std::string CopyCase(const std::string& name) {
    const std::string dst = root_ + "/cases/" + name;
    EXPECT_EQ(testing_util::RunShell("mkdir -p " + Quote(root_ + "/cases") + " && cp -r " +
                                     Quote(kNode + "/" + name) + " " + Quote(dst)),
              "");
    return dst;
  }

};

// Every element of the nested list `got` is within 1e-6 of `want`.
void ExpectClose(const Json& got, const Json& want) {
  ASSERT_EQ(got.is_array(), want.is_array()) << got.dump() << " vs " << want.dump();
  if (!got.is_array()) {
    EXPECT_NEAR(got.get<double>(), want.get<double>(), 1e-6);
    return;
  }
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) ExpectClose(got[i], want[i]);
}

TEST_F(OnnxCliTest, ShapesPrintsTheInferredTypeOfEveryValue) {
  const std::string c = "/usr/share/libonnx-testdata/data/pytorch-converted/test_Conv2d";
  CmdResult r = Ads({"onnx", "shapes", c + "/model.onnx"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("input 0: tensor(float)[2,3,7,5]")) << r.out;
  EXPECT_THAT(r.out, HasSubstr("3: tensor(float)[2,4,5,4]  <- node #0 (ai.onnx::Conv")) << r.out;
}

TEST_F(OnnxCliTest, RunPrintsTheOutputOfABackendCase) {
  const std::string c = kNode + "/test_abs";
  CmdResult r =
      Ads({"onnx", "run", c + "/model.onnx", "--input", c + "/test_data_set_0/input_0.pb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto got = ParseJson(r.out);
  ASSERT_TRUE(got.ok()) << r.out;
  auto want = ParseJson(Python("print(json.dumps(nh.to_array(onnx.load_tensor('" + c +
                               "/test_data_set_0/output_0.pb')).tolist()))"));
  ASSERT_TRUE(want.ok());
  EXPECT_EQ((*got)["y"]["dtype"], "float");
  EXPECT_EQ((*got)["y"]["shape"], Json::parse("[3, 4, 5]"));
  ExpectClose((*got)["y"]["data"], *want);
}

TEST_F(OnnxCliTest, RunReadsNpyAndJsonInputsByNameAndPosition) {
  const std::string x = root_ + "/x.npy", y = root_ + "/y.json";
  // NumPy writes both files and prints the float32 sum the model must give.
  auto want =
      ParseJson(Python("x = np.arange(60, dtype=np.float64).reshape(3, 4, 5) / 7\n"
                       "np.save('" +
                       x +
                       "', x)\n"
                       "y = (np.arange(60).reshape(3, 4, 5) % 5 - 2.5)\n"
                       "open('" +
                       y +
                       "', 'w').write(json.dumps(y.tolist()))\n"
                       "print(json.dumps((x.astype(np.float32) + "
                       "y.astype(np.float32)).tolist()))"));
  ASSERT_TRUE(want.ok());
  const std::string model = kNode + "/test_add/model.onnx";
  CmdResult named = Ads({"onnx", "run", model, "-i", "y=" + y, "-i", "x=" + x});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  ExpectClose((*ParseJson(named.out))["sum"]["data"], *want);
  CmdResult positional = Ads({"onnx", "run", model, "-i", x, "-i", y});
  ASSERT_EQ(positional.exit_code, 0) << positional.err;
  ExpectClose((*ParseJson(positional.out))["sum"]["data"], *want);
}

TEST_F(OnnxCliTest, RunPrintsZipMapOutputsAsListsOfObjects) {
  const std::string c = kSource + "/tests/data/engine/ml/tree_classifier_rf_3class_zipmap";
  CmdResult r = Ads({"onnx", "run", c + "/model.onnx", "-i", c + "/test_data_set_0/input_0.pb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto got = ParseJson(r.out);
  ASSERT_TRUE(got.ok()) << r.out;
  // Expected probabilities from the case's own output_1.pb (a SequenceProto of MapProto).
  auto want = ParseJson(
      Python("from onnx import onnx_ml_pb2\ns = onnx.SequenceProto()\n"
             "s.ParseFromString(open('" +
             c +
             "/test_data_set_0/output_1.pb', 'rb').read())\n"
             "print(json.dumps([{str(k): float(v) for k, v in zip(m.keys, nh.to_list(m.values))} "
             "for m in s.map_values]))"));
  ASSERT_TRUE(want.ok());
  const Json& zip = (*got)["zip"];
  ASSERT_TRUE(zip.is_array());
  ASSERT_EQ(zip.size(), want->size());
  for (size_t i = 0; i < zip.size(); ++i) {
    ASSERT_TRUE(zip[i].is_object());
    for (const auto& [k, v] : (*want)[i].items()) {
      ASSERT_TRUE(zip[i].contains(k)) << zip[i].dump();
      EXPECT_NEAR(zip[i][k].get<double>(), v.get<double>(), 1e-5);
    }
  }
}

TEST_F(OnnxCliTest, RunReportsBadInputsClearly) {
  const std::string c = kNode + "/test_add";
  const std::string in = c + "/test_data_set_0/input_0.pb";
  CmdResult unknown = Ads({"onnx", "run", c + "/model.onnx", "-i", "z=" + in});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no input named `z`; the model's inputs are: x, y"));
  ASSERT_TRUE(env_.WriteFile(root_ + "/small.json", "[[1, 2], [3, 4]]").ok());
  CmdResult shape = Ads({"onnx", "run", c + "/model.onnx", "-i", in, "-i", root_ + "/small.json"});
  EXPECT_EQ(shape.exit_code, 1);
  EXPECT_THAT(shape.err, HasSubstr("input `y` must have shape [3,4,5]"));
  ASSERT_TRUE(env_.WriteFile(root_ + "/text.json", "[\"a\"]").ok());
  CmdResult dtype = Ads({"onnx", "run", c + "/model.onnx", "-i", in, "-i", root_ + "/text.json"});
  EXPECT_EQ(dtype.exit_code, 1);
  EXPECT_THAT(dtype.err, HasSubstr("element [0] is string, but the input has element type float"));
  CmdResult missing = Ads({"onnx", "run", c + "/model.onnx", "-i", in, "-i", root_ + "/no.npy"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("cannot read the file for input `y`"));
  CmdResult no_model = Ads({"onnx", "run", root_ + "/absent.onnx"});
  EXPECT_EQ(no_model.exit_code, 1);
  EXPECT_THAT(no_model.err, HasSubstr("absent.onnx"));
}

TEST_F(OnnxCliTest, BenchEndsWithTheMachineReadableLine) {
  const std::string x = root_ + "/x.npy";
  ASSERT_EQ(Python("np.save('" + x + "', np.ones((7, 4, 5), dtype=np.float32))"), "");
  const std::string model = kNode + "/test_abs/model.onnx";
  // test_abs declares [3,4,5]: a 7-row batch is refused, naming the shape.
  CmdResult wrong = Ads({"onnx", "bench", model, "-i", x, "--iterations", "3"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.err, HasSubstr("must have shape [3,4,5]"));
  const std::string c = kNode + "/test_abs/test_data_set_0/input_0.pb";
  CmdResult r = Ads({"onnx", "bench", model, "-i", "x=" + c, "--iterations", "25", "--warmup", "2",
                     "--threads", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string last = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
  std::smatch m;
  const std::regex line(
      R"(median_us=([0-9]+\.[0-9]+) rows_per_s=([0-9]+\.[0-9]+) iterations=25 threads=1\n)");
  ASSERT_TRUE(std::regex_match(last, m, line)) << r.out;
  const double median_us = std::stod(m[1]), rows_per_s = std::stod(m[2]);
  EXPECT_GT(median_us, 0);
  // rows = 3, the first dimension of input x.
  EXPECT_NEAR(rows_per_s, 3 * 1e6 / median_us, 0.01 * rows_per_s + 0.1);
}

TEST_F(OnnxCliTest, TestRunsCasesAndFoldersOfCases) {
  CmdResult one = Ads({"onnx", "test", kNode + "/test_abs"});
  EXPECT_EQ(one.exit_code, 0) << one.out << one.err;
  EXPECT_EQ(one.out, "PASS test_abs\n1 passed, 0 failed, 0 skipped\n");
  CopyCase("test_add");
  CopyCase("test_lstm_defaults");
  CmdResult folder = Ads({"onnx", "test", root_ + "/cases",
                          "/usr/share/libonnx-testdata/data/simple/test_sequence_model1"});
  EXPECT_EQ(folder.exit_code, 0) << folder.out << folder.err;
  EXPECT_THAT(folder.out, HasSubstr("PASS test_add\n"));
  EXPECT_THAT(folder.out, HasSubstr("SKIP test_lstm_defaults: unsupported operator ai.onnx::LSTM"));
  EXPECT_THAT(folder.out, HasSubstr("PASS test_sequence_model1\n"));
  EXPECT_THAT(folder.out, HasSubstr("2 passed, 0 failed, 1 skipped\n"));
  CmdResult ml = Ads({"onnx", "test", kSource + "/tests/data/engine/ml"});
  EXPECT_EQ(ml.exit_code, 0) << ml.out;
  EXPECT_THAT(ml.out, HasSubstr("PASS tree_classifier_rf_3class_zipmap\n"));
}

TEST_F(OnnxCliTest, TestFailsOnAWrongExpectedOutput) {
  const std::string c = CopyCase("test_abs");
  const std::string out = c + "/test_data_set_0/output_0.pb";
  ASSERT_EQ(Python("t = nh.to_array(onnx.load_tensor('" + out +
                   "')).copy()\n"
                   "t[0, 1, 2] += 0.5\n"
                   "open('" +
                   out +
                   "', 'wb').write(nh.from_array(t, 'y').SerializeToString())\n"
                   "print(end='')"),
            "");
  CmdResult r = Ads({"onnx", "test", c});
  EXPECT_EQ(r.exit_code, 1);
  // Element [0,1,2] of a [3,4,5] tensor is flat index 7.
  EXPECT_THAT(r.out, HasSubstr("FAIL test_abs: test_data_set_0: output 0 `y` element 7: expected"));
  EXPECT_THAT(r.out, HasSubstr("0 passed, 1 failed, 0 skipped\n"));
  // A looser tolerance accepts the change.
  CmdResult loose = Ads({"onnx", "test", c, "--atol", "0.6"});
  EXPECT_EQ(loose.exit_code, 0) << loose.out;
  CmdResult nothing = Ads({"onnx", "test", root_ + "/does-not-exist"});
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_THAT(nothing.err, HasSubstr("is not a folder"));
}

}  // namespace
}  // namespace ads::cli
