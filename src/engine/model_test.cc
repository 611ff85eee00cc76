#include "engine/model.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include "engine/test_util.h"

namespace ads::engine {
namespace {

using testing::AddFloatsAttr;
using testing::AddIntAttr;
using testing::AddStringsAttr;
using testing::ModelBuilder;

bool Contains(const Status& s, const std::string& part) {
  return s.message().find(part) != std::string::npos;
}

TEST(ModelTest, ParsesGraphAndAttributes) {
  ModelBuilder b(13);
  b.Input("x", onnx::TensorProto::FLOAT, {-1, 3}).Output("y");
  b.Initializer("w", Tensor::FromVector<float>({3}, {1, 2, 3}));
  b.Input("w", onnx::TensorProto::FLOAT);  // IR<4 style: initializer listed as input
  auto* n = b.Node("Mul", {"x", "w"}, {"y"}, "scale");
  AddIntAttr(n, "i", 4);
  AddFloatsAttr(n, "fs", {0.5f, 1.5f});
  AddStringsAttr(n, "ss", {"a", "b"});
  auto* g = n->add_attribute();
  g->set_name("body");
  g->set_type(onnx::AttributeProto::GRAPH);
  g->mutable_g()->set_name("sub");
  auto m = ParseModel(b.Bytes());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->opsets.at("ai.onnx"), 13);
  ASSERT_EQ(m->graph.inputs.size(), 1u);  // the initializer is not an input
  EXPECT_EQ(m->graph.inputs[0].type.ToString(), "tensor(float)[-1,3]");
  const Node& node = m->graph.nodes[0];
  EXPECT_EQ(node.domain, "ai.onnx");
  EXPECT_EQ(node.opset, 13);
  EXPECT_EQ(node.FindAttribute("i")->i, 4);
  EXPECT_EQ(node.FindAttribute("fs")->floats, (std::vector<float>{0.5f, 1.5f}));
  EXPECT_EQ(node.FindAttribute("ss")->strings, (std::vector<std::string>{"a", "b"}));
  ASSERT_NE(node.FindAttribute("body")->g, nullptr);
  EXPECT_EQ(node.FindAttribute("body")->g->name, "sub");
  EXPECT_EQ(node.Describe(), "node `scale` (#0, ai.onnx::Mul, opset 13)");
}

TEST(ModelTest, RejectsGarbage) {
  auto m = ParseModel("this is not a protobuf \xff\xff\xff");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Contains(m.status(), "protobuf")) << m.status().message();
}

TEST(ModelTest, ReportsUndefinedInputWithNode) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  b.Node("Add", {"x", "nowhere"}, {"y"}, "adder");
  auto m = ParseModel(b.Bytes());
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Contains(m.status(), "adder")) << m.status().message();
  EXPECT_TRUE(Contains(m.status(), "nowhere")) << m.status().message();
}

TEST(ModelTest, ReportsDuplicateOutput) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  b.Node("Relu", {"x"}, {"y"});
  b.Node("Neg", {"x"}, {"y"});
  auto m = ParseModel(b.Bytes());
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Contains(m.status(), "node #1 (ai.onnx::Neg, opset 13)")) << m.status().message();
  EXPECT_TRUE(Contains(m.status(), "already defined")) << m.status().message();
}

TEST(ModelTest, ReportsCycle) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("b");
  b.Node("Add", {"x", "b"}, {"a"}, "first");
  b.Node("Relu", {"a"}, {"b"}, "second");
  auto m = ParseModel(b.Bytes());
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Contains(m.status(), "cycle")) << m.status().message();
}

TEST(ModelTest, ReportsMissingDomainImport) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("y");
  b.Node("Thing", {"x"}, {"y"}, "t", "com.example");
  auto m = ParseModel(b.Bytes());
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Contains(m.status(), "com.example")) << m.status().message();
}

TEST(ModelTest, ReportsBadAttributeTensorWithNode) {
  ModelBuilder b;
  b.Output("y");
  auto* n = b.Node("Constant", {}, {"y"}, "c");
  auto* a = n->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(onnx::TensorProto::FLOAT);
  a->mutable_t()->add_dims(4);  // no data
  auto m = ParseModel(b.Bytes());
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Contains(m.status(), "`c`")) << m.status().message();
  EXPECT_TRUE(Contains(m.status(), "`value`")) << m.status().message();
}

TEST(ModelTest, TopologicalOrderFollowsData) {
  ModelBuilder b;
  b.Input("x", onnx::TensorProto::FLOAT).Output("z");
  b.Node("Relu", {"y"}, {"z"});  // listed before its producer
  b.Node("Neg", {"x"}, {"y"});
  auto m = ParseModel(b.Bytes());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  auto order = TopologicalOrder(m->graph);
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(*order, (std::vector<int>{1, 0}));
}

TEST(ModelTest, LoadModelNamesTheFile) {
  MemEnv env;
  ASSERT_TRUE(env.CreateDirs("/m").ok());
  ASSERT_TRUE(env.WriteFile("/m/model.onnx", "junk").ok());
  auto m = LoadModel(env, "/m/model.onnx");
  ASSERT_FALSE(m.ok());
  EXPECT_TRUE(Contains(m.status(), "/m/model.onnx")) << m.status().message();
}

}  // namespace
}  // namespace ads::engine
