// Test helpers: build small ONNX models in C++ and run them.
//
//   ModelBuilder b;
//   b.Input("x", onnx::TensorProto::FLOAT, {-1, 3}).Output("y");
//   b.Node("Relu", {"x"}, {"y"});
//   auto session = b.Load();
//
// Header-only, for *_test.cc files. Not thread-safe.
#ifndef ADS_ENGINE_TEST_UTIL_H_
#define ADS_ENGINE_TEST_UTIL_H_

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "engine/session.h"
#include "engine/tensor_proto.h"

namespace ads::engine::testing {

class ModelBuilder {
 public:
  explicit ModelBuilder(int64_t opset = 13, int64_t ml_opset = 3) {
    model_.set_ir_version(8);
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    auto* ml = model_.add_opset_import();
    ml->set_domain("ai.onnx.ml");
    ml->set_version(ml_opset);
  }

  ModelBuilder& Input(const std::string& name, int elem_type, std::vector<int64_t> dims = {},
                      bool has_shape = false) {
    Describe(model_.mutable_graph()->add_input(), name, elem_type, dims, has_shape || !dims.empty());
    return *this;
  }
  ModelBuilder& Output(const std::string& name, int elem_type = onnx::TensorProto::FLOAT) {
    Describe(model_.mutable_graph()->add_output(), name, elem_type, {}, false);
    return *this;
  }
  ModelBuilder& Initializer(const std::string& name, const Tensor& t) {
    onnx::TensorProto* p = model_.mutable_graph()->add_initializer();
    TensorToProto(t, p);
    p->set_name(name);
    return *this;
  }
  // Adds a node; returns it so the test can add attributes.
  onnx::NodeProto* Node(const std::string& op, std::vector<std::string> inputs,
                        std::vector<std::string> outputs, const std::string& name = "",
                        const std::string& domain = "") {
    onnx::NodeProto* n = model_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    n->set_domain(domain);
    for (auto& i : inputs) n->add_input(i);
    for (auto& o : outputs) n->add_output(o);
    return n;
  }

  std::string Bytes() const { return model_.SerializeAsString(); }
  onnx::ModelProto& proto() { return model_; }
  Result<std::unique_ptr<Session>> Load(SessionOptions options = {}) const {
    if (options.threads == 0) options.threads = 1;
    return Session::LoadFromBytes(Bytes(), options);
  }

 private:
  static void Describe(onnx::ValueInfoProto* v, const std::string& name, int elem_type,
                       const std::vector<int64_t>& dims, bool has_shape) {
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem_type);
    if (!has_shape) return;
    auto* s = t->mutable_shape();
    for (int64_t d : dims) {
      auto* dim = s->add_dim();
      if (d >= 0) dim->set_dim_value(d);
      else dim->set_dim_param("N");
    }
  }

  onnx::ModelProto model_;
};

inline void AddIntAttr(onnx::NodeProto* n, const std::string& name, int64_t v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
inline void AddFloatAttr(onnx::NodeProto* n, const std::string& name, float v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
inline void AddStringAttr(onnx::NodeProto* n, const std::string& name, const std::string& v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}
inline void AddIntsAttr(onnx::NodeProto* n, const std::string& name, std::vector<int64_t> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
inline void AddFloatsAttr(onnx::NodeProto* n, const std::string& name, std::vector<float> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOATS);
  for (float x : v) a->add_floats(x);
}
inline void AddStringsAttr(onnx::NodeProto* n, const std::string& name,
                           std::vector<std::string> v) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRINGS);
  for (auto& x : v) a->add_strings(x);
}

template <typename T>
std::vector<T> ToVector(const Tensor& t) {
  return std::vector<T>(t.data<T>(), t.data<T>() + t.size());
}

}  // namespace ads::engine::testing

#endif  // ADS_ENGINE_TEST_UTIL_H_
