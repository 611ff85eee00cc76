#include "engine/session.h"

#include <atomic>
#include <map>
#include <thread>

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "engine/kernels/kernel_util.h"
#include "engine/test_util.h"

namespace ads::engine {
namespace {

using testing::AddIntAttr;
using testing::ModelBuilder;
using testing::ToVector;

Value Floats(Shape shape, std::vector<float> v) { return Value(Tensor::FromVector<float>(shape, v)); }

// y = relu(x * w + b) with w, b initializers.
ModelBuilder AffineRelu() {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT, {-1, 2}).Output("y");
  b.Initializer("w", Tensor::FromVector<float>({2}, {2, -1}));
  b.Initializer("b", Tensor::FromVector<float>({2}, {1, 1}));
  b.Node("Mul", {"x", "w"}, {"m"});
  b.Node("Add", {"m", "b"}, {"a"});
  b.Node("Relu", {"a"}, {"y"});
  return b;
}

TEST(SessionTest, RunsAGraph) {
  auto s = AffineRelu().Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto out = (*s)->Run({{"x", Floats({2, 2}, {1, 1, -3, -5})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(ToVector<float>(out->at("y").tensor()), (std::vector<float>{3, 0, 0, 6}));
  EXPECT_EQ((*s)->planned_nodes(), 3u);
}

TEST(SessionTest, ValidatesInputs) {
  auto s = AffineRelu().Load();
  ASSERT_TRUE(s.ok());
  auto missing = (*s)->Run({});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("`x` is missing"), std::string::npos);
  auto wrong_type = (*s)->Run({{"x", Value(Tensor::FromVector<int64_t>({1, 2}, {1, 2}))}});
  ASSERT_FALSE(wrong_type.ok());
  EXPECT_NE(wrong_type.status().message().find("element type float"), std::string::npos);
  auto wrong_shape = (*s)->Run({{"x", Floats({1, 3}, {1, 2, 3})}});
  ASSERT_FALSE(wrong_shape.ok());
  EXPECT_NE(wrong_shape.status().message().find("shape"), std::string::npos);
  auto unknown = (*s)->Run({{"x", Floats({1, 2}, {1, 2})}, {"z", Floats({1}, {1})}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("no input named `z`"), std::string::npos);
}

TEST(SessionTest, UnsupportedOperatorNamesNodeDomainAndOpset) {
  ModelBuilder b(15);
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  b.Node("FancyOp", {"x"}, {"y"}, "n1");
  auto s = b.Load();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(s.status().message(), "unsupported operator ai.onnx::FancyOp (opset 15) at node `n1`");
}

TEST(SessionTest, BadAttributeFailsAtLoadNamingTheNode) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  auto* n = b.Node("Flatten", {"x"}, {"y"}, "flat");
  testing::AddStringAttr(n, "axis", "one");
  auto s = b.Load();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("`flat`"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("`axis`"), std::string::npos) << s.status().message();
}

TEST(SessionTest, RunErrorsNameTheNode) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Input("z", onnx::TensorProto::FLOAT).Output("y");
  b.Node("Add", {"x", "z"}, {"y"}, "sum");
  auto s = b.Load();
  ASSERT_TRUE(s.ok());
  auto out = (*s)->Run({{"x", Floats({2}, {1, 2})}, {"z", Floats({3}, {1, 2, 3})}});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("`sum`"), std::string::npos) << out.status().message();
  EXPECT_NE(out.status().message().find("broadcast"), std::string::npos);
}

TEST(SessionTest, FoldsInitializerOnlySubgraphs) {
  // shape(w)[0] computed from an initializer, then used to reshape x.
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  b.Initializer("w", Tensor(DataType::kFloat, {3, 2}));
  b.Initializer("idx", Tensor::Scalar<int64_t>(0));
  b.Initializer("minus1", Tensor::FromVector<int64_t>({1}, {-1}));
  b.Node("Shape", {"w"}, {"s"});
  b.Node("Gather", {"s", "idx"}, {"rows"});
  b.Node("Unsqueeze", {"rows", "axes"}, {"rows1"});
  b.Initializer("axes", Tensor::FromVector<int64_t>({1}, {0}));
  b.Node("Concat", {"rows1", "minus1"}, {"shape"});
  AddIntAttr(b.proto().mutable_graph()->mutable_node(3), "axis", 0);
  b.Node("Reshape", {"x", "shape"}, {"y"});
  auto s = b.Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->folded_nodes(), 4u);
  EXPECT_EQ((*s)->planned_nodes(), 1u);
  auto out = (*s)->Run({{"x", Floats({6}, {1, 2, 3, 4, 5, 6})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->at("y").tensor().shape(), (Shape{3, 2}));
}

TEST(SessionTest, LoadsFromEnvFile) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/models").ok());
  ASSERT_TRUE(env.WriteFile("/models/m.onnx", AffineRelu().Bytes()).ok());
  auto s = Session::Load(env, "/models/m.onnx", {.threads = 1});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ((*s)->inputs()[0].name, "x");
  EXPECT_FALSE(Session::Load(env, "/models/none.onnx").ok());
}

TEST(SessionTest, LoadsExternalInitializerBesideTheModel) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/m").ok());
  const float w[2] = {3, 4};
  ASSERT_TRUE(env.WriteFile("/m/w.bin", std::string(reinterpret_cast<const char*>(w), sizeof(w))).ok());
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  onnx::TensorProto* init = b.proto().mutable_graph()->add_initializer();
  init->set_name("w");
  init->set_data_type(onnx::TensorProto::FLOAT);
  init->add_dims(2);
  init->set_data_location(onnx::TensorProto::EXTERNAL);
  auto* loc = init->add_external_data();
  loc->set_key("location");
  loc->set_value("w.bin");
  b.Node("Mul", {"x", "w"}, {"y"});
  ASSERT_TRUE(env.WriteFile("/m/model.onnx", b.Bytes()).ok());
  auto s = Session::Load(env, "/m/model.onnx", {.threads = 1});
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto out = (*s)->Run({{"x", Floats({2}, {1, 2})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(ToVector<float>(out->at("y").tensor()), (std::vector<float>{3, 8}));
  // The same model loaded from bytes has no folder: the external data is refused.
  EXPECT_FALSE(Session::LoadFromBytes(b.Bytes()).ok());
}

TEST(SessionTest, ConcurrentRunsAreIndependent) {
  auto s = AffineRelu().Load({.threads = 2});
  ASSERT_TRUE(s.ok());
  const Session& session = **s;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const float v = static_cast<float>(t * 1000 + i);
        auto out = session.Run({{"x", Floats({1, 2}, {v, -v})}});
        if (!out.ok() ||
            ToVector<float>(out->at("y").tensor()) != std::vector<float>{2 * v + 1, v + 1}) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(SessionTest, MultiThreadedMatMulMatchesSingleThread) {
  ModelBuilder b;
  b.Input("a", onnx::TensorProto::FLOAT).Input("b", onnx::TensorProto::FLOAT).Output("c");
  b.Node("MatMul", {"a", "b"}, {"c"});
  std::vector<float> av(300 * 64), bv(64 * 32);
  for (size_t i = 0; i < av.size(); ++i) av[i] = static_cast<float>(i % 17) - 8;
  for (size_t i = 0; i < bv.size(); ++i) bv[i] = static_cast<float>(i % 5) * 0.5f;
  std::map<std::string, Value> feeds{{"a", Floats({300, 64}, av)}, {"b", Floats({64, 32}, bv)}};
  ThreadPool shared(4);
  auto one = b.Load({.threads = 1});
  auto four = b.Load({.shared_pool = &shared});
  ASSERT_TRUE(one.ok() && four.ok());
  auto r1 = (*one)->Run(feeds);
  auto r4 = (*four)->Run(feeds);
  ASSERT_TRUE(r1.ok() && r4.ok());
  EXPECT_EQ(ToVector<float>(r1->at("c").tensor()), ToVector<float>(r4->at("c").tensor()));
  // Spot-check one element against a direct sum.
  float expect = 0;
  for (int k = 0; k < 64; ++k) expect += av[5 * 64 + k] * bv[k * 32 + 7];
  EXPECT_FLOAT_EQ(r1->at("c").tensor().data<float>()[5 * 32 + 7], expect);
}

TEST(SessionTest, SubgraphsReadOuterValues) {
  // y = if (c) then x * two else -x, where both branches read the outer x.
  ModelBuilder b;
  b.Input("c", onnx::TensorProto::BOOL).Input("x", onnx::TensorProto::FLOAT).Output("y");
  b.Initializer("two", Tensor::Scalar<float>(2));
  auto* n = b.Node("If", {"c"}, {"y"}, "branch");
  auto add_branch = [&](const char* name, const char* op, std::vector<std::string> ins) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::GRAPH);
    auto* g = a->mutable_g();
    auto* node = g->add_node();
    node->set_op_type(op);
    for (auto& i : ins) node->add_input(i);
    node->add_output(std::string(name) + "_out");
    g->add_output()->set_name(std::string(name) + "_out");
  };
  add_branch("then_branch", "Mul", {"x", "two"});
  add_branch("else_branch", "Neg", {"x"});
  auto s = b.Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (bool c : {true, false}) {
    auto out = (*s)->Run({{"c", Value(Tensor::Scalar<bool>(c))}, {"x", Floats({2}, {1.5f, -3})}});
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    const std::vector<float> expected = c ? std::vector<float>{3, -6} : std::vector<float>{-1.5f, 3};
    EXPECT_EQ(ToVector<float>(out->at("y").tensor()), expected);
  }
}

TEST(KernelRegistryTest, PicksHighestSinceVersionNotAboveOpset) {
  KernelRegistry r;
  auto returning = [](float v) {
    return kernels::Stateless([v](KernelContext& ctx) {
      ctx.set_output(0, Value(Tensor::Scalar<float>(v)));
      return OkStatus();
    });
  };
  r.Register({"ai.onnx", "Op", 1}, returning(1));
  r.Register({"ai.onnx", "Op", 7}, returning(7));
  r.Register({"ai.onnx", "Op", 13}, returning(13));
  for (auto [opset, expect] : std::vector<std::pair<int, float>>{{6, 1}, {7, 7}, {12, 7}, {17, 13}}) {
    ModelBuilder b(opset);
    b.Output("y");
    b.Node("Op", {}, {"y"});
    auto s = b.Load({.threads = 1, .constant_folding = false, .registry = &r});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto out = (*s)->Run({});
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->at("y").tensor().data<float>()[0], expect) << "opset " << opset;
  }
  EXPECT_FALSE(r.Supports("ai.onnx", "Op", 0));
  EXPECT_TRUE(r.Supports("", "Op", 3));
}

TEST(KernelRegistryTest, FastKernelCanDeclineToReference) {
  KernelRegistry r;
  r.Register({"ai.onnx", "Op", 1}, kernels::Stateless([](KernelContext& ctx) {
               ctx.set_output(0, Value(Tensor::Scalar<float>(1)));
               return OkStatus();
             }));
  r.Register({"ai.onnx", "Op", 1},
             [](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
               if (!info.HasAttribute("fast")) return UnimplementedError("not for this node");
               return kernels::MakeKernel([](KernelContext& ctx) {
                 ctx.set_output(0, Value(Tensor::Scalar<float>(2)));
                 return OkStatus();
               });
             },
             /*priority=*/10, "fast");
  for (bool fast : {false, true}) {
    ModelBuilder b;
    b.Output("y");
    auto* n = b.Node("Op", {}, {"y"});
    if (fast) AddIntAttr(n, "fast", 1);
    auto s = b.Load({.threads = 1, .constant_folding = false, .registry = &r});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    auto out = (*s)->Run({});
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(out->at("y").tensor().data<float>()[0], fast ? 2.0f : 1.0f);
  }
}

TEST(ThreadPoolTest, CoversRangeExactlyOnce) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(1000);
  pool.ParallelFor(1000, 7, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) ++hits[i];
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

}  // namespace
}  // namespace ads::engine
