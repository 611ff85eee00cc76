// Kernels and the kernel registry.
//
// A kernel implements one ONNX operator for a range of opset versions. It is
// created once per graph node (attributes parsed and validated then, so a bad
// attribute fails the model load with a clear error) and run many times,
// possibly concurrently: Run() must not modify the kernel.
//
//   class ReluKernel : public Kernel {
//    public:
//     Status Run(KernelContext& ctx) const override { ... }
//   };
//   registry.Register({"ai.onnx", "Relu", 6}, [](const KernelInfo& info)
//       -> Result<std::unique_ptr<Kernel>> { return std::make_unique<ReluKernel>(); });
//
// Resolution: for a node of domain D, op O, and the model's opset V for D, the
// registry takes the entries of (D, O) with the highest since_version <= V.
// Among those, higher `priority` wins; a factory may decline a node by
// returning a kUnimplemented status (e.g. a fast kernel for float only), and
// the next entry is tried. Reference kernels register with priority 0; fast
// kernels sit beside them with a higher priority.
//
// Thread-safety: a registry is filled once at start-up, then read-only.
#ifndef ADS_ENGINE_KERNEL_H_
#define ADS_ENGINE_KERNEL_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "engine/model.h"
#include "engine/tensor.h"
#include "engine/thread_pool.h"
#include "engine/value.h"

namespace ads::engine {

// What a kernel sees at run time.
class KernelContext {
 public:
  KernelContext(std::vector<const Value*> inputs, size_t num_outputs, ThreadPool* pool)
      : inputs_(std::move(inputs)), outputs_(num_outputs), pool_(pool) {}

  size_t num_inputs() const { return inputs_.size(); }
  size_t num_outputs() const { return outputs_.size(); }
  // True when input `i` was given (optional inputs may be left out).
  bool has_input(size_t i) const { return i < inputs_.size() && inputs_[i] != nullptr; }
  const Value* input_value(size_t i) const { return has_input(i) ? inputs_[i] : nullptr; }
  // Input `i` as a tensor; an error if absent or not a tensor.
  Result<const Tensor*> input(size_t i) const;
  // Input `i` as a tensor, or null if absent.
  const Tensor* optional_input(size_t i) const;

  void set_output(size_t i, Value v) {
    if (i < outputs_.size()) outputs_[i] = std::move(v);
  }
  std::vector<Value>& outputs() { return outputs_; }
  ThreadPool* pool() const { return pool_; }
  // fn over [0, n) through the pool's ParallelFor (chunks of at least
  // `min_chunk`), or fn(0, n) on this thread when the run has no pool.
  void ParallelFor(int64_t n, int64_t min_chunk,
                   const std::function<void(int64_t, int64_t)>& fn) const {
    if (pool_ != nullptr) {
      pool_->ParallelFor(n, min_chunk, fn);
    } else {
      fn(0, n);
    }
  }

  // Run-time buffer reuse (set by the executor; absent in constant folding
  // and when a kernel is run alone). `escaping[i]`: output i leaves the run
  // (a graph output), so it is not taken from the arena.
  void SetAllocator(std::shared_ptr<BufferAllocator> allocator, const std::vector<bool>* escaping) {
    allocator_ = std::move(allocator);
    escaping_ = escaping;
  }
  // A tensor for output `i` whose elements the kernel will all write: not
  // zero-filled, from the run's arena when there is one. Errors as Tensor::Make.
  Result<Tensor> NewOutput(size_t i, DataType type, Shape shape) const;
  // Scratch memory for the duration of a kernel (e.g. im2col), not zeroed.
  Result<Tensor> NewScratch(DataType type, Shape shape) const {
    return Tensor::MakeUninitialized(type, std::move(shape), allocator_);
  }

 private:
  std::vector<const Value*> inputs_;
  std::vector<Value> outputs_;
  ThreadPool* pool_;
  std::shared_ptr<BufferAllocator> allocator_;
  const std::vector<bool>* escaping_ = nullptr;
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  virtual Status Run(KernelContext& ctx) const = 0;
  // True when the kernel honours the fusion attributes below (the executor's
  // fusion pass keeps the nodes apart otherwise).
  virtual bool applies_fusion() const { return false; }
};

// Set by the executor's fusion pass on a merged copy of a Gemm, MatMul or
// Conv node; never read from a model file.
// Int 1: apply Relu to the result (the node's outputs are the Relu's).
inline constexpr std::string_view kFusedReluAttribute = "_ads_fused_relu";
// Int 1 (MatMul only): input 2 is a constant 1-D bias of n floats added to
// each row (a following Add).
inline constexpr std::string_view kFusedBiasAttribute = "_ads_fused_bias";
// Int 1 (Conv only): a following MaxPool with 2x2 windows, stride 2, no
// pads, floor rounding and no Indices output is applied to the result (after
// the Relu, when fused too); the node's output is the MaxPool's.
inline constexpr std::string_view kFusedMaxPoolAttribute = "_ads_fused_maxpool2x2";

class KernelRegistry;

// What a kernel factory sees at load time: the node, and the values of inputs
// that are constant (initializers or folded), for attribute-like inputs and
// later for weight prepacking.
class KernelInfo {
 public:
  KernelInfo(const Node& node, std::map<size_t, const Value*> constant_inputs)
      : node_(node), constants_(std::move(constant_inputs)) {}

