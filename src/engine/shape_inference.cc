#include "engine/shape_inference.h"

#include <set>
#include <unordered_map>

#include "base/strings.h"
#include "engine/shape_rules.h"

namespace ads::engine {

using shape_internal::Dims;
using shape_internal::Info;
using shape_internal::kUnknownDim;
using shape_internal::RuleContext;
using shape_internal::RuleTable;

namespace shape_internal {

RuleContext::RuleContext(const Node& node, std::vector<const Info*> inputs)
    : node_(node), inputs_(std::move(inputs)), outputs_(node.outputs.size()) {}

DataType RuleContext::elem(size_t i) const {
  const Info* in = input(i);
  if (in == nullptr || in->type.kind != ValueType::Kind::kTensor) return DataType::kUndefined;
  return in->type.elem_type;
}

const Dims* RuleContext::dims(size_t i) const {
  const Info* in = input(i);
  if (in == nullptr || in->type.kind != ValueType::Kind::kTensor || !in->type.has_shape) {
    return nullptr;
  }
  return &in->type.dims;
}

const std::vector<int64_t>* RuleContext::ints(size_t i) const {
  const Info* in = input(i);
  return in != nullptr && in->has_ints ? &in->ints : nullptr;
}

void RuleContext::SetTensor(size_t i, DataType type, Dims dims) {
  if (i >= outputs_.size()) return;
  Info& out = outputs_[i];
  out.type.kind = ValueType::Kind::kTensor;
  out.type.elem_type = type;
  out.type.has_shape = true;
  for (int64_t& d : dims) {
    if (d < 0) d = kUnknownDim;
  }
  out.type.dims = std::move(dims);
}

void RuleContext::SetTensorOfRank(size_t i, DataType type, size_t rank) {
  SetTensor(i, type, Dims(rank, kUnknownDim));
}

void RuleContext::SetTensorNoShape(size_t i, DataType type) {
  if (i >= outputs_.size()) return;
  Info& out = outputs_[i];
  out.type.kind = ValueType::Kind::kTensor;
  out.type.elem_type = type;
  out.type.has_shape = false;
  out.type.dims.clear();
}

void RuleContext::SetLike(size_t i, size_t in, DataType type) {
  if (type == DataType::kUndefined) type = elem(in);
  if (const Dims* d = dims(in)) {
    SetTensor(i, type, *d);
  } else {
    SetTensorNoShape(i, type);
  }
}

int64_t RuleContext::Int(std::string_view name, int64_t fallback) const {
  const Attribute* a = node_.FindAttribute(name);
  return a != nullptr && a->type == AttributeType::kInt ? a->i : fallback;
}

std::string RuleContext::String(std::string_view name, std::string fallback) const {
  const Attribute* a = node_.FindAttribute(name);
  return a != nullptr && a->type == AttributeType::kString ? a->s : fallback;
}

const std::vector<int64_t>* RuleContext::Ints(std::string_view name) const {
  const Attribute* a = node_.FindAttribute(name);
  return a != nullptr && a->type == AttributeType::kInts ? &a->ints : nullptr;
}

Status RuleContext::Error(const std::string& what) const {
  return InvalidArgumentError(node_.Describe() + ": " + what);
}

Status RuleContext::SameType(size_t a, size_t b) const {
  const DataType ta = elem(a), tb = elem(b);
  if (ta == DataType::kUndefined || tb == DataType::kUndefined || ta == tb) return OkStatus();
  return Error("inputs " + std::to_string(a) + " and " + std::to_string(b) +
               " must have one element type, got " + std::string(DataTypeName(ta)) + " and " +
               std::string(DataTypeName(tb)));
}

DataType RuleContext::FirstType(std::initializer_list<size_t> ins) const {
  for (size_t i : ins) {
    if (elem(i) != DataType::kUndefined) return elem(i);
  }
  return DataType::kUndefined;
}

Result<int64_t> RuleContext::Axis(int64_t axis, int64_t rank, std::string_view what) const {
  if (axis < -rank || axis >= rank) {
    return Error(std::string(what) + " " + std::to_string(axis) + " is out of range for rank " +
                 std::to_string(rank));
  }
  return axis < 0 ? axis + rank : axis;
}

std::string DimsString(const Dims& dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) s += ",";
    s += dims[i] < 0 ? "?" : std::to_string(dims[i]);
  }
  return s + "]";
}

