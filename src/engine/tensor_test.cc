#include "engine/tensor.h"

#include <bit>
#include <cstdint>
#include <memory>

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "base/env.h"
#include "engine/arena.h"
#include "engine/tensor_proto.h"
#include "engine/test_util.h"

namespace ads::engine {
namespace {

using testing::ToVector;

TEST(TensorTest, AllocatesZeroedAlignedStorage) {
  Tensor t(DataType::kFloat, {3, 5});
  EXPECT_EQ(t.size(), 15);
  EXPECT_EQ(t.byte_size(), 60u);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u);
  for (float v : t.span<float>()) EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(t.TypeAndShape(), "float[3,5]");
}

// Buffers of up to 64 bytes live inside the tensor's storage: aligned,
// zeroed when asked, never taken from an allocator, independent per tensor.
TEST(TensorTest, SmallBuffersAreInlineAlignedAndIndependent) {
  auto arena = std::make_shared<Arena>();
  for (int64_t n : {1, 3, 16}) {
    const Tensor z(DataType::kFloat, {n});
    EXPECT_EQ(reinterpret_cast<uintptr_t>(z.raw_data()) % 64, 0u) << n;
    for (int64_t i = 0; i < n; ++i) EXPECT_EQ(z.data<float>()[i], 0.0f);
    auto u = Tensor::MakeUninitialized(DataType::kFloat, {n}, arena);
    ASSERT_TRUE(u.ok());
    EXPECT_FALSE(u->from_allocator()) << n;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(u->raw_data()) % 64, 0u) << n;
    for (int64_t i = 0; i < n; ++i) u->mutable_data<float>()[i] = static_cast<float>(i + 1);
    const Tensor c = u->Clone();
    u->mutable_data<float>()[0] = -1;
    EXPECT_EQ(c.data<float>()[0], 1.0f);
    EXPECT_FALSE(c.SharesBufferWith(*u));
  }
  EXPECT_EQ(arena->stats().heap_allocations, 0u);
  // From 65 bytes on, the allocator serves the buffer.
  auto big = Tensor::MakeUninitialized(DataType::kFloat, {17}, arena);
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->from_allocator());
  EXPECT_EQ(arena->stats().heap_allocations, 1u);
}

TEST(TensorTest, ScalarHasOneElement) {
  Tensor s = Tensor::Scalar<int64_t>(42);
  EXPECT_EQ(s.rank(), 0u);
  EXPECT_EQ(s.size(), 1);
  EXPECT_EQ(s.data<int64_t>()[0], 42);
}

TEST(TensorTest, MakeRejectsNegativeDims) {
  auto t = Tensor::Make(DataType::kFloat, {2, -1});
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("[2,-1]"), std::string::npos);
}

TEST(TensorTest, ReshapeSharesBufferAndChecksCount) {
  Tensor t = Tensor::FromVector<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6});
  auto r = t.Reshaped({3, 2});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->SharesBufferWith(t));
  EXPECT_EQ(r->shape(), (Shape{3, 2}));
  EXPECT_FALSE(t.Reshaped({4, 2}).ok());
  Tensor c = t.Clone();
  EXPECT_FALSE(c.SharesBufferWith(t));
  EXPECT_EQ(ToVector<int32_t>(c), ToVector<int32_t>(t));
}

TEST(TensorTest, StringTensorsHoldStrings) {
  Tensor t = Tensor::FromStrings({2}, {"a", "bc"});
  EXPECT_TRUE(t.is_string());
  EXPECT_EQ(t.data<std::string>()[1], "bc");
  EXPECT_EQ(t.ElementToString(0), "\"a\"");
}

