// Unit tests for reference kernels where opset versions change semantics or
// where the conformance data has no case. Expected values are worked out by
// hand (or with numpy) in the comments.
#include <cmath>

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "engine/test_util.h"

namespace ads::engine {
namespace {

using testing::AddFloatsAttr;
using testing::AddIntAttr;
using testing::AddIntsAttr;
using testing::AddStringAttr;
using testing::AddStringsAttr;
using testing::ModelBuilder;
using testing::ToVector;

// Runs a graph with inputs "x" (and more) and returns output "y".
Result<Value> RunOne(const ModelBuilder& b, std::map<std::string, Value> feeds,
                     const std::string& out = "y") {
  ADS_ASSIGN_OR_RETURN(auto s, b.Load());
  ADS_ASSIGN_OR_RETURN(auto outs, s->Run(feeds));
  return outs.at(out);
}

Value F(Shape s, std::vector<float> v) { return Value(Tensor::FromVector<float>(s, v)); }

TEST(SoftmaxTest, Opset12FlattensFromAxisButOpset13UsesOneAxis) {
  // x = [[[0, 1], [2, 3]]] (shape [1,2,2]), axis = 1.
  for (int opset : {12, 13}) {
    ModelBuilder b(opset);
    b.Input("x", onnx::TensorProto::FLOAT).Output("y");
    AddIntAttr(b.Node("Softmax", {"x"}, {"y"}), "axis", 1);
    auto y = RunOne(b, {{"x", F({1, 2, 2}, {0, 1, 2, 3})}});
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    std::vector<float> got = ToVector<float>(y->tensor());
    if (opset == 12) {
      // softmax over all four values: exp(k) / (1 + e + e^2 + e^3).
      const double z = 1 + std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
      EXPECT_NEAR(got[0], 1 / z, 1e-6);
      EXPECT_NEAR(got[3], std::exp(3.0) / z, 1e-6);
    } else {
      // softmax down each column: pairs (0, 2) and (1, 3).
      const double p = 1 / (1 + std::exp(2.0));
      EXPECT_NEAR(got[0], p, 1e-6);
      EXPECT_NEAR(got[2], 1 - p, 1e-6);
      EXPECT_NEAR(got[1], p, 1e-6);
    }
  }
}

TEST(ReduceTest, AxesMoveFromAttributeToInput) {
  // ReduceSum over axis 1 of [[1,2],[3,4]] -> [3, 7].
  ModelBuilder old_b(11);
  old_b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  auto* n = old_b.Node("ReduceSum", {"x"}, {"y"});
  AddIntsAttr(n, "axes", {1});
  AddIntAttr(n, "keepdims", 0);
  auto y_old = RunOne(old_b, {{"x", F({2, 2}, {1, 2, 3, 4})}});
  ASSERT_TRUE(y_old.ok()) << y_old.status().ToString();
  EXPECT_EQ(ToVector<float>(y_old->tensor()), (std::vector<float>{3, 7}));

  ModelBuilder new_b(13);
  new_b.Input("x", onnx::TensorProto::FLOAT).Input("axes", onnx::TensorProto::INT64).Output("y");
  AddIntAttr(new_b.Node("ReduceSum", {"x", "axes"}, {"y"}), "keepdims", 1);
  auto y_new = RunOne(new_b, {{"x", F({2, 2}, {1, 2, 3, 4})},
                              {"axes", Value(Tensor::FromVector<int64_t>({1}, {0}))}});
  ASSERT_TRUE(y_new.ok()) << y_new.status().ToString();
  EXPECT_EQ(y_new->tensor().shape(), (Shape{1, 2}));
  EXPECT_EQ(ToVector<float>(y_new->tensor()), (std::vector<float>{4, 6}));
}

TEST(ClipTest, BoundsAreAttributesBefore11AndInputsAfter) {
  ModelBuilder old_b(6);
  old_b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  auto* n = old_b.Node("Clip", {"x"}, {"y"});
  testing::AddFloatAttr(n, "min", -1);
  testing::AddFloatAttr(n, "max", 2);
  auto y_old = RunOne(old_b, {{"x", F({4}, {-5, 0, 1.5, 9})}});
  ASSERT_TRUE(y_old.ok()) << y_old.status().ToString();
  EXPECT_EQ(ToVector<float>(y_old->tensor()), (std::vector<float>{-1, 0, 1.5, 2}));

  ModelBuilder new_b(13);
  new_b.Input("x", onnx::TensorProto::FLOAT).Input("hi", onnx::TensorProto::FLOAT).Output("y");
  new_b.Node("Clip", {"x", "", "hi"}, {"y"});
  auto y_new = RunOne(new_b, {{"x", F({4}, {-5, 0, 1.5, 9})}, {"hi", F({}, {1})}});
  ASSERT_TRUE(y_new.ok()) << y_new.status().ToString();
  EXPECT_EQ(ToVector<float>(y_new->tensor()), (std::vector<float>{-5, 0, 1, 1}));
}

TEST(ArithmeticTest, LegacyBroadcastAlignsAtAxis) {
  // Opset 6 Add with broadcast=1, axis=0: B [2] adds along the rows of A [2,3].
  ModelBuilder b(6);
  b.Input("x", onnx::TensorProto::FLOAT).Input("z", onnx::TensorProto::FLOAT).Output("y");
  auto* n = b.Node("Add", {"x", "z"}, {"y"});
  AddIntAttr(n, "broadcast", 1);
  AddIntAttr(n, "axis", 0);
  auto y = RunOne(b, {{"x", F({2, 3}, {0, 0, 0, 1, 1, 1})}, {"z", F({2}, {10, 20})}});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(ToVector<float>(y->tensor()), (std::vector<float>{10, 10, 10, 21, 21, 21}));
}

TEST(ArithmeticTest, IntegerDivisionByZeroIsAnError) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::INT64)
      .Input("z", onnx::TensorProto::INT64)
      .Output("y", onnx::TensorProto::INT64);
  b.Node("Div", {"x", "z"}, {"y"});
  auto y = RunOne(b, {{"x", Value(Tensor::FromVector<int64_t>({2}, {4, 5}))},
                      {"z", Value(Tensor::FromVector<int64_t>({2}, {2, 0}))}});
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("division by zero"), std::string::npos);
}

