// Session: a loaded, ready-to-run ONNX model.
//
//   ADS_ASSIGN_OR_RETURN(std::unique_ptr<Session> s,
//                        Session::Load(env, "model.onnx", {.threads = 1}));
//   ADS_ASSIGN_OR_RETURN(auto outputs,
//                        s->Run({{"input", Value(Tensor::FromVector<float>({1, 4}, x))}}));
//   const Tensor& label = outputs.at("label").tensor();
//
// Load parses the model, infers the type and shape of every value (a graph
// whose declared shapes cannot work fails here, naming the node), resolves
// one kernel per node from the registry (unsupported operators fail here,
// naming the node), folds nodes whose inputs are all constant, and computes
// the execution order once (GraphExecutor).
// Run checks the inputs against the declared types, executes the plan, and
// frees each intermediate value after its last consumer ran.
//
// Thread-safety: Run is const and may be called from many threads at once;
// each call keeps its values on its own. The thread pool is shared.
#ifndef ADS_ENGINE_SESSION_H_
#define ADS_ENGINE_SESSION_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/status.h"
#include "engine/executor.h"
#include "engine/kernel.h"
#include "engine/model.h"
#include "engine/shape_inference.h"
#include "engine/thread_pool.h"
#include "engine/value.h"

namespace ads::engine {

struct SessionOptions {
  int threads = 0;  // intra-op threads; 0 = one per hardware thread
  bool constant_folding = true;
  const KernelRegistry* registry = nullptr;  // null = KernelRegistry::Default()
  // A pool shared with other sessions (not owned; must outlive the session).
  // When set, `threads` is ignored.
  ThreadPool* shared_pool = nullptr;
  // Reuse intermediate buffers across runs (per-run arenas, arena.h).
  bool arena = true;
  // Fuse Gemm/MatMul/Conv with a following bias Add and Relu.
  bool fusion = true;
  // Infer every value's type and shape at load and refuse graphs that
  // cannot run (shape_inference.h); off = types() is empty.
  bool shape_inference = true;
};

class Session {
 public:
  static Result<std::unique_ptr<Session>> Load(Env& env, const std::string& path,
                                               const SessionOptions& options = {});
  // `external` locates external tensor data, if the model has any.
  static Result<std::unique_ptr<Session>> LoadFromBytes(std::string_view bytes,
                                                        const SessionOptions& options = {},
                                                        const ExternalDataContext& external = {});
  static Result<std::unique_ptr<Session>> FromModel(Model model,
                                                    const SessionOptions& options = {});

  const Model& model() const { return *model_; }
  // The graph inputs a caller must feed (initializers excluded) and the outputs.
  const std::vector<ValueInfo>& inputs() const { return model_->graph.inputs; }
  const std::vector<ValueInfo>& outputs() const { return model_->graph.outputs; }
  // Nodes evaluated at load time by constant folding, and nodes left to run.
  size_t folded_nodes() const { return executor_->folded_nodes(); }
  size_t planned_nodes() const { return executor_->planned_nodes(); }
  // The element type and shape inferred at load for every value of the
  // main graph (inputs, initializers, node outputs).
  const InferredTypes& types() const { return types_; }
  // The main graph's plan (fusion, arenas), for tests and diagnostics.
  const GraphExecutor& executor() const { return *executor_; }

  // Runs with named inputs; returns every graph output by name.
  Result<std::map<std::string, Value>> Run(const std::map<std::string, Value>& feeds) const;
  // Runs with inputs in the order of inputs(); outputs in the order of outputs().
  Result<std::vector<Value>> RunPositional(std::vector<Value> inputs) const;

 private:
  Session() = default;
  Status CheckInput(const ValueInfo& info, const Value& value) const;

  // Declaration order matters: the executor points into the model.
  std::unique_ptr<Model> model_;
  InferredTypes types_;
  std::unique_ptr<ThreadPool> own_pool_;
  ThreadPool* pool_ = nullptr;  // own_pool_ or the shared one
  std::unique_ptr<GraphExecutor> executor_;
};

}  // namespace ads::engine

#endif  // ADS_ENGINE_SESSION_H_
