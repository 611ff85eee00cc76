#include "engine/model.h"

#include <set>

#include <onnx/onnx_pb.h>

#include "base/strings.h"

namespace ads::engine {

namespace {

// Subgraphs nest; a hostile model could nest them without end.
constexpr int kMaxGraphDepth = 32;

Result<Graph> ConvertGraph(const onnx::GraphProto& proto, const std::map<std::string, int64_t>& opsets,
                           const ExternalDataContext& ext, int depth, bool is_main);

ValueType ConvertType(const onnx::TypeProto& t, int depth = 0) {
  ValueType v;
  if (depth > kMaxGraphDepth) return v;
  if (t.has_tensor_type()) {
    v.kind = ValueType::Kind::kTensor;
    v.elem_type = static_cast<DataType>(t.tensor_type().elem_type());
    if (t.tensor_type().has_shape()) {
      v.has_shape = true;
      for (const auto& d : t.tensor_type().shape().dim()) {
        v.dims.push_back(d.has_dim_value() ? d.dim_value() : -1);
      }
    }
  } else if (t.has_sequence_type()) {
    v.kind = ValueType::Kind::kSequence;
    v.element = std::make_shared<ValueType>(ConvertType(t.sequence_type().elem_type(), depth + 1));
  } else if (t.has_map_type()) {
    v.kind = ValueType::Kind::kMap;
    v.map_key_type = static_cast<DataType>(t.map_type().key_type());
    v.element = std::make_shared<ValueType>(ConvertType(t.map_type().value_type(), depth + 1));
  } else if (t.has_optional_type()) {
    v.kind = ValueType::Kind::kOptional;
    v.element = std::make_shared<ValueType>(ConvertType(t.optional_type().elem_type(), depth + 1));
  }
  return v;
}

Result<Attribute> ConvertAttribute(const onnx::AttributeProto& a, const Node& node,
                                   const std::map<std::string, int64_t>& opsets,
                                   const ExternalDataContext& ext, int depth) {
  Attribute out;
  out.name = a.name();
  auto fail = [&](const std::string& why) {
    return InvalidArgumentError(node.Describe() + ": attribute " + Quoted(a.name()) + " " + why);
  };
  switch (a.type()) {
    case onnx::AttributeProto::FLOAT: out.type = AttributeType::kFloat; out.f = a.f(); break;
    case onnx::AttributeProto::INT: out.type = AttributeType::kInt; out.i = a.i(); break;
    case onnx::AttributeProto::STRING: out.type = AttributeType::kString; out.s = a.s(); break;
    case onnx::AttributeProto::FLOATS:
      out.type = AttributeType::kFloats;
      out.floats.assign(a.floats().begin(), a.floats().end());
      break;
    case onnx::AttributeProto::INTS:
      out.type = AttributeType::kInts;
      out.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case onnx::AttributeProto::STRINGS:
      out.type = AttributeType::kStrings;
      out.strings.assign(a.strings().begin(), a.strings().end());
      break;
    case onnx::AttributeProto::TENSOR: {
      out.type = AttributeType::kTensor;
      auto t = TensorFromProto(a.t(), ext);
      if (!t.ok()) return fail("holds a bad tensor: " + t.status().message());
      out.t = std::move(t).value();
      break;
    }
    case onnx::AttributeProto::TENSORS:
      out.type = AttributeType::kTensors;
      for (const auto& tp : a.tensors()) {
        auto t = TensorFromProto(tp, ext);
        if (!t.ok()) return fail("holds a bad tensor: " + t.status().message());
        out.tensors.push_back(std::move(t).value());
      }
      break;
    case onnx::AttributeProto::GRAPH: {
      out.type = AttributeType::kGraph;
      auto g = ConvertGraph(a.g(), opsets, ext, depth + 1, false);
      if (!g.ok()) return fail("holds a bad subgraph: " + g.status().message());
      out.g = std::make_shared<Graph>(std::move(g).value());
      break;
    }
    case onnx::AttributeProto::GRAPHS:
      out.type = AttributeType::kGraphs;
      for (const auto& gp : a.graphs()) {
        auto g = ConvertGraph(gp, opsets, ext, depth + 1, false);
        if (!g.ok()) return fail("holds a bad subgraph: " + g.status().message());
        out.graphs.push_back(std::make_shared<Graph>(std::move(g).value()));
      }
      break;
    case onnx::AttributeProto::SPARSE_TENSOR:
    case onnx::AttributeProto::SPARSE_TENSORS:
      out.type = AttributeType::kSparseTensor;  // kept as a marker; no kernel reads it yet
      break;
    case onnx::AttributeProto::TYPE_PROTO:
    case onnx::AttributeProto::TYPE_PROTOS:
      out.type = AttributeType::kTypeProto;
      break;
    default:
      if (!a.ref_attr_name().empty()) {
        return fail("refers to a function attribute, which is only valid inside functions");
      }
      return fail("has an unknown type " + std::to_string(a.type()));
  }
  return out;
}

Result<Node> ConvertNode(const onnx::NodeProto& p, int index,
                         const std::map<std::string, int64_t>& opsets,
                         const ExternalDataContext& ext, int depth) {
  Node n;
  n.index = index;
  n.name = p.name();
  n.op_type = p.op_type();
  n.domain = CanonicalDomain(p.domain());
  auto it = opsets.find(n.domain);
  n.opset = it == opsets.end() ? 0 : it->second;
  if (n.op_type.empty()) return InvalidArgumentError(n.Describe() + " has no op_type");
  if (it == opsets.end()) {
    return InvalidArgumentError(n.Describe() + " uses domain " + Quoted(n.domain) +
                                ", which the model does not import (no opset_import entry)");
  }
  n.inputs.assign(p.input().begin(), p.input().end());
  n.outputs.assign(p.output().begin(), p.output().end());
  for (const auto& a : p.attribute()) {
    if (n.attributes.count(a.name())) {
      return InvalidArgumentError(n.Describe() + " has attribute " + Quoted(a.name()) + " twice");
    }
    ADS_ASSIGN_OR_RETURN(Attribute attr, ConvertAttribute(a, n, opsets, ext, depth));
    n.attributes.emplace(a.name(), std::move(attr));
  }
  return n;
}

// Checks that every value is produced once and every input is defined.
Status CheckValues(const Graph& g, bool check_undefined) {
  std::set<std::string> defined;
  for (const auto& [name, t] : g.initializers) defined.insert(name);
  for (const ValueInfo& in : g.inputs) {
    if (!defined.insert(in.name).second) {
      return InvalidArgumentError("graph input " + Quoted(in.name) + " is declared twice");
    }
  }
  for (const Node& n : g.nodes) {
    for (const std::string& out : n.outputs) {
      if (out.empty()) continue;
      if (!defined.insert(out).second) {
        return InvalidArgumentError(n.Describe() + " produces " + Quoted(out) +
                                    ", which is already defined elsewhere in the graph");
      }
    }
  }
  if (!check_undefined) return OkStatus();
  for (const Node& n : g.nodes) {
    for (const std::string& in : n.inputs) {
      if (!in.empty() && !defined.count(in)) {
        return InvalidArgumentError(n.Describe() + " reads " + Quoted(in) +
                                    ", which no graph input, initializer or node defines");
      }
    }
  }
  for (const ValueInfo& out : g.outputs) {
    if (!defined.count(out.name)) {
      return InvalidArgumentError("graph output " + Quoted(out.name) + " is never produced");
    }
  }
  return OkStatus();
}

Result<Graph> ConvertGraph(const onnx::GraphProto& p, const std::map<std::string, int64_t>& opsets,
                           const ExternalDataContext& ext, int depth, bool is_main) {
  if (depth > kMaxGraphDepth) return InvalidArgumentError("subgraphs are nested too deeply");
  Graph g;
  g.name = p.name();
  for (const auto& tp : p.initializer()) {
    auto t = TensorFromProto(tp, ext);
    if (!t.ok()) {
      return t.status().WithContext("initializer " + Quoted(tp.name()));
    }
    if (tp.name().empty()) return InvalidArgumentError("an initializer has no name");
    if (!g.initializers.emplace(tp.name(), std::move(t).value()).second) {
      return InvalidArgumentError("initializer " + Quoted(tp.name()) + " is defined twice");
    }
  }
  if (p.sparse_initializer_size() > 0) {
    return UnimplementedError("sparse initializers are not supported");
  }
  for (const auto& vi : p.input()) {
    if (g.initializers.count(vi.name())) continue;  // IR < 4 lists initializers as inputs
    g.inputs.push_back({vi.name(), ConvertType(vi.type())});
  }
  for (const auto& vi : p.output()) g.outputs.push_back({vi.name(), ConvertType(vi.type())});
  for (const auto& vi : p.value_info()) g.value_types[vi.name()] = ConvertType(vi.type());
  for (int i = 0; i < p.node_size(); ++i) {
    ADS_ASSIGN_OR_RETURN(Node n, ConvertNode(p.node(i), i, opsets, ext, depth));
    g.nodes.push_back(std::move(n));
  }
  ADS_RETURN_IF_ERROR(CheckValues(g, is_main));
  if (is_main) ADS_RETURN_IF_ERROR(TopologicalOrder(g).status());
  return g;
}

}  // namespace

std::string CanonicalDomain(std::string_view domain) {
  if (domain.empty() || domain == "ai.onnx") return std::string(kOnnxDomain);
  return std::string(domain);
}

std::string_view AttributeTypeName(AttributeType type) {
  switch (type) {
    case AttributeType::kFloat: return "float";
    case AttributeType::kInt: return "int";
    case AttributeType::kString: return "string";
    case AttributeType::kTensor: return "tensor";
    case AttributeType::kGraph: return "graph";
    case AttributeType::kFloats: return "floats";
    case AttributeType::kInts: return "ints";
    case AttributeType::kStrings: return "strings";
    case AttributeType::kTensors: return "tensors";
    case AttributeType::kGraphs: return "graphs";
    case AttributeType::kSparseTensor: return "sparse tensor";
    case AttributeType::kTypeProto: return "type";
    default: return "undefined";
  }
}

std::string ValueType::ToString() const {
  switch (kind) {
    case Kind::kTensor: {
      std::string s = "tensor(" + std::string(DataTypeName(elem_type)) + ")";
      if (has_shape) s += ShapeToString(dims);
      return s;
    }
    case Kind::kSequence: return "sequence(" + (element ? element->ToString() : "?") + ")";
    case Kind::kMap:
      return "map(" + std::string(DataTypeName(map_key_type)) + ", " +
             (element ? element->ToString() : "?") + ")";
    case Kind::kOptional: return "optional(" + (element ? element->ToString() : "?") + ")";
    default: return "unknown";
  }
}

std::string Node::Describe() const {
  const std::string what = domain + "::" + op_type + ", opset " + std::to_string(opset) + ")";
  if (name.empty()) return "node #" + std::to_string(index) + " (" + what;
  return "node " + Quoted(name) + " (#" + std::to_string(index) + ", " + what;
}

const Attribute* Node::FindAttribute(std::string_view attr_name) const {
  auto it = attributes.find(std::string(attr_name));
  return it == attributes.end() ? nullptr : &it->second;
}

std::vector<std::string> ImplicitInputs(const Node& node) {
  std::set<std::string> names;
  for (const auto& [attr_name, a] : node.attributes) {
    std::vector<std::shared_ptr<const Graph>> graphs = a.graphs;
    if (a.g) graphs.push_back(a.g);
    for (const auto& g : graphs) {
      for (std::string& v : FreeVariables(*g)) names.insert(std::move(v));
    }
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> FreeVariables(const Graph& g) {
  std::set<std::string> defined, used;
  for (const auto& [name, t] : g.initializers) defined.insert(name);
  for (const ValueInfo& in : g.inputs) defined.insert(in.name);
  for (const Node& n : g.nodes) {
    for (const std::string& out : n.outputs) defined.insert(out);
    for (const std::string& in : n.inputs) used.insert(in);
    for (std::string& in : ImplicitInputs(n)) used.insert(std::move(in));
  }
  for (const ValueInfo& out : g.outputs) used.insert(out.name);
  std::vector<std::string> free;
  for (const std::string& u : used) {
    if (!u.empty() && !defined.count(u)) free.push_back(u);
  }
  return free;
}

Result<std::vector<int>> TopologicalOrder(const Graph& g) {
  std::map<std::string, int> producer;
  for (const Node& n : g.nodes) {
    for (const std::string& out : n.outputs) {
      if (!out.empty()) producer[out] = n.index;
    }
  }
  // Kahn's algorithm, taking ready nodes in file order for a stable plan.
  const size_t count = g.nodes.size();
  std::vector<int> pending(count, 0);
  std::vector<std::vector<int>> consumers(count);
  for (const Node& n : g.nodes) {
    std::set<int> deps;
    std::vector<std::string> reads = n.inputs;
    for (std::string& in : ImplicitInputs(n)) reads.push_back(std::move(in));
    for (const std::string& in : reads) {
      auto it = producer.find(in);
      if (!in.empty() && it != producer.end()) deps.insert(it->second);
    }
    pending[n.index] = static_cast<int>(deps.size());
    for (int d : deps) consumers[d].push_back(n.index);
  }
  std::set<int> ready;
  for (size_t i = 0; i < count; ++i) {
    if (pending[i] == 0) ready.insert(static_cast<int>(i));
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (int c : consumers[i]) {
      if (--pending[c] == 0) ready.insert(c);
    }
  }
  if (order.size() != count) {
    for (size_t i = 0; i < count; ++i) {
      if (pending[i] > 0) {
        return InvalidArgumentError("the graph has a cycle through " + g.nodes[i].Describe());
      }
    }
  }
  return order;
}

Result<Model> ParseModel(std::string_view bytes, const ExternalDataContext& external) {
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) {
    return InvalidArgumentError("the ONNX model is larger than 2 GB, which protobuf cannot parse");
  }
  onnx::ModelProto proto;
  bool parsed = false;
  try {
    parsed = proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  } catch (const std::exception& e) {
    return InvalidArgumentError(std::string("the ONNX model could not be parsed: ") + e.what());
  }
  if (!parsed) {
    return InvalidArgumentError("the ONNX model is not a valid ModelProto (protobuf parse failed)");
  }
  Model m;
  m.ir_version = proto.ir_version();
  m.producer_name = proto.producer_name();
  m.producer_version = proto.producer_version();
  for (const auto& op : proto.opset_import()) {
    m.opsets[CanonicalDomain(op.domain())] = op.version();
  }
  if (m.opsets.empty()) m.opsets[std::string(kOnnxDomain)] = 1;  // IR 1/2 implied opset 1
  if (!proto.has_graph()) return InvalidArgumentError("the ONNX model has no graph");
  ADS_ASSIGN_OR_RETURN(m.graph, ConvertGraph(proto.graph(), m.opsets, external, 0, true));
  return m;
}

Result<Model> LoadModel(Env& env, const std::string& path) {
  ADS_ASSIGN_OR_RETURN(std::string bytes, env.ReadFile(path));
  auto model = ParseModel(bytes, ExternalDataContext{&env, DirName(path)});
  if (!model.ok()) return model.status().WithContext(path);
  return model;
}

}  // namespace ads::engine
