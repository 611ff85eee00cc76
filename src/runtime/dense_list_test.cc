// The dense fast path must give exactly what the general JSON path gives,
// and step aside for everything it does not handle.
#include "runtime/dense_list.h"

#include <gtest/gtest.h>

#include "base/json.h"
#include "runtime/output_json.h"
#include "runtime/tensor_convert.h"

namespace ads::runtime {
namespace {

using engine::DataType;

std::string Dump(const engine::Tensor& t) {
  std::string s;
  AppendTensorJson(t, &s);
  return s;
}

TEST(DenseListTest, AgreesWithTheJsonPathForEveryTargetType) {
  const char* bodies[] = {
      "[[5.1, 3.5, 1.4, 0.2], [4.9, 3.0, 1.4, 0.2]]",
      " [ 1 , -2 ,3e2, 4.5E-3, -0.0 ] ",
      "[[[1, 2], [3, 4]], [[5, 6], [7, 8]]]",
      "[9007199254740992, -9007199254740992, 0.1, 1e-300, 123456789.123456789]",
      "[NaN, Infinity, -Infinity, 1]",
      "[[0.30000000000000004]]",
  };
  for (const char* body : bodies) {
    auto dense = ParseDenseList(body);
    ASSERT_TRUE(dense.has_value()) << body;
    auto json = ParseJson(body);
    ASSERT_TRUE(json.ok()) << body;
    for (DataType type : {DataType::kFloat, DataType::kDouble, DataType::kFloat16}) {
      auto a = CastTensor(*dense, type, "x");
      auto b = JsonToTensor(*json, type, "x");
      ASSERT_TRUE(a.ok() && b.ok()) << body;
      EXPECT_EQ(Dump(*a), Dump(*b)) << body;
      EXPECT_EQ(a->shape(), b->shape()) << body;
    }
  }
  auto ints = ParseDenseList("[[1.7, -1.7], [3, 9007199254740992]]");
  ASSERT_TRUE(ints.has_value());
  EXPECT_EQ(Dump(*CastTensor(*ints, DataType::kInt64, "x")),
            Dump(*JsonToTensor(*ParseJson("[[1.7, -1.7], [3, 9007199254740992]]"), DataType::kInt64, "x")));
}

TEST(DenseListTest, StepsAsideForWhatItDoesNotHandle) {
  for (const char* body :
       {"", "5", "[]", "[[]]", "[[1, 2], [3]]", "[[1, 2], 3]", "[1, [2]]", "[1, true]", "[null]",
        "[\"1\"]", "[1, 2", "[1, 2]]", "[1,]", "[01]", "[.5]", "[1.]", "[-]", "[+1]", "[1e]",
        "[9007199254740993]", "[1e400]", "[NaNx]", "{\"a\": [1]}", "[1] x",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"}) {
    EXPECT_FALSE(ParseDenseList(body).has_value()) << body;
  }
}

}  // namespace
}  // namespace ads::runtime
