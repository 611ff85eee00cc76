#include "engine/shape_inference.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "engine/session.h"
#include "engine/test_util.h"

namespace ads::engine {
namespace {

using testing::AddIntAttr;
using testing::AddIntsAttr;
using testing::AddFloatsAttr;
using testing::AddStringAttr;
using testing::AddStringsAttr;
using testing::ModelBuilder;

constexpr int kFloat = onnx::TensorProto::FLOAT;
constexpr int kInt64 = onnx::TensorProto::INT64;

Tensor Zeros(Shape shape) { return Tensor(DataType::kFloat, std::move(shape)); }

Result<InferredTypes> Infer(const ModelBuilder& b) {
  ADS_ASSIGN_OR_RETURN(Model m, ParseModel(b.Bytes()));
  return InferTypes(m.graph);
}

std::string TypeOf(const InferredTypes& types, const std::string& name) {
  const ValueType* t = types.Find(name);
  return t ? TypeShapeString(*t) : "(none)";
}

// Loads through Session (what a server does) and returns the load error.
std::string LoadError(const ModelBuilder& b) {
  auto s = b.Load();
  return s.ok() ? std::string("(loaded)") : s.status().message();
}

TEST(ShapeInferenceTest, MlpGetsStaticFeatureDims) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 4}).Output("probs").Output("label", kInt64);
  b.Initializer("w1", Zeros({8, 4}));
  b.Initializer("b1", Zeros({8}));
  b.Initializer("w2", Zeros({8, 3}));
  b.Initializer("b2", Zeros({3}));
  AddIntAttr(b.Node("Gemm", {"x", "w1", "b1"}, {"h"}, "fc1"), "transB", 1);
  b.Node("Relu", {"h"}, {"r"});
  b.Node("MatMul", {"r", "w2"}, {"m"});
  b.Node("Add", {"m", "b2"}, {"logits"});
  b.Node("Softmax", {"logits"}, {"probs"});
  AddIntAttr(b.Node("ArgMax", {"probs"}, {"label"}), "axis", 1);
  auto types = Infer(b);
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  EXPECT_EQ(TypeOf(*types, "h"), "tensor(float)[?,8]");
  EXPECT_EQ(TypeOf(*types, "r"), "tensor(float)[?,8]");
  EXPECT_EQ(TypeOf(*types, "logits"), "tensor(float)[?,3]");
  EXPECT_EQ(TypeOf(*types, "probs"), "tensor(float)[?,3]");
  EXPECT_EQ(TypeOf(*types, "label"), "tensor(int64)[?,1]");
  EXPECT_EQ(TypeOf(*types, "w1"), "tensor(float)[8,4]");
  EXPECT_TRUE(types->ops_without_rule.empty());
  EXPECT_EQ(types->inferred_nodes, 6u);
}

TEST(ShapeInferenceTest, CnnConvPoolFlattenGemm) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 1, 28, 28}).Output("y");
  b.Initializer("w", Zeros({16, 1, 3, 3}));
  b.Initializer("wb", Zeros({16}));
  b.Initializer("fc", Zeros({16 * 14 * 14, 10}));
  AddIntsAttr(b.Node("Conv", {"x", "w", "wb"}, {"c"}), "pads", {1, 1, 1, 1});
  b.Node("Relu", {"c"}, {"r"});
  auto* pool = b.Node("MaxPool", {"r"}, {"p"});
  AddIntsAttr(pool, "kernel_shape", {2, 2});
  AddIntsAttr(pool, "strides", {2, 2});
  b.Node("Flatten", {"p"}, {"f"});
  b.Node("Gemm", {"f", "fc"}, {"y"});
  b.Node("GlobalAveragePool", {"r"}, {"g"});
  auto* valid = b.Node("AveragePool", {"x"}, {"a"});
  AddIntsAttr(valid, "kernel_shape", {5, 5});
  AddIntsAttr(valid, "strides", {3, 3});
  auto types = Infer(b);
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  EXPECT_EQ(TypeOf(*types, "c"), "tensor(float)[?,16,28,28]");
  EXPECT_EQ(TypeOf(*types, "p"), "tensor(float)[?,16,14,14]");
  EXPECT_EQ(TypeOf(*types, "f"), "tensor(float)[?,3136]");
  EXPECT_EQ(TypeOf(*types, "y"), "tensor(float)[?,10]");
  EXPECT_EQ(TypeOf(*types, "g"), "tensor(float)[?,16,1,1]");
  EXPECT_EQ(TypeOf(*types, "a"), "tensor(float)[?,1,8,8]");  // (28 - 5) / 3 + 1
}

