#include "engine/executor.h"

#include <algorithm>
#include <exception>
#include <new>
#include <set>
#include <string_view>

#include "base/strings.h"

namespace ads::engine {

struct GraphExecutor::Step {
  const Node* node = nullptr;
  std::unique_ptr<Kernel> kernel;
  std::vector<int> inputs;     // value index, -1 = absent optional input
  std::vector<int> outputs;    // value index, -1 = unused optional output
  std::vector<int> release;    // values whose last reader is this step
  std::vector<bool> escaping;  // per output: a graph output (not from the arena)
};

namespace {

// Kernels report errors as Status; this backstop turns anything thrown below
// them (std::bad_alloc for a huge requested shape, a library exception) into
// an error so that no exception leaves the engine.
Status RunGuarded(const Kernel& kernel, KernelContext& ctx) {
  try {
    return kernel.Run(ctx);
  } catch (const std::bad_alloc&) {
    return OutOfRangeError("not enough memory for the result");
  } catch (const std::exception& e) {
    return InternalError(std::string("unexpected exception: ") + e.what());
  }
}

// Ops whose output must not be computed once at load time.
bool IsNondeterministic(const Node& n) {
  return n.op_type.rfind("Random", 0) == 0 || n.op_type == "Multinomial" ||
         n.op_type == "Bernoulli";
}

}  // namespace

GraphExecutor::~GraphExecutor() = default;

size_t GraphExecutor::planned_nodes() const { return steps_.size(); }

Result<std::unique_ptr<GraphExecutor>> GraphExecutor::Create(const Graph& graph,
                                                             std::vector<std::string> feeds,
                                                             const ExecutorOptions& options) {
  std::unique_ptr<GraphExecutor> e(new GraphExecutor());
  e->graph_ = &graph;
  ADS_RETURN_IF_ERROR(e->Prepare(options, feeds));
  return e;
}

int GraphExecutor::ValueIndex(const std::string& name) {
  auto [it, inserted] = value_index_.emplace(name, static_cast<int>(value_names_.size()));
  if (inserted) value_names_.push_back(name);
  return it->second;
}

Status GraphExecutor::Prepare(const ExecutorOptions& options,
                              const std::vector<std::string>& feeds) {
  const KernelRegistry& registry = options.registry ? *options.registry : KernelRegistry::Default();
  const Graph& g = *graph_;
  constant_folding_ = options.constant_folding;
  for (const auto& [name, t] : g.initializers) ValueIndex(name);
  for (const std::string& f : feeds) feed_slots_.push_back(ValueIndex(f));
  for (const Node& n : g.nodes) {
    for (const std::string& out : n.outputs) {
      if (!out.empty()) ValueIndex(out);
    }
  }
  for (const std::string& free : FreeVariables(g)) {
    if (!value_index_.count(free)) {
      return InvalidArgumentError("the graph reads " + Quoted(free) + ", which nothing defines");
    }
  }
  for (const ValueInfo& out : g.outputs) output_slots_.push_back(ValueIndex(out.name));
  for (size_t o = 0; o < output_slots_.size(); ++o) {
    last_output_use_.push_back(std::find(output_slots_.begin() + o + 1, output_slots_.end(),
                                         output_slots_[o]) == output_slots_.end());
  }
  constants_.resize(value_names_.size());
  is_constant_.assign(value_names_.size(), false);
  for (const auto& [name, t] : g.initializers) {
    constants_[value_index_[name]] = Value(t);
    is_constant_[value_index_[name]] = true;
  }
  ADS_ASSIGN_OR_RETURN(std::vector<int> order, TopologicalOrder(g));
  std::vector<int> remaining;
  if (options.constant_folding) {
    ADS_RETURN_IF_ERROR(FoldConstants(registry, options.pool, order, &remaining));
  } else {
    remaining = order;
  }
  std::vector<const Node*> nodes;
  for (int node_index : remaining) nodes.push_back(&g.nodes[node_index]);
  if (options.fusion) {
    ADS_RETURN_IF_ERROR(Fuse(registry, nodes));
  } else {
    for (const Node* n : nodes) {
      Step step;
      step.node = n;
      ADS_ASSIGN_OR_RETURN(step.kernel, CreateKernel(registry, *n, &step.inputs));
      steps_.push_back(std::move(step));
    }
  }
  for (Step& step : steps_) {
    for (const std::string& out : step.node->outputs) {
      step.outputs.push_back(out.empty() ? -1 : value_index_.at(out));
    }
  }
  PlanLifetimes();
  if (options.arena) arenas_ = std::make_unique<ArenaPool>();
  return OkStatus();
}

// Frees each computed value after its last reader (graph outputs are kept),
// so the run's arena can hand its buffer to a later step.
void GraphExecutor::PlanLifetimes() {
  std::vector<int> last_use(value_names_.size(), -1);
  for (size_t s = 0; s < steps_.size(); ++s) {
    for (int v : steps_[s].inputs) {
      if (v >= 0) last_use[v] = static_cast<int>(s);
    }
    for (int v : steps_[s].outputs) {
      if (v >= 0 && last_use[v] < static_cast<int>(s)) last_use[v] = static_cast<int>(s);
    }
  }
  std::vector<bool> keep(value_names_.size(), false);
  for (int v : output_slots_) keep[v] = true;
  for (size_t v = 0; v < last_use.size(); ++v) {
    if (last_use[v] >= 0 && !keep[v] && !is_constant_[v]) {
      steps_[last_use[v]].release.push_back(static_cast<int>(v));
    }
  }
  for (Step& step : steps_) {
    for (int v : step.outputs) step.escaping.push_back(v >= 0 && keep[v]);
  }
}

std::vector<std::string> GraphExecutor::planned_ops() const {
  std::vector<std::string> ops;
  for (const Step& step : steps_) ops.push_back(step.node->op_type);
  return ops;
}

// Resolves the node's kernel; `inputs` receives the value indices of its
// explicit inputs followed by its implicit (subgraph) inputs.
Result<std::unique_ptr<Kernel>> GraphExecutor::CreateKernel(const KernelRegistry& registry,
                                                            const Node& n,
                                                            std::vector<int>* inputs) const {
  std::map<size_t, const Value*> constant_inputs;
  std::vector<std::string> names = n.inputs;
  const std::vector<std::string> implicit = ImplicitInputs(n);
  names.insert(names.end(), implicit.begin(), implicit.end());
  for (size_t i = 0; i < names.size(); ++i) {
    const int v = names[i].empty() ? -1 : value_index_.at(names[i]);
    inputs->push_back(v);
    if (v >= 0 && is_constant_[v] && i < n.inputs.size()) constant_inputs[i] = &constants_[v];
  }
  KernelInfo info(n, std::move(constant_inputs));
  info.SetSubgraphContext(implicit, &registry, constant_folding_);
  try {
    return registry.Create(info);
  } catch (const std::exception& e) {
    return InternalError(n.Describe() + ": unexpected exception: " + e.what());
  }
}

namespace {

bool IsOnnxOp(const Node& n, std::string_view op) {
  return n.domain == kOnnxDomain && n.op_type == op;
}

// A MaxPool that the fused Conv can apply per image (kFusedMaxPoolAttribute):
// 2x2 windows, stride 2, no pads, no dilation, floor rounding, no Indices.
bool IsFusableMaxPool(const Node& n) {
  if (!IsOnnxOp(n, "MaxPool") || n.inputs.size() != 1 || n.outputs.empty() ||
      n.outputs[0].empty() || (n.outputs.size() > 1 && !n.outputs[1].empty())) {
    return false;
  }
  auto ints_are = [&](std::string_view name, std::vector<int64_t> want, bool may_be_absent) {
    const Attribute* a = n.FindAttribute(name);
    if (a == nullptr) return may_be_absent;
    return a->type == AttributeType::kInts && a->ints == want;
  };
  const Attribute* auto_pad = n.FindAttribute("auto_pad");
  const Attribute* ceil_mode = n.FindAttribute("ceil_mode");
  return ints_are("kernel_shape", {2, 2}, false) && ints_are("strides", {2, 2}, false) &&
         (ints_are("pads", {0, 0, 0, 0}, true)) && ints_are("dilations", {1, 1}, true) &&
         (auto_pad == nullptr || auto_pad->s == "NOTSET" || auto_pad->s == "VALID") &&
         (ceil_mode == nullptr || ceil_mode->i == 0);
}

void SetIntAttribute(Node& n, std::string_view name) {
  Attribute a;
  a.name = std::string(name);
  a.type = AttributeType::kInt;
  a.i = 1;
  n.attributes[a.name] = std::move(a);
}

}  // namespace

// Creates one step per node, merging a Gemm/MatMul/Conv with the bias Add
// (MatMul only, constant 1-D bias) and Relu that alone read its result, when
// the result is not a graph output and the fast kernel takes the merged node
// (Kernel::applies_fusion). Otherwise the nodes stay apart.
Status GraphExecutor::Fuse(const KernelRegistry& registry, const std::vector<const Node*>& nodes) {
  std::map<std::string, int> readers;
  std::map<std::string, size_t> reader_pos;
  for (size_t pos = 0; pos < nodes.size(); ++pos) {
    std::vector<std::string> names = nodes[pos]->inputs;
    const std::vector<std::string> implicit = ImplicitInputs(*nodes[pos]);
    names.insert(names.end(), implicit.begin(), implicit.end());
    for (const std::string& in : names) {
      if (in.empty()) continue;
      ++readers[in];
      reader_pos[in] = pos;
    }
  }
  std::set<std::string> graph_outputs;
  for (const ValueInfo& out : graph_->outputs) graph_outputs.insert(out.name);
  // The position of the only node reading `v`, or -1.
  auto sole_reader = [&](const std::string& v) -> int {
    if (graph_outputs.count(v) || readers[v] != 1) return -1;
    return static_cast<int>(reader_pos.at(v));
  };
  std::vector<bool> absorbed(nodes.size(), false);
  for (size_t pos = 0; pos < nodes.size(); ++pos) {
    if (absorbed[pos]) continue;
    const Node& n = *nodes[pos];
    Step step;
    step.node = &n;
    const bool candidate = (IsOnnxOp(n, "Gemm") || IsOnnxOp(n, "MatMul") || IsOnnxOp(n, "Conv")) &&
                           n.outputs.size() == 1 && !n.outputs[0].empty();
    if (candidate) {
      auto fused = std::make_unique<Node>(n);
      std::vector<int> eaten;
      std::string out = n.outputs[0];
      int r = sole_reader(out);
      if (r >= 0 && IsOnnxOp(n, "MatMul") && IsOnnxOp(*nodes[r], "Add") && nodes[r]->opset >= 7 &&
          nodes[r]->inputs.size() == 2 && nodes[r]->outputs.size() == 1) {
        const Node& add = *nodes[r];
        const std::string& other = add.inputs[0] == out ? add.inputs[1] : add.inputs[0];
        const int v = other.empty() ? -1 : value_index_.at(other);
        if (v >= 0 && is_constant_[v] && constants_[v].is_tensor() &&
            constants_[v].tensor().rank() == 1) {
          fused->inputs.push_back(other);
          SetIntAttribute(*fused, kFusedBiasAttribute);
          eaten.push_back(r);
          out = add.outputs[0];
          r = sole_reader(out);
        }
      }
      if (r >= 0 && IsOnnxOp(*nodes[r], "Relu") && nodes[r]->inputs.size() == 1 &&
          nodes[r]->outputs.size() == 1) {
        SetIntAttribute(*fused, kFusedReluAttribute);
        eaten.push_back(r);
        out = nodes[r]->outputs[0];
        r = sole_reader(out);
      }
      // Makes `node` (which absorbs `eat`, its output being `last`) the step;
      // false when its kernel does not honour the fusion attributes.
      auto try_fuse = [&](std::unique_ptr<Node> node, const std::vector<int>& eat,
                          const std::string& last) {
        node->outputs = {last};
        std::vector<int> inputs;
        auto kernel = CreateKernel(registry, *node, &inputs);
        if (!kernel.ok() || !(*kernel)->applies_fusion()) return false;
        step.node = node.get();
        step.kernel = std::move(*kernel);
        step.inputs = std::move(inputs);
        fused_.push_back(std::move(node));
        for (int e : eat) absorbed[e] = true;
        fused_nodes_ += eat.size();
        steps_.push_back(std::move(step));
        return true;
      };
      // A Conv(+Relu) read only by a 2x2 MaxPool: pooled per image while in
      // cache. Without a kernel for that, the Conv(+Relu) alone is tried.
      if (r >= 0 && IsOnnxOp(n, "Conv") && IsFusableMaxPool(*nodes[r])) {
        auto pooled = std::make_unique<Node>(*fused);
        SetIntAttribute(*pooled, kFusedMaxPoolAttribute);
        std::vector<int> eat = eaten;
        eat.push_back(r);
        if (try_fuse(std::move(pooled), eat, nodes[r]->outputs[0])) continue;
      }
      if (!eaten.empty() && try_fuse(std::move(fused), eaten, out)) continue;
    }
    ADS_ASSIGN_OR_RETURN(step.kernel, CreateKernel(registry, n, &step.inputs));
    steps_.push_back(std::move(step));
  }
  return OkStatus();
}

Status GraphExecutor::FoldConstants(const KernelRegistry& registry, ThreadPool* pool,
                                    const std::vector<int>& order, std::vector<int>* remaining) {
  for (int node_index : order) {
    const Node& n = graph_->nodes[node_index];
    bool foldable = !IsNondeterministic(n) && ImplicitInputs(n).empty();
    for (const std::string& in : n.inputs) {
      foldable = foldable && (in.empty() || is_constant_[value_index_.at(in)]);
    }
    bool has_subgraph = false;
    for (const auto& [name, a] : n.attributes) {
      has_subgraph =
          has_subgraph || a.type == AttributeType::kGraph || a.type == AttributeType::kGraphs;
    }
    if (!foldable || has_subgraph) {
      remaining->push_back(node_index);
      continue;
    }
    std::vector<int> input_slots;
    ADS_ASSIGN_OR_RETURN(auto kernel, CreateKernel(registry, n, &input_slots));
    std::vector<const Value*> inputs;
    for (int v : input_slots) inputs.push_back(v >= 0 ? &constants_[v] : nullptr);
    KernelContext ctx(std::move(inputs), n.outputs.size(), pool);
    Status st = RunGuarded(*kernel, ctx);
    if (!st.ok()) return st.WithContext(n.Describe() + " (constant folding)");
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      if (n.outputs[o].empty()) continue;
      const int v = value_index_.at(n.outputs[o]);
      constants_[v] = std::move(ctx.outputs()[o]);
      is_constant_[v] = true;
    }
    ++folded_nodes_;
  }
  return OkStatus();
}