std::string DimsString(const Dims* dims) { return dims ? DimsString(*dims) : "[...]"; }

int64_t MulDims(int64_t a, int64_t b) {
  if (a < 0 || b < 0) return kUnknownDim;
  int64_t p = 0;
  if (__builtin_mul_overflow(a, b, &p)) return kUnknownDim;
  return p;
}

Result<Dims> Broadcast(const RuleContext& ctx, const Dims& a, const Dims& b) {
  const size_t rank = std::max(a.size(), b.size());
  Dims out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const size_t from_end = rank - i;
    const int64_t da = from_end <= a.size() ? a[a.size() - from_end] : 1;
    const int64_t db = from_end <= b.size() ? b[b.size() - from_end] : 1;
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else if (da < 0) {
      out[i] = db;  // valid only if the unknown dim is db or 1: either way db
    } else if (db < 0) {
      out[i] = da;
    } else {
      return ctx.Error("shapes " + DimsString(a) + " and " + DimsString(b) +
                       " cannot be broadcast (dims " + std::to_string(da) + " and " +
                       std::to_string(db) + ")");
    }
  }
  return out;
}

}  // namespace shape_internal

namespace {

const RuleTable& Rules() {
  static const RuleTable* table = [] {
    auto* t = new RuleTable();
    shape_internal::AddOnnxRules(*t);
    shape_internal::AddShapeRules(*t);
    shape_internal::AddMlRules(*t);
    return t;
  }();
  return *table;
}

constexpr int64_t kMaxTrackedInts = 64;

Info InfoOfTensor(const Tensor& t) {
  Info info;
  info.type.kind = ValueType::Kind::kTensor;
  info.type.elem_type = t.dtype();
  info.type.has_shape = true;
  info.type.dims = t.shape();
  if (t.size() <= kMaxTrackedInts && t.rank() <= 1) {
    if (t.dtype() == DataType::kInt64) {
      info.has_ints = true;
      info.ints.assign(t.data<int64_t>(), t.data<int64_t>() + t.size());
    } else if (t.dtype() == DataType::kInt32) {
      info.has_ints = true;
      info.ints.assign(t.data<int32_t>(), t.data<int32_t>() + t.size());
    }
  }
  return info;
}

// A declared type with negative dims (hostile or odd files) read as unknown.
ValueType Sanitized(ValueType t) {
  for (int64_t& d : t.dims) {
    if (d < 0) d = kUnknownDim;
  }
  return t;
}

// Fills what a rule left unknown from the graph's value_info declarations.
void MergeDeclared(const ValueType& declared, ValueType& inferred) {
  if (declared.kind == ValueType::Kind::kUnknown) return;
  if (inferred.kind == ValueType::Kind::kUnknown) {
    inferred = Sanitized(declared);
    return;
  }
  if (inferred.kind != ValueType::Kind::kTensor || declared.kind != ValueType::Kind::kTensor) {
    return;
  }
  if (inferred.elem_type == DataType::kUndefined) inferred.elem_type = declared.elem_type;
  if (!inferred.has_shape && declared.has_shape) {
    inferred.has_shape = true;
    inferred.dims = Sanitized(declared).dims;
  }
}

bool OwnsSubgraph(const Node& n) {
  for (const auto& [name, a] : n.attributes) {
    if (a.type == AttributeType::kGraph || a.type == AttributeType::kGraphs) return true;
  }
  return false;
}

// Refuses a graph output whose declared element type contradicts the
// inferred one (the caller would get another type than the model promises).
using InfoMap = std::unordered_map<std::string, Info>;
using ProducerMap = std::unordered_map<std::string, const Node*>;

Status CheckGraphOutputs(const Graph& graph, const InfoMap& infos,
                         const ProducerMap& producers) {
  for (const ValueInfo& out : graph.outputs) {
    const ValueType& declared = out.type;
    auto it = infos.find(out.name);
    if (it == infos.end()) continue;
    const ValueType& inferred = it->second.type;
    if (declared.kind != ValueType::Kind::kTensor || inferred.kind != ValueType::Kind::kTensor ||
        declared.elem_type == DataType::kUndefined ||
        inferred.elem_type == DataType::kUndefined || declared.elem_type == inferred.elem_type) {
      continue;
    }
    auto p = producers.find(out.name);
    const std::string by =
        p == producers.end() ? std::string("its initializer") : p->second->Describe();
    return InvalidArgumentError("graph output " + Quoted(out.name) + " is declared " +
                                declared.ToString() + ", but " + by + " produces " +
                                std::string(DataTypeName(inferred.elem_type)));
  }
  return OkStatus();
}

}  // namespace

