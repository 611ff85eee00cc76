// The execution plan's buffer reuse (per-run arenas, arena.h) and the fusion
// pass (GraphExecutor::Fuse): buffers are reused, runs stay independent,
// fused results equal unfused ones, and fusion stays away from values that
// others still need.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "engine/kernels/register.h"
#include "engine/session.h"
#include "engine/test_util.h"

namespace ads::engine {
namespace {

using testing::AddIntAttr;
using testing::AddIntsAttr;
using testing::AddStringAttr;
using testing::ModelBuilder;

std::vector<float> Random(int64_t count, std::mt19937& rng) {
  std::vector<float> v(static_cast<size_t>(count));
  for (float& x : v) x = std::uniform_real_distribution<float>(-1, 1)(rng);
  return v;
}

bool SameBits(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.byte_size()) == 0;
}

Tensor RunOne(const Session& s, const std::string& input, const Tensor& x,
              const std::string& output = "y") {
  auto out = s.Run({{input, Value(x)}});
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  if (!out.ok()) return Tensor();
  return out->at(output).tensor();
}

// x [-1, 64] -> Gemm(64x32)+Relu -> Gemm(32x16)+Relu -> Gemm(16x4) -> y.
ModelBuilder Mlp(std::mt19937& rng) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {-1, 64}).Output("y");
  const int64_t dims[] = {64, 32, 16, 4};
  std::string in = "x";
  for (int l = 0; l < 3; ++l) {
    const std::string w = "w" + std::to_string(l), c = "c" + std::to_string(l);
    b.Initializer(
        w, Tensor::FromVector<float>({dims[l + 1], dims[l]}, Random(dims[l] * dims[l + 1], rng)));
    b.Initializer(c, Tensor::FromVector<float>({dims[l + 1]}, Random(dims[l + 1], rng)));
    const std::string g = l == 2 ? "y" : "g" + std::to_string(l);
    AddIntAttr(b.Node("Gemm", {in, w, c}, {g}), "transB", 1);
    if (l < 2) {
      in = "r" + std::to_string(l);
      b.Node("Relu", {g}, {in});
    }
  }
  return b;
}

TEST(PlannerTest, ChainOfSameSizeOpsNeedsTwoBuffers) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {-1, 256}).Output("y");
  const int kOps = 8;
  for (int i = 0; i < kOps; ++i) {
    b.Node("Neg", {i == 0 ? "x" : "v" + std::to_string(i - 1)},
           {i == kOps - 1 ? "y" : "v" + std::to_string(i)});
  }
  auto s = b.Load({.threads = 1});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  std::mt19937 rng(1);
  const Tensor x = Tensor::FromVector<float>({100, 256}, Random(100 * 256, rng));
  const size_t one = 100 * 256 * sizeof(float);
  const Tensor first = RunOne(**s, "x", x);
  auto idle = (*s)->executor().arenas()->Idle();
  ASSERT_EQ(idle.size(), 1u);
  const Arena::Stats after_first = idle[0]->stats();
  // Seven intermediates, never more than two alive: two buffers, not seven.
  EXPECT_EQ(after_first.peak_in_use, 2 * one);
  EXPECT_EQ(after_first.reserved, 2 * one);
  EXPECT_EQ(after_first.in_use, 0u);
  for (int r = 0; r < 5; ++r) EXPECT_TRUE(SameBits(RunOne(**s, "x", x), first));
  // Steady state: no heap allocations for intermediates.
  EXPECT_EQ(idle[0]->stats().heap_allocations, after_first.heap_allocations);
  // The graph output is the caller's, not the arena's.
  EXPECT_FALSE(first.from_allocator());
  for (int64_t i = 0; i < x.size(); ++i) ASSERT_EQ(first.data<float>()[i], x.data<float>()[i]);
}

TEST(PlannerTest, OutputViewOfAnIntermediateIsCopiedOut) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {2, 3}).Output("y");
  b.Initializer("shape", Tensor::FromVector<int64_t>({1}, {6}));
  b.Node("Neg", {"x"}, {"n"});
  b.Node("Reshape", {"n", "shape"}, {"y"});
  auto s = b.Load({.threads = 1});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const Tensor x = Tensor::FromVector<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor y1 = RunOne(**s, "x", x);
  EXPECT_FALSE(y1.from_allocator());
  const Tensor y2 = RunOne(**s, "x", Tensor::FromVector<float>({2, 3}, {9, 9, 9, 9, 9, 9}));
  EXPECT_EQ(y1.data<float>()[5], -6.0f);  // not overwritten by the second run
  EXPECT_EQ(y2.data<float>()[5], -9.0f);
}

