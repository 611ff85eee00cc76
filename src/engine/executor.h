// GraphExecutor: the execution plan of one graph (the main graph of a
// Session, or a subgraph of If/Loop/Scan).
//
//   ADS_ASSIGN_OR_RETURN(auto exec, GraphExecutor::Create(graph, {"x"}, options));
//   ADS_ASSIGN_OR_RETURN(std::vector<Value> outs, exec->Run({Value(x)}, pool));
//
// Create resolves one kernel per node, evaluates nodes whose inputs are all
// constant (constant folding), orders the rest topologically, and plans when
// each intermediate value can be freed. `feeds` names the values bound at
// Run, in order: the graph inputs, then any outer-scope values a subgraph
// reads. Nodes that own subgraphs receive the outer values their subgraphs
// read as extra ("implicit") inputs after their explicit ones.
//
// Thread-safety: Run is const and keeps per-call state on its own stack, so
// many threads may run one executor at once.
#ifndef ADS_ENGINE_EXECUTOR_H_
#define ADS_ENGINE_EXECUTOR_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/arena.h"
#include "engine/kernel.h"
#include "engine/model.h"
#include "engine/thread_pool.h"
#include "engine/value.h"

namespace ads::engine {

struct ExecutorOptions {
  const KernelRegistry* registry = nullptr;  // null = KernelRegistry::Default()
  bool constant_folding = true;
  ThreadPool* pool = nullptr;  // used by constant folding at Create
  // Intermediate values take their buffers from a per-run arena reused
  // across runs (arena.h); off = every tensor from the heap.
  bool arena = true;
  // Fuse Gemm/MatMul/Conv with a following bias Add and Relu (fusion.h).
  bool fusion = true;
};

class GraphExecutor {
 public:
  // `graph` must outlive the executor.
  static Result<std::unique_ptr<GraphExecutor>> Create(const Graph& graph,
                                                       std::vector<std::string> feeds,
                                                       const ExecutorOptions& options);
  ~GraphExecutor();

  // Runs with `feeds` in the order given to Create; returns the graph
  // outputs in order.
  Result<std::vector<Value>> Run(std::vector<Value> feeds, ThreadPool* pool) const;

  size_t folded_nodes() const { return folded_nodes_; }
  size_t planned_nodes() const;
  // Nodes merged into another by the fusion pass ("Relu into Gemm").
  size_t fused_nodes() const { return fused_nodes_; }
  // The op_type of each planned step, in run order (for tests).
  std::vector<std::string> planned_ops() const;
  // The arenas of finished runs (for tests and diagnostics); null if off.
  const ArenaPool* arenas() const { return arenas_.get(); }

 private:
  struct Step;
  GraphExecutor() = default;
  Status Prepare(const ExecutorOptions& options, const std::vector<std::string>& feeds);
  Status FoldConstants(const KernelRegistry& registry, ThreadPool* pool,
                       const std::vector<int>& order, std::vector<int>* remaining);
  Result<std::unique_ptr<Kernel>> CreateKernel(const KernelRegistry& registry, const Node& node,
                                               std::vector<int>* inputs) const;
  int ValueIndex(const std::string& name);
  Status Fuse(const KernelRegistry& registry, const std::vector<const Node*>& nodes);
  void PlanLifetimes();
  Result<std::vector<Value>> RunSteps(std::vector<Value> feeds, ThreadPool* pool,
                                      const std::shared_ptr<Arena>& arena) const;

  const Graph* graph_ = nullptr;
  std::map<std::string, int> value_index_;
  std::vector<std::string> value_names_;
  std::vector<Value> constants_;  // indexed like values; none where not constant
  std::vector<bool> is_constant_;
  std::vector<int> feed_slots_;
  std::vector<int> output_slots_;
  std::vector<bool> last_output_use_;  // per output: no later output is the same value
  std::vector<Step> steps_;
  size_t folded_nodes_ = 0;
  size_t fused_nodes_ = 0;
  bool constant_folding_ = true;
  std::vector<std::unique_ptr<Node>> fused_;  // nodes made by the fusion pass
  std::unique_ptr<ArenaPool> arenas_;
};

}  // namespace ads::engine

#endif  // ADS_ENGINE_EXECUTOR_H_