// The pattern PyTorch exports for x.view(x.size(0), -1): the shape comes
// from Shape -> Gather -> Unsqueeze -> Concat, tracked as values. (With a
// symbolic batch dim the -1 stays unknown: dims are not tracked by name.)
TEST(ShapeInferenceTest, ReshapeThroughShapeArithmetic) {
  ModelBuilder b;
  b.Input("x", kFloat, {2, 3, 4}).Output("y");
  b.Initializer("zero", Tensor::Scalar<int64_t>(0));
  b.Initializer("rest", Tensor::FromVector<int64_t>({1}, {-1}));
  b.Initializer("axes", Tensor::FromVector<int64_t>({1}, {0}));
  b.Node("Shape", {"x"}, {"s"});
  b.Node("Gather", {"s", "zero"}, {"n"});
  b.Node("Unsqueeze", {"n", "axes"}, {"n1"});
  b.Node("Concat", {"n1", "rest"}, {"shape"})->add_attribute()->CopyFrom([] {
    onnx::AttributeProto a;
    a.set_name("axis");
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(0);
    return a;
  }());
  b.Node("Reshape", {"x", "shape"}, {"y"});
  b.Node("Transpose", {"x"}, {"t"});
  b.Node("Unsqueeze", {"x", "axes"}, {"u"});
  b.Node("ReduceSum", {"x", "axes"}, {"rs"});
  auto types = Infer(b);
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  EXPECT_EQ(TypeOf(*types, "s"), "tensor(int64)[3]");
  EXPECT_EQ(TypeOf(*types, "shape"), "tensor(int64)[2]");
  EXPECT_EQ(TypeOf(*types, "y"), "tensor(float)[2,12]");
  EXPECT_EQ(TypeOf(*types, "t"), "tensor(float)[4,3,2]");
  EXPECT_EQ(TypeOf(*types, "u"), "tensor(float)[1,2,3,4]");
  EXPECT_EQ(TypeOf(*types, "rs"), "tensor(float)[1,3,4]");
}

TEST(ShapeInferenceTest, TabularPipelineTypesAndBatchDim) {
  ModelBuilder b(13, 3);
  b.Input("x", kFloat, {-1, 2}).Output("label", kInt64).Output("probs");
  b.proto().mutable_graph()->mutable_output(1)->mutable_type()->clear_tensor_type();
  auto* scaler = b.Node("Scaler", {"x"}, {"xs"}, "scaler", "ai.onnx.ml");
  AddFloatsAttr(scaler, "offset", {0, 0});
  AddFloatsAttr(scaler, "scale", {1, 1});
  auto* tree = b.Node("TreeEnsembleClassifier", {"xs"}, {"label", "scores"}, "trees",
                      "ai.onnx.ml");
  AddIntsAttr(tree, "classlabels_int64s", {0, 1});
  AddIntsAttr(tree, "nodes_treeids", {0});
  AddIntsAttr(tree, "nodes_nodeids", {0});
  AddIntsAttr(tree, "nodes_featureids", {0});
  AddFloatsAttr(tree, "nodes_values", {0});
  AddStringsAttr(tree, "nodes_modes", {"LEAF"});
  AddIntsAttr(tree, "nodes_truenodeids", {0});
  AddIntsAttr(tree, "nodes_falsenodeids", {0});
  AddIntsAttr(tree, "class_treeids", {0});
  AddIntsAttr(tree, "class_nodeids", {0});
  AddIntsAttr(tree, "class_ids", {1});
  AddFloatsAttr(tree, "class_weights", {1});
  AddIntsAttr(b.Node("ZipMap", {"scores"}, {"probs"}, "zipmap", "ai.onnx.ml"),
              "classlabels_int64s", {0, 1});
  auto s = b.Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const InferredTypes& types = (*s)->types();
  EXPECT_EQ(TypeOf(types, "xs"), "tensor(float)[?,2]");
  EXPECT_EQ(TypeOf(types, "label"), "tensor(int64)[?]");
  EXPECT_EQ(TypeOf(types, "scores"), "tensor(float)[?,?]");
  EXPECT_EQ(TypeOf(types, "probs"), "sequence(map(int64, tensor(float)))");
}