TEST(CastTest, ConvertsBetweenNumbersAndStrings) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y", onnx::TensorProto::STRING);
  AddIntAttr(b.Node("Cast", {"x"}, {"y"}), "to", onnx::TensorProto::STRING);
  auto y = RunOne(b, {{"x", F({3}, {1.5f, -0.25f, NAN})}});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(ToVector<std::string>(y->tensor()), (std::vector<std::string>{"1.5", "-0.25", "NaN"}));

  ModelBuilder c;
  c.Input("x", onnx::TensorProto::FLOAT).Output("y", onnx::TensorProto::INT32);
  AddIntAttr(c.Node("Cast", {"x"}, {"y"}), "to", onnx::TensorProto::INT32);
  auto z = RunOne(c, {{"x", F({3}, {2.9f, -2.9f, 1e20f})}});
  ASSERT_TRUE(z.ok()) << z.status().ToString();
  EXPECT_EQ(ToVector<int32_t>(z->tensor()), (std::vector<int32_t>{2, -2, 2147483647}));
}

TEST(ShapeOpsTest, ReshapeCopiesZeroDimsAndInfersMinusOne) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Input("s", onnx::TensorProto::INT64).Output("y");
  b.Node("Reshape", {"x", "s"}, {"y"});
  std::vector<float> v(24);
  auto y = RunOne(b, {{"x", F({2, 3, 4}, v)}, {"s", Value(Tensor::FromVector<int64_t>({2}, {0, -1}))}});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(y->tensor().shape(), (Shape{2, 12}));
}

TEST(ShapeOpsTest, SliceWithNegativeStep) {
  // x[::-2] of [0..5] = [5, 3, 1].
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  b.Initializer("st", Tensor::FromVector<int64_t>({1}, {-1}));
  b.Initializer("en", Tensor::FromVector<int64_t>({1}, {INT64_MIN}));
  b.Initializer("ax", Tensor::FromVector<int64_t>({1}, {0}));
  b.Initializer("sp", Tensor::FromVector<int64_t>({1}, {-2}));
  b.Node("Slice", {"x", "st", "en", "ax", "sp"}, {"y"});
  auto y = RunOne(b, {{"x", F({6}, {0, 1, 2, 3, 4, 5})}});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(ToVector<float>(y->tensor()), (std::vector<float>{5, 3, 1}));
}

TEST(ShapeOpsTest, GatherAcceptsNegativeIndicesAndRejectsOutOfRange) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Input("i", onnx::TensorProto::INT64).Output("y");
  AddIntAttr(b.Node("Gather", {"x", "i"}, {"y"}), "axis", 1);
  Value x = F({2, 3}, {0, 1, 2, 3, 4, 5});
  auto y = RunOne(b, {{"x", x}, {"i", Value(Tensor::FromVector<int64_t>({2}, {-1, 0}))}});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(y->tensor().shape(), (Shape{2, 2}));
  EXPECT_EQ(ToVector<float>(y->tensor()), (std::vector<float>{2, 0, 5, 3}));
  auto bad = RunOne(b, {{"x", x}, {"i", Value(Tensor::FromVector<int64_t>({1}, {3}))}});
  EXPECT_FALSE(bad.ok());
}