// Reference bit patterns from numpy: np.float16(x).view(np.uint16).
TEST(TensorTest, HalfConversionsMatchNumpy) {
  EXPECT_EQ(FloatToHalf(1.0f), 0x3C00);
  EXPECT_EQ(FloatToHalf(0.1f), 0x2E66);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7BFF);
  EXPECT_EQ(FloatToHalf(1e6f), 0x7C00);       // overflow to inf
  EXPECT_EQ(FloatToHalf(1e-7f), 0x0002);      // subnormal
  EXPECT_EQ(FloatToHalf(-2.5f), 0xC100);
  EXPECT_FLOAT_EQ(HalfToFloat(0x3555), 0.33325195f);
  EXPECT_FLOAT_EQ(HalfToFloat(0x0001), 5.9604645e-08f);
  EXPECT_EQ(FloatToBFloat16(1.0f), 0x3F80);
  // 0x3F80C000 lies past the midpoint between bfloat16 0x3F80 and 0x3F81.
  const float above_half = std::bit_cast<float>(uint32_t{0x3F80C000});
  EXPECT_EQ(FloatToBFloat16(above_half), 0x3F81);
  EXPECT_EQ(FloatToBFloat16Truncated(above_half), 0x3F80);
  EXPECT_EQ(FloatToBFloat16Truncated(-above_half), 0xBF80);
  const float low_nan = std::bit_cast<float>(uint32_t{0x7F800001});
  EXPECT_EQ(FloatToBFloat16Truncated(low_nan) & 0x7FC0, 0x7FC0);  // still a NaN
  EXPECT_FLOAT_EQ(BFloat16ToFloat(0x4049), 3.140625f);
}

TEST(TensorProtoTest, ReadsRawData) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(2);
  const float v[2] = {1.5f, -2.0f};
  p.set_raw_data(std::string(reinterpret_cast<const char*>(v), sizeof(v)));
  auto t = TensorFromProto(p);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(ToVector<float>(*t), (std::vector<float>{1.5f, -2.0f}));
}

TEST(TensorProtoTest, ReadsEveryTypedField) {
  onnx::TensorProto p;
  p.set_data_type(onnx::TensorProto::INT8);
  p.add_dims(3);
  p.add_int32_data(-1);
  p.add_int32_data(7);
  p.add_int32_data(127);
  auto i8 = TensorFromProto(p);
  ASSERT_TRUE(i8.ok());
  EXPECT_EQ(ToVector<int8_t>(*i8), (std::vector<int8_t>{-1, 7, 127}));

  onnx::TensorProto b;
  b.set_data_type(onnx::TensorProto::BOOL);
  b.add_dims(2);
  b.add_int32_data(1);
  b.add_int32_data(0);
  auto bt = TensorFromProto(b);
  ASSERT_TRUE(bt.ok());
  EXPECT_EQ(ToVector<bool>(*bt), (std::vector<bool>{true, false}));

  onnx::TensorProto h;
  h.set_data_type(onnx::TensorProto::FLOAT16);
  h.add_int32_data(0x3C00);  // scalar 1.0
  auto ht = TensorFromProto(h);
  ASSERT_TRUE(ht.ok());
  EXPECT_EQ(HalfToFloat(ht->data<uint16_t>()[0]), 1.0f);

  onnx::TensorProto u;
  u.set_data_type(onnx::TensorProto::UINT32);
  u.add_dims(1);
  u.add_uint64_data(4000000000u);
  auto ut = TensorFromProto(u);
  ASSERT_TRUE(ut.ok());
  EXPECT_EQ(ut->data<uint32_t>()[0], 4000000000u);

  onnx::TensorProto d;
  d.set_data_type(onnx::TensorProto::DOUBLE);
  d.add_dims(1);
  d.add_double_data(0.1);
  auto dt = TensorFromProto(d);
  ASSERT_TRUE(dt.ok());
  EXPECT_EQ(dt->data<double>()[0], 0.1);

  onnx::TensorProto s;
  s.set_data_type(onnx::TensorProto::STRING);
  s.add_dims(2);
  s.add_string_data("x");
  s.add_string_data("yz");
  auto st = TensorFromProto(s);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->data<std::string>()[1], "yz");
}