TEST(ShapeInferenceTest, OperatorWithoutRuleLeavesUnknownAndGoesOn) {
  ModelBuilder b;
  b.Input("x", kFloat, {2, 3}).Output("y");
  b.Node("Einsum", {"x"}, {"e"}, "ein");  // no rule
  b.Node("Relu", {"e"}, {"r"});
  b.Node("Add", {"r", "x"}, {"y"});
  auto types = Infer(b);
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  EXPECT_EQ(TypeOf(*types, "e"), "unknown");
  EXPECT_EQ(TypeOf(*types, "r"), "tensor(?)[...]");
  EXPECT_EQ(TypeOf(*types, "y"), "tensor(float)[...]");
  EXPECT_EQ(types->ops_without_rule, std::vector<std::string>{"ai.onnx::Einsum"});
}

TEST(ShapeInferenceTest, SymbolicDimsNeverRefuse) {
  ModelBuilder b;
  b.Input("a", kFloat, {-1, -1}).Input("bb", kFloat, {-1, 3}).Output("y");
  b.Input("c", kFloat, {-1}, true);
  b.Node("MatMul", {"a", "bb"}, {"m"});
  b.Node("Add", {"m", "c"}, {"y"});
  auto s = b.Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(TypeOf((*s)->types(), "m"), "tensor(float)[?,3]");
  EXPECT_EQ(TypeOf((*s)->types(), "y"), "tensor(float)[?,3]");
}

// ---- refusals: each names the node, its operator and the mismatch ----

TEST(ShapeInferenceTest, RefusesMatMulInnerDimMismatch) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 4}).Output("y");
  b.Initializer("w", Zeros({5, 3}));
  b.Node("MatMul", {"x", "w"}, {"y"}, "proj");
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("node `proj` (#0, ai.onnx::MatMul, opset 13)"), std::string::npos) << e;
  EXPECT_NE(e.find("inner dimensions differ: A is [?,4] (K=4), B is [5,3] (K=5)"),
            std::string::npos)
      << e;
}

TEST(ShapeInferenceTest, RefusesAddWithNonBroadcastableDims) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 3}).Output("y");
  b.Initializer("bias", Zeros({4}));
  b.Node("Add", {"x", "bias"}, {"y"}, "add_bias");
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("node `add_bias` (#0, ai.onnx::Add, opset 13)"), std::string::npos) << e;
  EXPECT_NE(e.find("shapes [?,3] and [4] cannot be broadcast (dims 3 and 4)"), std::string::npos)
      << e;
}

TEST(ShapeInferenceTest, RefusesGemmWithWrongK) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 4}).Output("y");
  b.Initializer("w", Zeros({3, 5}));  // transB: [N=3, K=5]
  AddIntAttr(b.Node("Gemm", {"x", "w"}, {"y"}, "fc"), "transB", 1);
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("node `fc` (#0, ai.onnx::Gemm, opset 13)"), std::string::npos) << e;
  EXPECT_NE(e.find("inner dimensions differ: A is [?,4] (K=4), B is [3,5] (transB, K=5)"),
            std::string::npos)
      << e;
}

TEST(ShapeInferenceTest, RefusesGemmBiasThatDoesNotBroadcast) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 4}).Output("y");
  b.Initializer("w", Zeros({4, 3}));
  b.Initializer("c", Zeros({2}));
  b.Node("Gemm", {"x", "w", "c"}, {"y"}, "fc");
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("ai.onnx::Gemm"), std::string::npos) << e;
  EXPECT_NE(e.find("C [2] cannot be broadcast to [M,N] = [?,3]"), std::string::npos) << e;
}

TEST(ShapeInferenceTest, RefusesConvChannelMismatchWithWeight) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 3, 8, 8}).Output("y");
  b.Initializer("w", Zeros({16, 1, 3, 3}));
  b.Node("Conv", {"x", "w"}, {"y"}, "conv1");
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("node `conv1` (#0, ai.onnx::Conv, opset 13)"), std::string::npos) << e;
  EXPECT_NE(e.find("X has 3 channels but W [16,1,3,3] with group 1 expects 1"),
            std::string::npos)
      << e;
}

