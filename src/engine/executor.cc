#include "engine/executor.h"

#include <exception>
#include <new>

#include "base/strings.h"

namespace ads::engine {

struct GraphExecutor::Step {
  const Node* node = nullptr;
  std::unique_ptr<Kernel> kernel;
  std::vector<int> inputs;   // value index, -1 = absent optional input
  std::vector<int> outputs;  // value index, -1 = unused optional output
  std::vector<int> release;  // values whose last reader is this step
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
  for (int node_index : remaining) {
    Step step;
    step.node = &g.nodes[node_index];
    ADS_ASSIGN_OR_RETURN(step.kernel, CreateKernel(registry, *step.node, &step.inputs));
    for (const std::string& out : step.node->outputs) {
      step.outputs.push_back(out.empty() ? -1 : value_index_.at(out));
    }
    steps_.push_back(std::move(step));
  }
  // Free each computed value after its last reader; graph outputs are kept.
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
  return OkStatus();
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
      has_subgraph = has_subgraph || a.type == AttributeType::kGraph || a.type == AttributeType::kGraphs;
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

Result<std::vector<Value>> GraphExecutor::Run(std::vector<Value> feeds, ThreadPool* pool) const {
  if (feeds.size() != feed_slots_.size()) {
    return InternalError("the graph expects " + std::to_string(feed_slots_.size()) +
                         " feeds, got " + std::to_string(feeds.size()));
  }
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
  for (int v : output_slots_) {
    if (ptrs[v] == nullptr || ptrs[v]->is_none()) {
      return InternalError("graph output " + Quoted(value_names_[v]) + " was not computed");
    }
    outs.push_back(*ptrs[v]);
  }
  return outs;
}

}  // namespace ads::engine
