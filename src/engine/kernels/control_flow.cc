// Control-flow kernels: If, Loop, Scan.
//
// Each subgraph gets its own GraphExecutor at load time. Its feeds are the
// subgraph's declared inputs followed by the outer values it reads; the
// session passes those outer values to this node as implicit inputs (see
// KernelInfo::implicit_inputs), and the kernel forwards them.
#include <algorithm>
#include <limits>

#include "base/strings.h"
#include "engine/executor.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

// Cap on Loop iterations without a trip count, so a model cannot hang a run.
constexpr int64_t kMaxUnboundedIterations = 10'000'000;

// A subgraph ready to run, and where its outer values come from.
struct Subgraph {
  std::unique_ptr<GraphExecutor> exec;
  size_t num_inputs = 0;              // declared subgraph inputs
  std::vector<size_t> outer_inputs;   // ctx input index of each outer value
  size_t num_outputs = 0;

  static Result<Subgraph> Build(const KernelInfo& info, const char* attr) {
    const Attribute* a = info.node().FindAttribute(attr);
    if (a == nullptr || a->type != AttributeType::kGraph || !a->g) {
      return info.Error("attribute " + Quoted(attr) + " must be a graph");
    }
    const Graph& g = *a->g;
    Subgraph s;
    std::vector<std::string> feeds;
    for (const ValueInfo& in : g.inputs) feeds.push_back(in.name);
    s.num_inputs = feeds.size();
    s.num_outputs = g.outputs.size();
    const std::vector<std::string>& implicit = info.implicit_inputs();
    for (const std::string& free : FreeVariables(g)) {
      auto it = std::find(implicit.begin(), implicit.end(), free);
      if (it == implicit.end()) return info.Error("subgraph reads unknown value " + Quoted(free));
      feeds.push_back(free);
      s.outer_inputs.push_back(info.num_inputs() + static_cast<size_t>(it - implicit.begin()));
    }
    auto exec = GraphExecutor::Create(g, feeds, {info.registry(), info.constant_folding(), nullptr});
    if (!exec.ok()) return exec.status().WithContext(info.node().Describe() + " " + attr);
    s.exec = std::move(exec).value();
    return s;
  }

  // Runs with the declared inputs `args`, appending the outer values.
  Result<std::vector<Value>> Run(std::vector<Value> args, const KernelContext& ctx) const {
    for (size_t i : outer_inputs) {
      const Value* v = ctx.input_value(i);
      if (v == nullptr) return InternalError("an outer value of a subgraph is missing");
      args.push_back(*v);
    }
    return exec->Run(std::move(args), ctx.pool());
  }
};

Result<bool> ScalarBool(const Tensor& t, const char* what) {
  if (t.dtype() != DataType::kBool || t.size() != 1) {
    return InvalidArgumentError(std::string(what) + " must be a single bool");
  }
  return t.data<bool>()[0];
}

// Stacks equally shaped tensors along a new `axis` (may be negative).
Result<Tensor> Stack(const std::vector<Tensor>& parts, int64_t axis) {
  if (parts.empty()) return Tensor(DataType::kFloat, {0});
  std::vector<Tensor> held;
  const int64_t rank = static_cast<int64_t>(parts[0].rank()) + 1;
  ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, rank, "scan output"));
  for (const Tensor& t : parts) {
    Shape s = t.shape();
    s.insert(s.begin() + a, 1);
    ADS_ASSIGN_OR_RETURN(Tensor r, t.Reshaped(s));
    held.push_back(std::move(r));
  }
  std::vector<const Tensor*> ptrs;
  for (const Tensor& t : held) ptrs.push_back(&t);
  return ConcatTensors(ptrs, a);
}

class IfKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<IfKernel>();
    ADS_ASSIGN_OR_RETURN(k->then_, Subgraph::Build(info, "then_branch"));
    ADS_ASSIGN_OR_RETURN(k->else_, Subgraph::Build(info, "else_branch"));
    if (k->then_.num_outputs != info.num_outputs() || k->else_.num_outputs != info.num_outputs()) {
      return info.Error("the If branches must produce one value per node output");
    }
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* c, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(bool cond, ScalarBool(*c, "If condition"));
    ADS_ASSIGN_OR_RETURN(std::vector<Value> outs, (cond ? then_ : else_).Run({}, ctx));
    for (size_t i = 0; i < outs.size(); ++i) ctx.set_output(i, std::move(outs[i]));
    return OkStatus();
  }

 private:
  Subgraph then_, else_;
};

class LoopKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<LoopKernel>();
    ADS_ASSIGN_OR_RETURN(k->body_, Subgraph::Build(info, "body"));
    if (info.num_inputs() < 2 || k->body_.num_inputs != info.num_inputs()) {
      return info.Error("the Loop body must take the iteration number, the condition and "
                        "each loop-carried value");
    }
    k->carried_ = info.num_inputs() - 2;
    if (k->body_.num_outputs < 1 + k->carried_ ||
        info.num_outputs() != k->body_.num_outputs - 1) {
      return info.Error("the Loop body outputs do not match the node outputs");
    }
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    int64_t trips = std::numeric_limits<int64_t>::max();
    if (const Tensor* m = ctx.optional_input(0)) {
      ADS_ASSIGN_OR_RETURN(std::vector<int64_t> v, ToInt64Vector(*m, "Loop trip count"));
      if (v.size() != 1) return InvalidArgumentError("Loop trip count must be a scalar");
      trips = v[0];
    }
    bool cond = true;
    if (const Tensor* c = ctx.optional_input(1)) {
      ADS_ASSIGN_OR_RETURN(cond, ScalarBool(*c, "Loop condition"));
    }
    const bool unbounded = !ctx.has_input(0);
    std::vector<Value> carried;
    for (size_t i = 0; i < carried_; ++i) {
      const Value* v = ctx.input_value(2 + i);
      if (v == nullptr) return InvalidArgumentError("Loop needs every loop-carried value");
      carried.push_back(*v);
    }
    const size_t scans = body_.num_outputs - 1 - carried_;
    std::vector<std::vector<Tensor>> scan_parts(scans);
    for (int64_t i = 0; i < trips && cond; ++i) {
      if (unbounded && i >= kMaxUnboundedIterations) {
        return OutOfRangeError("Loop ran more than " + std::to_string(kMaxUnboundedIterations) +
                               " iterations without a trip count");
      }
      std::vector<Value> args{Value(Tensor::Scalar<int64_t>(i)), Value(Tensor::Scalar<bool>(cond))};
      args.insert(args.end(), carried.begin(), carried.end());
      ADS_ASSIGN_OR_RETURN(std::vector<Value> outs, body_.Run(std::move(args), ctx));
      if (!outs[0].is_tensor()) return InvalidArgumentError("the Loop body condition must be a tensor");
      ADS_ASSIGN_OR_RETURN(cond, ScalarBool(outs[0].tensor(), "Loop body condition"));
      for (size_t c = 0; c < carried_; ++c) carried[c] = std::move(outs[1 + c]);
      for (size_t s = 0; s < scans; ++s) {
        if (!outs[1 + carried_ + s].is_tensor()) {
          return UnimplementedError("Loop scan outputs must be tensors");
        }
        scan_parts[s].push_back(outs[1 + carried_ + s].tensor());
      }
    }
    for (size_t c = 0; c < carried_; ++c) ctx.set_output(c, std::move(carried[c]));
    for (size_t s = 0; s < scans; ++s) {
      ADS_ASSIGN_OR_RETURN(Tensor stacked, Stack(scan_parts[s], 0));
      ctx.set_output(carried_ + s, std::move(stacked));
    }
    return OkStatus();
  }

 private:
  Subgraph body_;
  size_t carried_ = 0;
};

class ScanKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<ScanKernel>();
    ADS_ASSIGN_OR_RETURN(k->body_, Subgraph::Build(info, "body"));
    ADS_ASSIGN_OR_RETURN(int64_t m, info.RequireInt("num_scan_inputs"));
    if (m < 1 || static_cast<size_t>(m) > info.num_inputs()) {
      return info.Error("num_scan_inputs is out of range");
    }
    k->scan_inputs_ = static_cast<size_t>(m);
    k->states_ = info.num_inputs() - k->scan_inputs_;
    if (k->body_.num_inputs != info.num_inputs() || k->body_.num_outputs != info.num_outputs() ||
        k->body_.num_outputs < k->states_) {
      return info.Error("the Scan body inputs/outputs do not match the node");
    }
    const size_t k_out = info.num_outputs() - k->states_;
    ADS_ASSIGN_OR_RETURN(k->in_axes_, info.GetInts("scan_input_axes"));
    ADS_ASSIGN_OR_RETURN(k->in_dirs_, info.GetInts("scan_input_directions"));
    ADS_ASSIGN_OR_RETURN(k->out_axes_, info.GetInts("scan_output_axes"));
    ADS_ASSIGN_OR_RETURN(k->out_dirs_, info.GetInts("scan_output_directions"));
    k->in_axes_.resize(k->scan_inputs_, 0);
    k->in_dirs_.resize(k->scan_inputs_, 0);
    k->out_axes_.resize(k_out, 0);
    k->out_dirs_.resize(k_out, 0);
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    std::vector<Value> states;
    for (size_t i = 0; i < states_; ++i) {
      const Value* v = ctx.input_value(i);
      if (v == nullptr) return InvalidArgumentError("Scan needs every state value");
      states.push_back(*v);
    }
    std::vector<const Tensor*> xs;
    std::vector<int64_t> axes;
    int64_t steps = -1;
    for (size_t j = 0; j < scan_inputs_; ++j) {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(states_ + j));
      ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(in_axes_[j], static_cast<int64_t>(x->rank()), "Scan"));
      if (steps >= 0 && x->dim(a) != steps) {
        return InvalidArgumentError("Scan inputs differ in sequence length");
      }
      steps = x->dim(a);
      xs.push_back(x);
      axes.push_back(a);
    }
    const size_t k_out = out_axes_.size();
    std::vector<std::vector<Tensor>> parts(k_out);
    for (int64_t t = 0; t < steps; ++t) {
      std::vector<Value> args = states;
      for (size_t j = 0; j < scan_inputs_; ++j) {
        const int64_t at = in_dirs_[j] ? steps - 1 - t : t;
        ADS_ASSIGN_OR_RETURN(Tensor slice, SliceAxis(*xs[j], axes[j], at, 1));
        Shape s = slice.shape();
        s.erase(s.begin() + axes[j]);
        ADS_ASSIGN_OR_RETURN(slice, slice.Reshaped(s));
        args.emplace_back(std::move(slice));
      }
      ADS_ASSIGN_OR_RETURN(std::vector<Value> outs, body_.Run(std::move(args), ctx));
      for (size_t i = 0; i < states_; ++i) states[i] = std::move(outs[i]);
      for (size_t k = 0; k < k_out; ++k) {
        if (!outs[states_ + k].is_tensor()) return UnimplementedError("Scan outputs must be tensors");
        parts[k].push_back(outs[states_ + k].tensor());
      }
    }
    for (size_t i = 0; i < states_; ++i) ctx.set_output(i, std::move(states[i]));
    for (size_t k = 0; k < k_out; ++k) {
      if (out_dirs_[k]) std::reverse(parts[k].begin(), parts[k].end());
      ADS_ASSIGN_OR_RETURN(Tensor y, Stack(parts[k], out_axes_[k]));
      ctx.set_output(states_ + k, std::move(y));
    }
    return OkStatus();
  }

 private:
  Subgraph body_;
  size_t scan_inputs_ = 0, states_ = 0;
  std::vector<int64_t> in_axes_, in_dirs_, out_axes_, out_dirs_;
};

}  // namespace

void RegisterControlFlowKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "If", 1}, IfKernel::Create);
  r.Register({"ai.onnx", "Loop", 1}, LoopKernel::Create);
  r.Register({"ai.onnx", "Scan", 9}, ScanKernel::Create);
}

}  // namespace ads::engine::kernels