TEST(ShapeInferenceTest, RefusesGraphOutputWithContradictingElementType) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 4}).Output("label", kInt64);
  b.Node("Relu", {"x"}, {"label"}, "act");
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("graph output `label` is declared tensor(int64)"), std::string::npos) << e;
  EXPECT_NE(e.find("node `act` (#0, ai.onnx::Relu, opset 13) produces float"),
            std::string::npos)
      << e;
  // Without inference the model loads (and would hand out floats).
  EXPECT_TRUE(b.Load({.shape_inference = false}).ok());
}

TEST(ShapeInferenceTest, RefusesConcatRankMismatch) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 4}).Input("z", kFloat, {-1, 4, 1}).Output("y");
  AddIntAttr(b.Node("Concat", {"x", "z"}, {"y"}, "join"), "axis", 1);
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("node `join` (#0, ai.onnx::Concat, opset 13)"), std::string::npos) << e;
  EXPECT_NE(e.find("inputs must have one rank: input 0 is [?,4], input 1 is [?,4,1]"),
            std::string::npos)
      << e;
}

TEST(ShapeInferenceTest, RefusesConcatDimMismatchOffTheAxis) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 4}).Input("z", kFloat, {-1, 5}).Output("y");
  AddIntAttr(b.Node("Concat", {"x", "z"}, {"y"}, "join"), "axis", 0);
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("ai.onnx::Concat"), std::string::npos) << e;
  EXPECT_NE(e.find("input 1 [?,5] differs from the other inputs in dim 1"), std::string::npos)
      << e;
}

TEST(ShapeInferenceTest, RefusesReshapeToTheWrongElementCount) {
  ModelBuilder b;
  b.Input("x", kFloat, {2, 6}).Output("y");
  b.Initializer("shape", Tensor::FromVector<int64_t>({2}, {5, -1}));
  b.Node("Reshape", {"x", "shape"}, {"y"}, "view");
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("node `view` (#0, ai.onnx::Reshape, opset 13)"), std::string::npos) << e;
  EXPECT_NE(e.find("cannot reshape [2,6] (12 elements) to [5,?]"), std::string::npos) << e;
}

TEST(ShapeInferenceTest, RefusesMixedElementTypes) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 4}).Input("n", kInt64, {-1, 4}).Output("y");
  b.Node("Mul", {"x", "n"}, {"y"}, "scale");
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("node `scale` (#0, ai.onnx::Mul, opset 13)"), std::string::npos) << e;
  EXPECT_NE(e.find("inputs 0 and 1 must have one element type, got float and int64"),
            std::string::npos)
      << e;
}

TEST(ShapeInferenceTest, RefusesAxisOutOfRange) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 4}).Output("y", kInt64);
  AddIntAttr(b.Node("ArgMax", {"x"}, {"y"}, "pick"), "axis", 2);
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("node `pick` (#0, ai.onnx::ArgMax, opset 13): "
                   "axis 2 is out of range for rank 2"),
            std::string::npos)
      << e;
}

TEST(ShapeInferenceTest, RefusesTreeInputOfRankThree) {
  ModelBuilder b;
  b.Input("x", kFloat, {-1, 2, 2}).Output("y");
  auto* n = b.Node("LinearRegressor", {"x"}, {"y"}, "lin", "ai.onnx.ml");
  AddFloatsAttr(n, "coefficients", {1, 1});
  const std::string e = LoadError(b);
  EXPECT_NE(e.find("node `lin` (#0, ai.onnx.ml::LinearRegressor, opset 3)"), std::string::npos)
      << e;
  EXPECT_NE(e.find("must be 1-D or 2-D"), std::string::npos) << e;
}

// Inference reads only what it needs: a declared value_info fills in what
// an op without a rule leaves unknown.
TEST(ShapeInferenceTest, DeclaredValueInfoFillsUnknowns) {
  ModelBuilder b;
  b.Input("x", kFloat, {2, 3}).Output("y");
  b.Node("Einsum", {"x"}, {"e"});
  b.Node("Relu", {"e"}, {"y"});
  auto* vi = b.proto().mutable_graph()->add_value_info();
  vi->set_name("e");
  vi->mutable_type()->mutable_tensor_type()->set_elem_type(kFloat);
  vi->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(6);
  auto types = Infer(b);
  ASSERT_TRUE(types.ok()) << types.status().ToString();
  EXPECT_EQ(TypeOf(*types, "y"), "tensor(float)[6]");
}

}  // namespace
}  // namespace ads::engine