const ValueType* InferredTypes::Find(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? nullptr : &it->second;
}

std::string TypeShapeString(const ValueType& type) {
  if (type.kind != ValueType::Kind::kTensor) return type.ToString();
  return "tensor(" +
         std::string(type.elem_type == DataType::kUndefined ? "?" : DataTypeName(type.elem_type)) +
         ")" + shape_internal::DimsString(type.has_shape ? &type.dims : nullptr);
}

Result<InferredTypes> InferTypes(const Graph& graph) {
  // Unordered: element references stay valid as it grows, and lookups
  // are the main cost of inference on large graphs.
  InfoMap infos;
  infos.reserve(graph.inputs.size() + graph.initializers.size() + 2 * graph.nodes.size());
  for (const ValueInfo& in : graph.inputs) infos[in.name].type = Sanitized(in.type);
  for (const auto& [name, t] : graph.initializers) infos[name] = InfoOfTensor(t);
  ADS_ASSIGN_OR_RETURN(std::vector<int> order, TopologicalOrder(graph));
  const RuleTable& rules = Rules();
  std::set<std::string> without_rule;
  ProducerMap producers;
  producers.reserve(2 * graph.nodes.size());
  InferredTypes result;
  std::string key;
  for (int index : order) {
    const Node& node = graph.nodes[index];
    std::vector<const Info*> inputs;
    for (const std::string& name : node.inputs) {
      auto it = name.empty() ? infos.end() : infos.find(name);
      inputs.push_back(it == infos.end() ? nullptr : &it->second);
    }
    RuleContext ctx(node, std::move(inputs));
    key.assign(node.domain).append("::").append(node.op_type);
    auto rule = rules.find(key);
    if (rule != rules.end() && !OwnsSubgraph(node)) {
      ADS_RETURN_IF_ERROR(rule->second(ctx));
      ++result.inferred_nodes;
    } else {
      without_rule.insert(key);
    }
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      const std::string& name = node.outputs[o];
      if (name.empty()) continue;
      Info& out = ctx.output(o);
      if (!graph.value_types.empty()) {
        auto declared = graph.value_types.find(name);
        if (declared != graph.value_types.end()) MergeDeclared(declared->second, out.type);
      }
      producers[name] = &node;
      infos.insert_or_assign(name, std::move(out));
    }
  }
  ADS_RETURN_IF_ERROR(CheckGraphOutputs(graph, infos, producers));
  for (auto& [name, info] : infos) result.values.emplace(name, std::move(info.type));
  result.ops_without_rule.assign(without_rule.begin(), without_rule.end());
  return result;
}

}  // namespace ads::engine