TEST(PlannerTest, ConcurrentRunsMatchSerialRuns) {
  std::mt19937 rng(2);
  ModelBuilder b = Mlp(rng);
  auto s = b.Load({.threads = 2});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const int kThreads = 4, kRuns = 30;
  std::vector<Tensor> inputs, expected;
  for (int i = 0; i < kThreads * kRuns; ++i) {
    const int64_t rows = 1 + i % 37;
    inputs.push_back(Tensor::FromVector<float>({rows, 64}, Random(rows * 64, rng)));
    expected.push_back(RunOne(**s, "x", inputs.back()));
  }
  std::vector<std::thread> threads;
  std::vector<int> mismatches(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRuns; ++r) {
        const int i = t * kRuns + r;
        auto out = (*s)->Run({{"x", Value(inputs[i])}});
        if (!out.ok() || !SameBits(out->at("y").tensor(), expected[i])) ++mismatches[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  EXPECT_LE((*s)->executor().arenas()->Idle().size(), static_cast<size_t>(kThreads + 1));
}

TEST(PlannerTest, DynamicBatchSizesReplanAndStayBounded) {
  std::mt19937 rng(3);
  ModelBuilder b = Mlp(rng);
  auto with = b.Load({.threads = 1});
  auto without = b.Load({.threads = 1, .arena = false, .fusion = false});
  ASSERT_TRUE(with.ok() && without.ok());
  size_t reserved_small = 0;
  for (int64_t rows : {3, 500, 7, 500, 1, 64, 2}) {
    const Tensor x = Tensor::FromVector<float>({rows, 64}, Random(rows * 64, rng));
    const Tensor a = RunOne(**with, "x", x), c = RunOne(**without, "x", x);
    ASSERT_EQ(a.shape(), c.shape());
    for (int64_t i = 0; i < a.size(); ++i) {
      ASSERT_NEAR(a.data<float>()[i], c.data<float>()[i], 1e-4) << rows;
    }
    reserved_small = (*with)->executor().arenas()->Idle()[0]->stats().reserved;
  }
  // After two small runs the buffers of the 500-row runs are gone.
  EXPECT_LT(reserved_small, size_t{500} * 32 * sizeof(float));
}

TEST(FusionTest, GemmReluIsFusedAndMatchesUnfused) {
  std::mt19937 rng(4);
  ModelBuilder b = Mlp(rng);
  auto fused = b.Load({.threads = 1});
  auto plain = b.Load({.threads = 1, .fusion = false});
  ASSERT_TRUE(fused.ok() && plain.ok());
  EXPECT_EQ((*fused)->executor().fused_nodes(), 2u);
  EXPECT_EQ((*fused)->planned_nodes(), 3u);
  EXPECT_EQ((*plain)->planned_nodes(), 5u);
  for (int64_t rows : {1, 5, 100}) {
    const Tensor x = Tensor::FromVector<float>({rows, 64}, Random(rows * 64, rng));
    EXPECT_TRUE(SameBits(RunOne(**fused, "x", x), RunOne(**plain, "x", x))) << rows;
  }
}

TEST(FusionTest, MatMulAddReluIsFusedAndMatchesUnfused) {
  std::mt19937 rng(5);
  for (bool bias_first : {false, true}) {
    ModelBuilder b;
    b.Input("x", onnx::TensorProto::FLOAT, {-1, -1, 24}).Output("y");
    b.Initializer("w", Tensor::FromVector<float>({24, 20}, Random(24 * 20, rng)));
    b.Initializer("c", Tensor::FromVector<float>({20}, Random(20, rng)));
    b.Node("MatMul", {"x", "w"}, {"m"});
    b.Node("Add",
           bias_first ? std::vector<std::string>{"c", "m"} : std::vector<std::string>{"m", "c"},
           {"a"});
    b.Node("Relu", {"a"}, {"y"});
    auto fused = b.Load({.threads = 1});
    auto plain = b.Load({.threads = 1, .fusion = false});
    ASSERT_TRUE(fused.ok() && plain.ok());
    EXPECT_EQ((*fused)->executor().planned_ops(), std::vector<std::string>{"MatMul"});
    const Tensor x = Tensor::FromVector<float>({2, 9, 24}, Random(2 * 9 * 24, rng));
    EXPECT_TRUE(SameBits(RunOne(**fused, "x", x), RunOne(**plain, "x", x)));
  }
}

TEST(FusionTest, ConvReluIsFusedAndMatchesUnfused) {
  std::mt19937 rng(6);
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {-1, 3, 10, 9}).Output("y");
  b.Initializer("w", Tensor::FromVector<float>({8, 3, 3, 3}, Random(8 * 27, rng)));
  b.Initializer("c", Tensor::FromVector<float>({8}, Random(8, rng)));
  auto* conv = b.Node("Conv", {"x", "w", "c"}, {"v"});
  AddIntsAttr(conv, "kernel_shape", {3, 3});
  AddIntsAttr(conv, "pads", {1, 0, 1, 2});
  b.Node("Relu", {"v"}, {"y"});
  auto fused = b.Load({.threads = 2});
  auto plain = b.Load({.threads = 2, .fusion = false});
  ASSERT_TRUE(fused.ok() && plain.ok());
  EXPECT_EQ((*fused)->executor().planned_ops(), std::vector<std::string>{"Conv"});
  const Tensor x = Tensor::FromVector<float>({3, 3, 10, 9}, Random(3 * 270, rng));
  EXPECT_TRUE(SameBits(RunOne(**fused, "x", x), RunOne(**plain, "x", x)));
}

TEST(FusionTest, NotFusedWhenTheIntermediateIsNeededElsewhere) {
  std::mt19937 rng(7);
  // "g" is also a graph output.
  ModelBuilder out;
  out.Input("x", onnx::TensorProto::FLOAT, {-1, 8}).Output("y").Output("g");
  out.Initializer("w", Tensor::FromVector<float>({8, 4}, Random(32, rng)));
  out.Node("Gemm", {"x", "w"}, {"g"});
  out.Node("Relu", {"g"}, {"y"});
  // "g" has a second reader.
  ModelBuilder two;
  two.Input("x", onnx::TensorProto::FLOAT, {-1, 8}).Output("y").Output("z");
  two.Initializer("w", Tensor::FromVector<float>({8, 4}, Random(32, rng)));
  two.Node("Gemm", {"x", "w"}, {"g"});
  two.Node("Relu", {"g"}, {"y"});
  two.Node("Neg", {"g"}, {"z"});
  for (ModelBuilder* b : {&out, &two}) {
    auto s = b->Load({.threads = 1});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ((*s)->executor().fused_nodes(), 0u);
    const Tensor x = Tensor::FromVector<float>({5, 8}, Random(40, rng));
    auto r = (*s)->Run({{"x", Value(x)}});
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    const Tensor& y = r->at("y").tensor();
    for (int64_t i = 0; i < y.size(); ++i) EXPECT_GE(y.data<float>()[i], 0.0f);
  }
  // A MatMul + Add whose bias is not constant stays apart too.
  ModelBuilder var;
  var.Input("x", onnx::TensorProto::FLOAT, {-1, 8}).Input("c", onnx::TensorProto::FLOAT, {4});
  var.Output("y");
  var.Initializer("w", Tensor::FromVector<float>({8, 4}, Random(32, rng)));
  var.Node("MatMul", {"x", "w"}, {"m"});
  var.Node("Add", {"m", "c"}, {"y"});
  auto s = var.Load({.threads = 1});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->executor().fused_nodes(), 0u);
}

