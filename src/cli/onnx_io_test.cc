// Tests of the `ads onnx` input/output plumbing. .npy files are written by
// NumPy itself (python3), so the parser is checked against the real format.
#include "cli/onnx_io.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/test_shell.h"

namespace ads::cli {
namespace {

using engine::DataType;
using engine::Tensor;
using engine::Value;
using engine::ValueInfo;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class OnnxIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = env_.MakeTempDir("ads-onnx-io-");
    ASSERT_TRUE(dir.ok());
    dir_ = *dir;
  }
  void TearDown() override { env_.RemoveAll(dir_).IgnoreError(); }

  // Saves `expr` (a NumPy expression) with np.save and returns the bytes.
  std::string Npy(const std::string& expr, const std::string& name = "a.npy") {
    const std::string path = dir_ + "/" + name;
    const std::string out = testing_util::RunShell(
        "/usr/bin/python3 -c \"import numpy as np; np.save('" + path + "', " + expr + ")\"");
    EXPECT_EQ(out, "");
    return env_.ReadFile(path).value_or("");
  }

  static ValueInfo FloatInput(const std::string& name, std::vector<int64_t> dims) {
    ValueInfo info;
    info.name = name;
    info.type.kind = engine::ValueType::Kind::kTensor;
    info.type.elem_type = DataType::kFloat;
    info.type.has_shape = true;
    info.type.dims = std::move(dims);
    return info;
  }

  Env& env_ = *Env::Default();
  std::string dir_;
};

TEST_F(OnnxIoTest, ReadsNumpyFloatMatrix) {
  auto t = ParseNpy(Npy("np.array([[1.5, -2, 3], [4, 5, 6.25]], dtype=np.float32)"), "a.npy");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->dtype(), DataType::kFloat);
  EXPECT_THAT(t->shape(), ElementsAre(2, 3));
  EXPECT_THAT(t->span<float>(), ElementsAre(1.5f, -2.0f, 3.0f, 4.0f, 5.0f, 6.25f));
}

TEST_F(OnnxIoTest, ReadsNumpyIntsBoolsScalarsAndStrings) {
  auto ints = ParseNpy(Npy("np.array([7, -9007199254740993], dtype=np.int64)"), "i");
  ASSERT_TRUE(ints.ok()) << ints.status().ToString();
  EXPECT_THAT(ints->span<int64_t>(), ElementsAre(7, -9007199254740993LL));
  auto bools = ParseNpy(Npy("np.array([True, False, True])"), "b");
  ASSERT_TRUE(bools.ok()) << bools.status().ToString();
  EXPECT_THAT(bools->span<bool>(), ElementsAre(true, false, true));
  auto scalar = ParseNpy(Npy("np.float64(2.5)"), "s");
  ASSERT_TRUE(scalar.ok()) << scalar.status().ToString();
  EXPECT_EQ(scalar->rank(), 0u);
  EXPECT_EQ(scalar->data<double>()[0], 2.5);
  auto strings = ParseNpy(Npy("np.array([['a', 'h\\u00e9llo'], ['', 'xyz']])"), "u");
  ASSERT_TRUE(strings.ok()) << strings.status().ToString();
  EXPECT_THAT(strings->shape(), ElementsAre(2, 2));
  EXPECT_THAT(strings->span<std::string>(), ElementsAre("a", "h\xc3\xa9llo", "", "xyz"));
}

TEST_F(OnnxIoTest, RejectsBadNumpyFiles) {
  EXPECT_THAT(ParseNpy("not numpy at all", "x.npy").status().message(),
              HasSubstr("not a .npy file"));
  std::string good = Npy("np.zeros((4, 4), dtype=np.float32)");
  auto cut = ParseNpy(std::string_view(good).substr(0, good.size() - 3), "cut.npy");
  EXPECT_THAT(cut.status().message(), HasSubstr("does not match"));
  auto fortran = ParseNpy(Npy("np.asfortranarray(np.zeros((2, 3)))"), "f.npy");
  EXPECT_THAT(fortran.status().message(), HasSubstr("Fortran order"));
  auto objects = ParseNpy(Npy("np.array([{'a': 1}], dtype=object)"), "o.npy");
  EXPECT_FALSE(objects.ok());
  auto big_endian = ParseNpy(Npy("np.array([1, 2], dtype='>i4')"), "be.npy");
  EXPECT_THAT(big_endian.status().message(), HasSubstr("big-endian"));
}

TEST_F(OnnxIoTest, BuildsTensorsFromNestedJsonLists) {
  auto t = TensorFromJson(Json::parse("[[1, 2.5], [3, 4]]"), DataType::kFloat, "x");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_THAT(t->shape(), ElementsAre(2, 2));
  EXPECT_THAT(t->span<float>(), ElementsAre(1.0f, 2.5f, 3.0f, 4.0f));
  // 2^53 + 1 is not a double: an int64 input must keep it exactly.
  auto big = TensorFromJson(Json::parse("[9007199254740993]"), DataType::kInt64, "x");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->data<int64_t>()[0], 9007199254740993LL);
  auto scalar = TensorFromJson(Json::parse("\"abc\""), DataType::kString, "x");
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->rank(), 0u);
  EXPECT_EQ(scalar->data<std::string>()[0], "abc");
  auto empty = TensorFromJson(Json::parse("[]"), DataType::kFloat, "x");
  ASSERT_TRUE(empty.ok());
  EXPECT_THAT(empty->shape(), ElementsAre(0));
}