TEST(TensorProtoTest, RejectsWrongCountsAndTypes) {
  onnx::TensorProto p;
  p.set_name("w");
  p.set_data_type(onnx::TensorProto::INT64);
  p.add_dims(3);
  p.add_int64_data(1);
  auto t = TensorFromProto(p);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("`w`"), std::string::npos) << t.status().message();

  p.clear_int64_data();
  p.set_raw_data(std::string(5, '\0'));
  EXPECT_FALSE(TensorFromProto(p).ok());

  onnx::TensorProto c;
  c.set_data_type(onnx::TensorProto::COMPLEX64);
  auto ct = TensorFromProto(c);
  ASSERT_FALSE(ct.ok());
  EXPECT_EQ(ct.status().code(), StatusCode::kUnimplemented);
}

TEST(TensorProtoTest, RoundTripsThroughProto) {
  Tensor t = Tensor::FromVector<int64_t>({2, 2}, {1, -2, 3, -4});
  onnx::TensorProto p;
  TensorToProto(t, &p);
  auto back = TensorFromProto(p);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->shape(), t.shape());
  EXPECT_EQ(ToVector<int64_t>(*back), ToVector<int64_t>(t));
}

onnx::TensorProto ExternalProto(const std::string& location, int64_t offset, int64_t length) {
  onnx::TensorProto p;
  p.set_name("w");
  p.set_data_type(onnx::TensorProto::FLOAT);
  p.add_dims(2);
  p.set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const std::string& k, const std::string& v) {
    auto* e = p.add_external_data();
    e->set_key(k);
    e->set_value(v);
  };
  add("location", location);
  add("offset", std::to_string(offset));
  add("length", std::to_string(length));
  return p;
}

TEST(TensorProtoTest, ReadsExternalDataInsideModelFolder) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/m/data").ok());
  const float v[3] = {9.0f, 1.25f, -3.5f};
  std::string bytes(reinterpret_cast<const char*>(v), sizeof(v));
  ASSERT_TRUE(env.WriteFile("/m/data/weights.bin", bytes).ok());
  auto t = TensorFromProto(ExternalProto("data/weights.bin", 4, 8), {&env, "/m"});
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(ToVector<float>(*t), (std::vector<float>{1.25f, -3.5f}));
  EXPECT_FALSE(TensorFromProto(ExternalProto("data/weights.bin", 8, 8), {&env, "/m"}).ok());
}

TEST(TensorProtoTest, RejectsExternalDataOutsideModelFolder) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/m").ok());
  ASSERT_TRUE(env.WriteFile("/secret.bin", std::string(8, 'x')).ok());
  env.AddSymlink("/m/link.bin", "/secret.bin");
  for (const char* loc : {"../secret.bin", "/secret.bin", "a/../../secret.bin", "link.bin"}) {
    auto t = TensorFromProto(ExternalProto(loc, 0, 8), {&env, "/m"});
    ASSERT_FALSE(t.ok()) << loc;
    EXPECT_NE(t.status().message().find("external data"), std::string::npos) << t.status().message();
  }
  EXPECT_FALSE(TensorFromProto(ExternalProto("w.bin", 0, 8)).ok());  // no folder known
}

TEST(TensorTest, ByteLimitRefusesLargeTensorsWithTheirShape) {
  const int64_t saved = TensorByteLimit();
  SetTensorByteLimit(1024);
  EXPECT_TRUE(Tensor::Make(DataType::kFloat, {16, 16}).ok());  // exactly 1024 bytes
  Result<Tensor> big = Tensor::Make(DataType::kFloat, {16, 17});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().code(), StatusCode::kOutOfRange);
  EXPECT_NE(big.status().message().find("[16,17]"), std::string::npos) << big.status().message();
  EXPECT_FALSE(CheckTensorSize(DataType::kDouble, {200}).ok());
  EXPECT_FALSE(CheckTensorSize(DataType::kString, {1000}).ok());
  SetTensorByteLimit(saved);
  EXPECT_TRUE(Tensor::Make(DataType::kFloat, {16, 17}).ok());
}

}  // namespace
}  // namespace ads::engine