TEST(MlTest, ZipMapReturnsSequenceOfMaps) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  AddStringsAttr(b.Node("ZipMap", {"x"}, {"y"}, "", "ai.onnx.ml"), "classlabels_strings",
                 {"no", "yes"});
  auto y = RunOne(b, {{"x", F({2, 2}, {0.25f, 0.75f, 0.5f, 0.5f})}});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  ASSERT_TRUE(y->is_sequence());
  ASSERT_EQ(y->sequence().items.size(), 2u);
  const Map& m = y->sequence().items[0].map();
  EXPECT_EQ(ToVector<std::string>(m.keys), (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(ToVector<float>(m.values), (std::vector<float>{0.25f, 0.75f}));
}

TEST(MlTest, TreeEnsembleRejectsBrokenTrees) {
  // Node 1 points to child 7, which does not exist.
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  auto* n = b.Node("TreeEnsembleRegressor", {"x"}, {"y"}, "trees", "ai.onnx.ml");
  AddIntsAttr(n, "nodes_treeids", {0, 0, 0});
  AddIntsAttr(n, "nodes_nodeids", {0, 1, 2});
  AddIntsAttr(n, "nodes_featureids", {0, 0, 0});
  AddFloatsAttr(n, "nodes_values", {0.5f, 0, 0});
  AddStringsAttr(n, "nodes_modes", {"BRANCH_LEQ", "LEAF", "LEAF"});
  AddIntsAttr(n, "nodes_truenodeids", {1, 0, 0});
  AddIntsAttr(n, "nodes_falsenodeids", {7, 0, 0});
  AddIntsAttr(n, "target_treeids", {0, 0});
  AddIntsAttr(n, "target_nodeids", {1, 2});
  AddIntsAttr(n, "target_ids", {0, 0});
  AddFloatsAttr(n, "target_weights", {1, 2});
  auto s = b.Load();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("`trees`"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("missing child"), std::string::npos);

  // Fix the child, then feed too few columns: a run-time error, not a crash.
  n->mutable_attribute(6)->set_ints(0, 2);
  n->mutable_attribute(2)->set_ints(0, 4);  // feature 4
  auto s2 = b.Load();
  ASSERT_TRUE(s2.ok()) << s2.status().ToString();
  auto out = (*s2)->Run({{"x", F({1, 2}, {0, 1})}});
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("feature 4"), std::string::npos) << out.status().message();
}

TEST(MlTest, LabelEncoderV1MapsBothWays) {
  ModelBuilder b(13, 1);
  b.Input("x", onnx::TensorProto::STRING).Output("y", onnx::TensorProto::INT64);
  auto* n = b.Node("LabelEncoder", {"x"}, {"y"}, "", "ai.onnx.ml");
  AddStringsAttr(n, "classes_strings", {"a", "b", "c"});
  AddIntAttr(n, "default_int64", 99);
  auto y = RunOne(b, {{"x", Value(Tensor::FromStrings({3}, {"c", "zz", "a"}))}});
  ASSERT_TRUE(y.ok()) << y.status().ToString();
  EXPECT_EQ(ToVector<int64_t>(y->tensor()), (std::vector<int64_t>{2, 99, 0}));
}

TEST(MlTest, LinearClassifierBinaryAddsSecondColumn) {
  // One score column, two labels: label = score > 0, probabilities [1-s, s].
  ModelBuilder b(13, 1);
  b.Input("x", onnx::TensorProto::FLOAT).Output("label", onnx::TensorProto::INT64).Output("p");
  auto* n = b.Node("LinearClassifier", {"x"}, {"label", "p"}, "", "ai.onnx.ml");
  AddFloatsAttr(n, "coefficients", {1, -1});
  AddFloatsAttr(n, "intercepts", {0.25f});
  AddIntsAttr(n, "classlabels_ints", {3, 7});
  auto s = b.Load();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  auto out = (*s)->Run({{"x", F({2, 2}, {1, 0.5f, 0, 1})}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(ToVector<int64_t>(out->at("label").tensor()), (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(ToVector<float>(out->at("p").tensor()), (std::vector<float>{0.25f, 0.75f, 1.75f, -0.75f}));
}

}  // namespace
}  // namespace ads::engine