TEST_F(OnnxIoTest, JsonErrorsNameThePosition) {
  auto ragged = TensorFromJson(Json::parse("[[1, 2], [3]]"), DataType::kFloat, "x.json");
  EXPECT_THAT(ragged.status().message(), HasSubstr("not rectangular: at [1] expected 2 items"));
  auto text = TensorFromJson(Json::parse("[[1, \"a\"]]"), DataType::kFloat, "x.json");
  EXPECT_THAT(text.status().message(), HasSubstr("element [0,1] is string"));
  auto range = TensorFromJson(Json::parse("[1, 300]"), DataType::kInt8, "x.json");
  EXPECT_THAT(range.status().message(), HasSubstr("element [1] (300) does not fit"));
  auto fraction = TensorFromJson(Json::parse("[1.5]"), DataType::kInt64, "x.json");
  EXPECT_FALSE(fraction.ok());
  auto deeper = TensorFromJson(Json::parse("[1, [2]]"), DataType::kFloat, "x.json");
  EXPECT_FALSE(deeper.ok());
}

TEST_F(OnnxIoTest, ConvertsNumpyTypesToTheDeclaredOne) {
  Tensor d = Tensor::FromVector<double>({2}, {0.5, -3});
  auto f = ConvertTensor(d, DataType::kFloat, "d");
  ASSERT_TRUE(f.ok());
  EXPECT_THAT(f->span<float>(), ElementsAre(0.5f, -3.0f));
  EXPECT_FALSE(ConvertTensor(d, DataType::kUint8, "d").ok());  // -3 does not fit
  EXPECT_THAT(
      ConvertTensor(Tensor::FromStrings({1}, {"a"}), DataType::kFloat, "s").status().message(),
      HasSubstr("holds string values"));
}

TEST_F(OnnxIoTest, RendersTensorsAndZipMapOutputsAsJson) {
  Value probs(Tensor::FromVector<float>({1, 2}, {0.1f, 0.9f}));
  EXPECT_EQ(DumpPythonJson(ValueToJson(probs)),
            "{\"dtype\": \"float\", \"shape\": [1, 2], \"data\": [[0.1, 0.9]]}");
  engine::Map m{Tensor::FromVector<int64_t>({2}, {0, 1}),
                Tensor::FromVector<float>({2}, {0.25f, 0.75f})};
  Value zip(engine::Sequence{{Value(m)}});
  EXPECT_EQ(DumpPythonJson(ValueToJson(zip)), "[{\"0\": 0.25, \"1\": 0.75}]");
  Value label(Tensor::FromStrings({1}, {"setosa"}));
  EXPECT_EQ(DumpPythonJson(ValueToJson(label)),
            "{\"dtype\": \"string\", \"shape\": [1], \"data\": [\"setosa\"]}");
}

TEST_F(OnnxIoTest, MapsNamedAndPositionalInputs) {
  ASSERT_TRUE(env_.WriteFile(dir_ + "/a.json", "[[1, 2]]").ok());
  ASSERT_TRUE(env_.WriteFile(dir_ + "/b.json", "[[3]]").ok());
  std::vector<ValueInfo> inputs = {FloatInput("a", {-1, 2}), FloatInput("b", {-1, 1})};
  auto named = ReadFeeds(env_, inputs, {"b=" + dir_ + "/b.json", dir_ + "/a.json"});
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(named->at("a").tensor().size(), 2);
  EXPECT_EQ(named->at("b").tensor().data<float>()[0], 3.0f);
  auto unknown = ReadFeeds(env_, inputs, {"c=" + dir_ + "/a.json"});
  EXPECT_THAT(unknown.status().message(), HasSubstr("no input named `c`"));
  EXPECT_THAT(unknown.status().message(), HasSubstr("inputs are: a, b"));
  auto missing = ReadFeeds(env_, inputs, {dir_ + "/a.json"});
  EXPECT_THAT(missing.status().message(), HasSubstr("input `b` is missing"));
  auto twice = ReadFeeds(env_, inputs, {"a=" + dir_ + "/a.json", "a=" + dir_ + "/a.json"});
  EXPECT_THAT(twice.status().message(), HasSubstr("given twice"));
  auto unreadable = ReadFeeds(env_, inputs, {dir_ + "/nope.json", dir_ + "/b.json"});
  EXPECT_THAT(unreadable.status().message(), HasSubstr("cannot read the file for input `a`"));
  ASSERT_TRUE(env_.WriteFile(dir_ + "/a.txt", "1").ok());
  auto txt = ReadFeeds(env_, inputs, {dir_ + "/a.txt"});
  EXPECT_THAT(txt.status().message(), HasSubstr("unknown file type"));
}

}  // namespace
}  // namespace ads::cli