namespace {

// A copy of `v` that owns its buffers wherever they came from a run's arena.
Value CopyOutOfArena(Value v) {
  if (v.is_tensor()) {
    if (v.tensor().from_allocator()) return Value(v.tensor().Clone());
  } else if (v.is_sequence()) {
    for (Value& item : v.sequence().items) item = CopyOutOfArena(std::move(item));
  } else if (v.is_map()) {
    Map& m = v.map();
    if (m.keys.from_allocator()) m.keys = m.keys.Clone();
    if (m.values.from_allocator()) m.values = m.values.Clone();
  }
  return v;
}

}  // namespace

Result<std::vector<Value>> GraphExecutor::Run(std::vector<Value> feeds, ThreadPool* pool) const {
  if (feeds.size() != feed_slots_.size()) {
    return InternalError("the graph expects " + std::to_string(feed_slots_.size()) +
                         " feeds, got " + std::to_string(feeds.size()));
  }
  std::shared_ptr<Arena> arena = arenas_ ? arenas_->CheckOut() : nullptr;
  auto outs = RunSteps(std::move(feeds), pool, arena);
  // Every intermediate is gone by now: the arena's buffers are all free.
  if (arena) arenas_->CheckIn(std::move(arena));
  return outs;
}

Result<std::vector<Value>> GraphExecutor::RunSteps(std::vector<Value> feeds, ThreadPool* pool,
                                                   const std::shared_ptr<Arena>& arena) const {
  std::vector<Value> slots(value_names_.size());
  std::vector<const Value*> ptrs(value_names_.size(), nullptr);
  for (size_t v = 0; v < constants_.size(); ++v) {
    if (is_constant_[v]) ptrs[v] = &constants_[v];
  }
  for (size_t i = 0; i < feeds.size(); ++i) {
    const int v = feed_slots_[i];
    slots[v] = std::move(feeds[i]);
    ptrs[v] = &slots[v];
  }
  for (const Step& step : steps_) {
    std::vector<const Value*> in;
    in.reserve(step.inputs.size());
    for (int v : step.inputs) {
      if (v >= 0 && ptrs[v] == nullptr) {
        return InternalError(step.node->Describe() + " runs before its input " +
                             Quoted(value_names_[v]) + " was computed");
      }
      in.push_back(v >= 0 ? ptrs[v] : nullptr);
    }
    KernelContext ctx(std::move(in), step.outputs.size(), pool);
    if (arena) ctx.SetAllocator(arena, &step.escaping);
    Status st = RunGuarded(*step.kernel, ctx);
    if (!st.ok()) return st.WithContext(step.node->Describe());
    for (size_t o = 0; o < step.outputs.size(); ++o) {
      const int v = step.outputs[o];
      if (v < 0) continue;
      slots[v] = std::move(ctx.outputs()[o]);
      ptrs[v] = &slots[v];
    }
    for (int v : step.release) {
      slots[v] = Value();
      ptrs[v] = nullptr;
    }
  }
  std::vector<Value> outs;
  outs.reserve(output_slots_.size());
  for (size_t o = 0; o < output_slots_.size(); ++o) {
    const int v = output_slots_[o];
    if (ptrs[v] == nullptr || ptrs[v]->is_none()) {
      return InternalError("graph output " + Quoted(value_names_[v]) + " was not computed");
    }
    // The run's own slots die here, so their values move out; constants and
    // a value listed again as a later output are copied.
    Value out = ptrs[v] == &slots[v] && last_output_use_[o] ? std::move(slots[v]) : *ptrs[v];
    // A view of an intermediate (Reshape, Identity) may still sit in the arena.
    outs.push_back(arena ? CopyOutOfArena(std::move(out)) : std::move(out));
  }
  return outs;
}

}  // namespace ads::engine
