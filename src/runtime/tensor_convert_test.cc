// np.asarray-style conversions: shapes, element casts, and their errors.
#include "runtime/tensor_convert.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/output_json.h"

namespace ads::runtime {
namespace {

using engine::DataType;
using engine::Tensor;
using ::testing::HasSubstr;

std::string Dump(const Tensor& t) {
  std::string s;
  AppendTensorJson(t, &s);
  return s;
}

Tensor Convert(std::string_view json, DataType type) {
  auto t = JsonToTensor(ParseJson(json).value(), type, "x");
  EXPECT_TRUE(t.ok()) << json << ": " << t.status().ToString();
  return t.ok() ? *t : Tensor();
}

std::string ConvertError(std::string_view json, DataType type) {
  auto t = JsonToTensor(ParseJson(json).value(), type, "Input 'x'");
  EXPECT_FALSE(t.ok()) << json;
  return t.ok() ? "" : t.status().message();
}

TEST(TensorConvertTest, ShapesFollowTheNesting) {
  EXPECT_EQ(Convert("[[1, 2, 3], [4, 5, 6]]", DataType::kFloat).shape(), (engine::Shape{2, 3}));
  EXPECT_EQ(Convert("[1, 2]", DataType::kFloat).shape(), (engine::Shape{2}));
  EXPECT_EQ(Convert("2.5", DataType::kFloat).shape(), (engine::Shape{}));
  EXPECT_EQ(Convert("[]", DataType::kFloat).shape(), (engine::Shape{0}));
  EXPECT_EQ(Convert("[[], []]", DataType::kFloat).shape(), (engine::Shape{2, 0}));
}

// Expected values are numpy's: np.asarray(v, dtype=...).tolist().
TEST(TensorConvertTest, ElementCastsAreNumpys) {
  EXPECT_EQ(Dump(Convert("[0.1, 1, true, null]", DataType::kFloat)),
            "[0.10000000149011612, 1.0, 1.0, NaN]");
  EXPECT_EQ(Dump(Convert("[0.1, 1, false, null]", DataType::kDouble)), "[0.1, 1.0, 0.0, NaN]");
  EXPECT_EQ(Dump(Convert("[1.7, -1.7, 3, true]", DataType::kInt64)), "[1, -1, 3, 1]");
  EXPECT_EQ(Dump(Convert("[0, 0.5, null, 2]", DataType::kBool)), "[false, true, false, true]");
  EXPECT_EQ(Dump(Convert("[\"a\", \"\\u00e9\"]", DataType::kString)), "[\"a\", \"\\u00e9\"]");
  EXPECT_EQ(Dump(Convert("[1.5, 65504]", DataType::kFloat16)), "[1.5, 65504.0]");
  EXPECT_EQ(Dump(Convert("[255, -128]", DataType::kInt16)), "[255, -128]");
  EXPECT_EQ(Dump(Convert("[18446744073709551615]", DataType::kUint64)), "[18446744073709551615]");
}

TEST(TensorConvertTest, BadElementsAreNamedWithTheirPosition) {
  EXPECT_THAT(ConvertError("[[1, 2], [3]]", DataType::kFloat), HasSubstr("not rectangular"));
  EXPECT_THAT(ConvertError("[[1, 2], [3]]", DataType::kFloat), HasSubstr("[1]"));
  EXPECT_THAT(ConvertError("[[1, [2]], [3, 4]]", DataType::kFloat), HasSubstr("not rectangular"));
  EXPECT_THAT(ConvertError("[[1, \"a\"]]", DataType::kFloat), HasSubstr("element [0][1] is the string `a`"));
  EXPECT_THAT(ConvertError("[1, null]", DataType::kInt64), HasSubstr("element [1] is null"));
  EXPECT_THAT(ConvertError("[NaN]", DataType::kInt32), HasSubstr("no integer can hold"));
  EXPECT_THAT(ConvertError("[300]", DataType::kInt8), HasSubstr("out of range for int8"));
  EXPECT_THAT(ConvertError("[-1]", DataType::kUint32), HasSubstr("out of range"));
  EXPECT_THAT(ConvertError("[1e300]", DataType::kInt64), HasSubstr("out of range"));
  EXPECT_THAT(ConvertError("[1]", DataType::kString), HasSubstr("takes strings"));
  EXPECT_THAT(ConvertError("{\"a\": 1}", DataType::kFloat), HasSubstr("got an object"));
  EXPECT_THAT(ConvertError("[{\"a\": 1}]", DataType::kFloat), HasSubstr("not rectangular"));
}

TEST(TensorConvertTest, CastTensorKeepsTheBufferWhenTheTypeMatches) {
  Tensor f = Tensor::FromVector<float>({2}, {1.5f, -2.5f});
  auto same = CastTensor(f, DataType::kFloat, "x");
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->SharesBufferWith(f));
  auto ints = CastTensor(f, DataType::kInt32, "x");
  ASSERT_TRUE(ints.ok());
  EXPECT_EQ(Dump(*ints), "[1, -2]");
  auto strings = CastTensor(f, DataType::kString, "Input 'x'");
  ASSERT_FALSE(strings.ok());
  EXPECT_THAT(strings.status().message(), HasSubstr("takes strings"));
}

TEST(TensorConvertTest, FramesBecomeTables) {
  Frame f;
  f.columns = {"a", "b", "s"};
  f.cells = {{Json(1), Json(2)}, {Json(0.5), Json()}, {Json::array({1, 2}), Json::array({3, 4})}};
  f.rows = 2;
  auto t = FrameToTensor(f, {1, 0}, DataType::kDouble, "x");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(Dump(*t), "[[0.5, 1.0], [NaN, 2.0]]");
  auto seq = ColumnToTensor(f, 2, DataType::kInt64, "x");
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(Dump(*seq), "[[1, 2], [3, 4]]");
  auto col = ColumnToTensor(f, 0, DataType::kFloat, "x");
  ASSERT_TRUE(col.ok());
  EXPECT_EQ(Dump(*col), "[[1.0], [2.0]]");
  auto bad = FrameToTensor(f, {0, 2}, DataType::kFloat, "Input 'x'");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("column `s`, row 0 holds a list"));
}

TEST(TensorConvertTest, FirstAxisItemCopiesOneSlice) {
  Tensor t = Tensor::FromVector<int64_t>({3, 2}, {1, 2, 3, 4, 5, 6});
  auto item = FirstAxisItem(t, 1);
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(Dump(*item), "[3, 4]");
  EXPECT_FALSE(FirstAxisItem(t, 3).ok());
  EXPECT_FALSE(FirstAxisItem(Tensor::Scalar<float>(1), 0).ok());
}

}  // namespace
}  // namespace ads::runtime
