// Output JSON: Python's float repr and json.dumps layout of tolist() values.
#include "runtime/output_json.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "base/json.h"

namespace ads::runtime {
namespace {

using engine::DataType;
using engine::Tensor;

std::string Repr(double v) {
  std::string s;
  AppendPythonFloat(v, &s);
  return s;
}

// Values and their repr() as CPython 3.11 prints them.
TEST(OutputJsonTest, FloatsPrintAsPythonRepr) {
  EXPECT_EQ(Repr(static_cast<float>(0.1)), "0.10000000149011612");
  EXPECT_EQ(Repr(0.1), "0.1");
  EXPECT_EQ(Repr(1e16), "1e+16");
  EXPECT_EQ(Repr(1e-5), "1e-05");
  EXPECT_EQ(Repr(0.0001), "0.0001");
  EXPECT_EQ(Repr(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(Repr(1.5e300), "1.5e+300");
  EXPECT_EQ(Repr(-2.5e-310), "-2.5e-310");
  EXPECT_EQ(Repr(100.0), "100.0");
  EXPECT_EQ(Repr(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(Repr(-0.0), "-0.0");
  EXPECT_EQ(Repr(std::nan("")), "NaN");
  EXPECT_EQ(Repr(-HUGE_VAL), "-Infinity");
}

// The fast formatter must agree with base's PythonFloatRepr (itself tested
// against Python) on any double, including float32 values widened.
TEST(OutputJsonTest, AgreesWithPythonFloatReprOnRandomBits) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200000; ++i) {
    const uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, sizeof(d));
    ASSERT_EQ(Repr(d), PythonFloatRepr(d)) << bits;
    float f;
    const uint32_t fbits = static_cast<uint32_t>(bits >> 32);
    std::memcpy(&f, &fbits, sizeof(f));
    ASSERT_EQ(Repr(f), PythonFloatRepr(f)) << fbits;
  }
}

TEST(OutputJsonTest, TensorsPrintAsJsonDumpsOfTolist) {
  std::string s;
  AppendTensorJson(Tensor::FromVector<float>({2, 2}, {0.5f, 1.0f, -2.0f, 0.25f}), &s);
  EXPECT_EQ(s, "[[0.5, 1.0], [-2.0, 0.25]]");
  s.clear();
  AppendTensorJson(Tensor::FromVector<int64_t>({3}, {0, -7, 9}), &s);
  EXPECT_EQ(s, "[0, -7, 9]");
  s.clear();
  AppendTensorJson(Tensor::FromVector<bool>({2}, {true, false}), &s);
  EXPECT_EQ(s, "[true, false]");
  s.clear();
  AppendTensorJson(Tensor::FromStrings({2}, {"setosa", "caf\xc3\xa9"}), &s);
  EXPECT_EQ(s, "[\"setosa\", \"caf\\u00e9\"]");
  s.clear();
  AppendTensorJson(Tensor::Scalar<double>(2.0), &s);
  EXPECT_EQ(s, "2.0");
  s.clear();
  AppendTensorJson(Tensor(DataType::kFloat, {0, 3}), &s);
  EXPECT_EQ(s, "[]");
}

TEST(OutputJsonTest, MapsHaveSortedQuotedKeys) {
  engine::Map row{Tensor::FromVector<int64_t>({3}, {10, 2, 7}),
                  Tensor::FromVector<float>({3}, {0.5f, 0.25f, 0.125f})};
  std::string s;
  ASSERT_TRUE(AppendValueJson(engine::Value(engine::Sequence{{engine::Value(row)}}), &s).ok());
  EXPECT_EQ(s, R"([{"2": 0.25, "7": 0.125, "10": 0.5}])");
}

}  // namespace
}  // namespace ads::runtime