// x [-1, c, h, w] -> Conv (m filters of kh x kw, bias) [-> Relu] -> MaxPool -> y,
// the pool's attributes set by `pool_attrs`.
struct ConvPool {
  int64_t c, h, w, m, kh, kw;
  std::vector<int64_t> strides, pads;
  bool relu = true;
};

ModelBuilder ConvPoolModel(const ConvPool& cp, std::mt19937& rng,
                           const std::function<void(onnx::NodeProto*)>& pool_attrs,
                           bool any_input_shape = false) {
  ModelBuilder b;
  if (any_input_shape)
    b.Input("x", onnx::TensorProto::FLOAT);
  else
    b.Input("x", onnx::TensorProto::FLOAT, {-1, cp.c, cp.h, cp.w});
  b.Output("y");
  b.Initializer("w", Tensor::FromVector<float>({cp.m, cp.c, cp.kh, cp.kw},
                                               Random(cp.m * cp.c * cp.kh * cp.kw, rng)));
  b.Initializer("c", Tensor::FromVector<float>({cp.m}, Random(cp.m, rng)));
  auto* conv = b.Node("Conv", {"x", "w", "c"}, {"v"});
  AddIntsAttr(conv, "kernel_shape", {cp.kh, cp.kw});
  if (!cp.strides.empty()) AddIntsAttr(conv, "strides", cp.strides);
  if (!cp.pads.empty()) AddIntsAttr(conv, "pads", cp.pads);
  if (cp.relu) b.Node("Relu", {"v"}, {"r"});
  pool_attrs(b.Node("MaxPool", {cp.relu ? "r" : "v"}, {"y"}));
  return b;
}

