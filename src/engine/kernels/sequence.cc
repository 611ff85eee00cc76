// Reference kernels for tensor sequences: SequenceEmpty, SequenceConstruct,
// SequenceInsert, SequenceAt, SequenceErase, SequenceLength, SplitToSequence,
// ConcatFromSequence.
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

Result<const Sequence*> InputSequence(const KernelContext& ctx, size_t i) {
  const Value* v = ctx.input_value(i);
  if (v == nullptr || !v->is_sequence()) {
    return InvalidArgumentError("input " + std::to_string(i) + " must be a sequence");
  }
  return &v->sequence();
}

// A position input (scalar int) checked against [-n, n) or [-n, n].
Result<int64_t> Position(const KernelContext& ctx, size_t i, int64_t n, int64_t fallback,
                         bool allow_end) {
  const Tensor* t = ctx.optional_input(i);
  if (t == nullptr) return fallback;
  ADS_ASSIGN_OR_RETURN(std::vector<int64_t> v, ToInt64Vector(*t, "sequence position"));
  if (v.size() != 1) return InvalidArgumentError("sequence position must be a scalar");
  int64_t p = v[0] < 0 ? v[0] + n : v[0];
  if (p < 0 || p > n || (p == n && !allow_end)) {
    return InvalidArgumentError("sequence position " + std::to_string(v[0]) + " is out of range");
  }
  return p;
}

Status RunConstruct(KernelContext& ctx) {
  Sequence s;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    ADS_ASSIGN_OR_RETURN(const Tensor* t, ctx.input(i));
    s.items.emplace_back(*t);
  }
  ctx.set_output(0, Value(std::move(s)));
  return OkStatus();
}

Status RunInsert(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Sequence* in, InputSequence(ctx, 0));
  ADS_ASSIGN_OR_RETURN(const Tensor* t, ctx.input(1));
  const int64_t n = static_cast<int64_t>(in->items.size());
  ADS_ASSIGN_OR_RETURN(int64_t p, Position(ctx, 2, n, n, true));
  Sequence s = *in;
  s.items.insert(s.items.begin() + p, Value(*t));
  ctx.set_output(0, Value(std::move(s)));
  return OkStatus();
}

Status RunAt(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Sequence* in, InputSequence(ctx, 0));
  const int64_t n = static_cast<int64_t>(in->items.size());
  if (!ctx.has_input(1)) return InvalidArgumentError("SequenceAt needs a position");
  ADS_ASSIGN_OR_RETURN(int64_t p, Position(ctx, 1, n, 0, false));
  ctx.set_output(0, in->items[p]);
  return OkStatus();
}

Status RunErase(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Sequence* in, InputSequence(ctx, 0));
  const int64_t n = static_cast<int64_t>(in->items.size());
  if (n == 0) return InvalidArgumentError("SequenceErase on an empty sequence");
  ADS_ASSIGN_OR_RETURN(int64_t p, Position(ctx, 1, n, n - 1, false));
  Sequence s = *in;
  s.items.erase(s.items.begin() + p);
  ctx.set_output(0, Value(std::move(s)));
  return OkStatus();
}

Status RunLength(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Sequence* in, InputSequence(ctx, 0));
  ctx.set_output(0, Value(Tensor::Scalar<int64_t>(static_cast<int64_t>(in->items.size()))));
  return OkStatus();
}

Result<std::unique_ptr<Kernel>> MakeSplitToSequence(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", 0));
  ADS_ASSIGN_OR_RETURN(int64_t keepdims, info.GetInt("keepdims", 1));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, static_cast<int64_t>(x->rank()), "SplitToSequence"));
    const int64_t dim = x->dim(a);
    std::vector<int64_t> sizes;
    bool squeeze = false;
    if (const Tensor* st = ctx.optional_input(1)) {
      ADS_ASSIGN_OR_RETURN(sizes, ToInt64Vector(*st, "SplitToSequence split"));
      if (st->rank() == 0) {
        const int64_t chunk = sizes[0];
        if (chunk <= 0) return InvalidArgumentError("SplitToSequence split must be positive");
        sizes.clear();
        for (int64_t b = 0; b < dim; b += chunk) sizes.push_back(std::min(chunk, dim - b));
      }
    } else {
      sizes.assign(static_cast<size_t>(dim), 1);
      squeeze = keepdims == 0;
    }
    Sequence s;
    int64_t begin = 0;
    for (int64_t len : sizes) {
      ADS_ASSIGN_OR_RETURN(Tensor part, SliceAxis(*x, a, begin, len));
      if (squeeze) {
        Shape shape = part.shape();
        shape.erase(shape.begin() + a);
        ADS_ASSIGN_OR_RETURN(part, part.Reshaped(shape));
      }
      s.items.emplace_back(std::move(part));
      begin += len;
    }
    if (begin != dim) return InvalidArgumentError("SplitToSequence sizes do not add up");
    ctx.set_output(0, Value(std::move(s)));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeConcatFromSequence(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.RequireInt("axis"));
  ADS_ASSIGN_OR_RETURN(int64_t new_axis, info.GetInt("new_axis", 0));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Sequence* in, InputSequence(ctx, 0));
    if (in->items.empty()) return InvalidArgumentError("ConcatFromSequence on an empty sequence");
    std::vector<Tensor> held;
    for (const Value& v : in->items) {
      if (!v.is_tensor()) return InvalidArgumentError("ConcatFromSequence needs tensors");
      Tensor t = v.tensor();
      if (new_axis) {
        const int64_t r = static_cast<int64_t>(t.rank()) + 1;
        ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, r, "ConcatFromSequence"));
        Shape shape = t.shape();
        shape.insert(shape.begin() + a, 1);
        ADS_ASSIGN_OR_RETURN(t, t.Reshaped(shape));
      }
      held.push_back(std::move(t));
    }
    std::vector<const Tensor*> parts;
    for (const Tensor& t : held) parts.push_back(&t);
    ADS_ASSIGN_OR_RETURN(Tensor y, ConcatTensors(parts, axis));
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

}  // namespace

void RegisterSequenceKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "SequenceEmpty", 11}, Stateless([](KernelContext& ctx) {
               ctx.set_output(0, Value(Sequence{}));
               return OkStatus();
             }));
  r.Register({"ai.onnx", "SequenceConstruct", 11}, Stateless(RunConstruct));
  r.Register({"ai.onnx", "SequenceInsert", 11}, Stateless(RunInsert));
  r.Register({"ai.onnx", "SequenceAt", 11}, Stateless(RunAt));
  r.Register({"ai.onnx", "SequenceErase", 11}, Stateless(RunErase));
  r.Register({"ai.onnx", "SequenceLength", 11}, Stateless(RunLength));
  r.Register({"ai.onnx", "SplitToSequence", 11}, MakeSplitToSequence);
  r.Register({"ai.onnx", "ConcatFromSequence", 11}, MakeConcatFromSequence);
}

}  // namespace ads::engine::kernels