  const Node& node() const { return node_; }
  int64_t opset() const { return node_.opset; }
  size_t num_inputs() const { return node_.inputs.size(); }
  size_t num_outputs() const { return node_.outputs.size(); }
  bool has_input(size_t i) const { return i < node_.inputs.size() && !node_.inputs[i].empty(); }
  bool has_output(size_t i) const { return i < node_.outputs.size() && !node_.outputs[i].empty(); }
  // The constant value of input `i`, or null when it is computed at run time.
  const Value* constant_input(size_t i) const;

  bool HasAttribute(std::string_view name) const { return node_.FindAttribute(name) != nullptr; }
  // Typed attribute getters: the default when absent, an error naming the
  // node and attribute when present with another type.
  Result<int64_t> GetInt(std::string_view name, int64_t fallback) const;
  Result<float> GetFloat(std::string_view name, float fallback) const;
  Result<std::string> GetString(std::string_view name, std::string fallback) const;
  Result<std::vector<int64_t>> GetInts(std::string_view name) const;  // {} when absent
  Result<std::vector<float>> GetFloats(std::string_view name) const;  // {} when absent
  Result<std::vector<std::string>> GetStrings(std::string_view name) const;
  Result<Tensor> GetTensor(std::string_view name) const;  // error when absent
  // Required variants: an error when absent.
  Result<int64_t> RequireInt(std::string_view name) const;
  Result<std::string> RequireString(std::string_view name) const;

  // An InvalidArgument error "<node>: <message>".
  Status Error(const std::string& message) const;

  // For nodes with subgraphs: the outer values the subgraphs read (sorted
  // names). The kernel receives them as extra inputs after the explicit
  // ones, at indices num_inputs() + k.
  const std::vector<std::string>& implicit_inputs() const { return implicit_inputs_; }
  // The registry and folding option to build subgraph executors with.
  const KernelRegistry* registry() const { return registry_; }
  bool constant_folding() const { return constant_folding_; }
  void SetSubgraphContext(std::vector<std::string> implicit_inputs, const KernelRegistry* registry,
                          bool constant_folding) {
    implicit_inputs_ = std::move(implicit_inputs);
    registry_ = registry;
    constant_folding_ = constant_folding;
  }

 private:
  Result<const Attribute*> Find(std::string_view name, AttributeType type) const;

  const Node& node_;
  std::map<size_t, const Value*> constants_;
  std::vector<std::string> implicit_inputs_;
  const KernelRegistry* registry_ = nullptr;
  bool constant_folding_ = true;
};

using KernelFactory = std::function<Result<std::unique_ptr<Kernel>>(const KernelInfo&)>;

struct KernelKey {
  std::string domain;  // canonical: "ai.onnx", "ai.onnx.ml"
  std::string op_type;
  int64_t since_version = 1;
};

class KernelRegistry {
 public:
  struct Entry {
    KernelKey key;
    KernelFactory factory;
    int priority = 0;
    std::string implementation;  // "reference", "avx2", ...
  };

  void Register(KernelKey key, KernelFactory factory, int priority = 0,
                std::string implementation = "reference");

  // Creates the kernel for `info.node()`; kUnimplemented "unsupported
  // operator <domain>::<op> (opset N) at node <name>" when nothing fits.
  Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) const;
  bool Supports(std::string_view domain, std::string_view op_type, int64_t opset) const;
  // Every registered (domain, op_type, since_version), sorted.
  std::vector<KernelKey> List() const;

  // The registry with all built-in kernels.
  static const KernelRegistry& Default();

 private:
  const Entry* Best(std::string_view domain, std::string_view op, int64_t opset,
                    std::vector<const Entry*>* candidates) const;
  std::map<std::pair<std::string, std::string>, std::vector<Entry>> entries_;
};

}  // namespace ads::engine

#endif  // ADS_ENGINE_KERNEL_H_