void TwoByTwo(onnx::NodeProto* pool) {
  AddIntsAttr(pool, "kernel_shape", {2, 2});
  AddIntsAttr(pool, "strides", {2, 2});
}

// Equal within float rounding of k-term sums of products in [-1, 1); NaN
// where the other has NaN.
void ExpectClose(const Tensor& ref, const Tensor& got, int64_t k, const std::string& what) {
  ASSERT_EQ(ref.shape(), got.shape()) << what;
  for (int64_t i = 0; i < ref.size(); ++i) {
    const float r = ref.data<float>()[i], g = got.data<float>()[i];
    if (r == g) continue;  // also infinities
    if (std::isnan(r) || std::isnan(g)) {
      EXPECT_EQ(std::isnan(r), std::isnan(g)) << what << " [" << i << "]";
      continue;
    }
    ASSERT_NEAR(r, g, (k + 2) * (k + 2) * std::ldexp(1.0, -23)) << what << " [" << i << "]";
  }
}

TEST(FusionTest, ConvReluMaxPoolIsFusedAndMatchesUnfused) {
  std::mt19937 rng(8);
  const std::vector<ConvPool> cases = {
      {1, 28, 28, 16, 3, 3, {}, {}},               // the bench CNN's first layer
      {16, 13, 13, 32, 3, 3, {}, {}},              // its second: 11x11 pools to 5x5
      {32, 24, 25, 40, 3, 3, {}, {}},              // one image splits its channels
      {3, 10, 9, 8, 3, 3, {}, {1, 0, 1, 2}},       // pads, odd sizes
      {2, 9, 12, 5, 2, 3, {2, 1}, {}},             // stride 2: the im2col path
      {2, 7, 8, 6, 3, 3, {}, {}, /*relu=*/false},  // Conv + MaxPool only
      {4, 6, 5, 3, 1, 1, {}, {0, 0, 1, 0}, false},
  };
  for (const ConvPool& cp : cases) {
    const ModelBuilder b = ConvPoolModel(cp, rng, TwoByTwo);
    for (int threads : {1, 2}) {
      auto fused = b.Load({.threads = threads});
      auto plain = b.Load({.threads = threads, .fusion = false});
      auto ref = b.Load({.threads = threads, .registry = &ReferenceKernelRegistry()});
      ASSERT_TRUE(fused.ok() && plain.ok() && ref.ok());
      EXPECT_EQ((*fused)->executor().planned_ops(), std::vector<std::string>{"Conv"});
      EXPECT_EQ((*fused)->executor().fused_nodes(), cp.relu ? 2u : 1u);
      for (int64_t n : {1, 3}) {
        std::vector<float> xs = Random(n * cp.c * cp.h * cp.w, rng);
        if (!cp.relu) {
          for (size_t i = 0; i < xs.size(); i += 53) xs[i] = std::nanf("");
        }
        const Tensor x = Tensor::FromVector<float>({n, cp.c, cp.h, cp.w}, xs);
        const std::string what = "c=" + std::to_string(cp.c) + " m=" + std::to_string(cp.m) +
                                 " n=" + std::to_string(n) + " threads=" + std::to_string(threads);
        const Tensor y = RunOne(**fused, "x", x);
        EXPECT_TRUE(SameBits(y, RunOne(**plain, "x", x))) << what;
        ExpectClose(RunOne(**ref, "x", x), y, cp.c * cp.kh * cp.kw, what);
      }
    }
  }
}

TEST(FusionTest, ConvIsNotFusedWithOtherPoolsOrSharedResults) {
  std::mt19937 rng(9);
  const ConvPool cp = {3, 12, 11, 4, 3, 3, {}, {}};
  auto pool_with = [](std::vector<int64_t> kernel, std::vector<int64_t> strides,
                      std::vector<int64_t> pads, int64_t ceil_mode) {
    return [=](onnx::NodeProto* pool) {
      AddIntsAttr(pool, "kernel_shape", kernel);
      AddIntsAttr(pool, "strides", strides);
      if (!pads.empty()) AddIntsAttr(pool, "pads", pads);
      if (ceil_mode) AddIntAttr(pool, "ceil_mode", ceil_mode);
    };
  };
  std::vector<ModelBuilder> models = {
      ConvPoolModel(cp, rng, pool_with({3, 3}, {2, 2}, {}, 0)),
      ConvPoolModel(cp, rng, pool_with({2, 2}, {1, 1}, {}, 0)),
      ConvPoolModel(cp, rng, pool_with({2, 2}, {2, 2}, {0, 0, 1, 1}, 0)),
      ConvPoolModel(cp, rng, pool_with({2, 2}, {2, 2}, {}, 1)),
      ConvPoolModel(cp, rng,
                    [](onnx::NodeProto* pool) {
                      AddIntsAttr(pool, "kernel_shape", {2, 2});
                      AddStringAttr(pool, "auto_pad", "SAME_UPPER");
                      AddIntsAttr(pool, "strides", {2, 2});
                    }),
  };
  // The Relu's result is also a graph output; or has a second reader.
  models.push_back(ConvPoolModel(cp, rng, TwoByTwo));
  models.back().Output("r");
  models.push_back(ConvPoolModel(cp, rng, TwoByTwo));
  models.back().Output("z").Node("Neg", {"r"}, {"z"});
  for (size_t i = 0; i < models.size(); ++i) {
    auto fused = models[i].Load({.threads = 1});
    auto plain = models[i].Load({.threads = 1, .fusion = false});
    ASSERT_TRUE(fused.ok() && plain.ok()) << i;
    const std::vector<std::string> ops = (*fused)->executor().planned_ops();
    EXPECT_EQ(std::count(ops.begin(), ops.end(), "MaxPool"), 1) << i;
    EXPECT_EQ((*fused)->executor().fused_nodes(), 1u) << i;  // the Relu only
    const Tensor x = Tensor::FromVector<float>({2, cp.c, cp.h, cp.w}, Random(2 * 396, rng));
    EXPECT_TRUE(SameBits(RunOne(**fused, "x", x), RunOne(**plain, "x", x))) << i;
  }
}

TEST(FusionTest, FusedConvPoolReportsTheUnfusedErrors) {
  std::mt19937 rng(10);
  const ModelBuilder b = ConvPoolModel({2, 8, 8, 3, 3, 3, {}, {}}, rng, TwoByTwo, true);
  auto fused = b.Load({.threads = 1});
  ASSERT_TRUE(fused.ok());
  ASSERT_EQ((*fused)->executor().planned_ops(), std::vector<std::string>{"Conv"});
  // Conv's 1x1 result is smaller than the pool's window; three channels where
  // W wants two.
  EXPECT_FALSE((*fused)->Run({{"x", Value(Tensor(DataType::kFloat, {1, 2, 3, 3}))}}).ok());
  EXPECT_FALSE((*fused)->Run({{"x", Value(Tensor(DataType::kFloat, {1, 3, 8, 8}))}}).ok());
  // A 2x3 result pools to 1x1.
  auto ok = (*fused)->Run({{"x", Value(Tensor(DataType::kFloat, {1, 2, 4, 5}))}});
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->at("y").tensor().shape(), (Shape{1, 3, 1, 1}));
}

}  // namespace
}  // namespace ads::engine
