// Shape rules for ai.onnx's element-wise, linear-algebra, convolution,
// pooling and reduction operators.
#include <algorithm>

#include "engine/shape_rules.h"

namespace ads::engine::shape_internal {
namespace {

// Same type and shape as input 0 (activations, normalisations, Softmax...).
Status SameAsInput(RuleContext& ctx) {
  ctx.SetLike(0, 0);
  return OkStatus();
}

// Same shape as input 0, bool elements (IsNaN, IsInf, Not).
Status BoolLikeInput(RuleContext& ctx) {
  ctx.SetLike(0, 0, DataType::kBool);
  return OkStatus();
}

// The broadcast shape of every present input, or null if a rank is unknown.
Result<std::optional<Dims>> BroadcastInputs(const RuleContext& ctx, size_t first) {
  Dims out;
  for (size_t i = first; i < ctx.input_count(); ++i) {
    if (!ctx.has_input(i)) continue;
    const Dims* d = ctx.dims(i);
    if (d == nullptr) return std::optional<Dims>();
    ADS_ASSIGN_OR_RETURN(out, Broadcast(ctx, out, *d));
  }
  return std::optional<Dims>(std::move(out));
}

// Before opset 7 the arithmetic ops broadcast B to A under a `broadcast`
// attribute, so the result has A's shape.
bool LegacyBroadcast(const RuleContext& ctx) { return ctx.opset() < 7; }

Status SetBroadcast(RuleContext& ctx, DataType type, size_t first) {
  if (LegacyBroadcast(ctx)) {
    ctx.SetLike(0, 0, type);
    return OkStatus();
  }
  ADS_ASSIGN_OR_RETURN(std::optional<Dims> dims, BroadcastInputs(ctx, first));
  if (dims) {
    ctx.SetTensor(0, type, std::move(*dims));
  } else {
    ctx.SetTensorNoShape(0, type);
  }
  return OkStatus();
}

// Inputs of one element type, broadcast: Add, Sub, Max, Sum, ...
Status Arithmetic(RuleContext& ctx) {
  for (size_t i = 1; i < ctx.input_count(); ++i) ADS_RETURN_IF_ERROR(ctx.SameType(0, i));
  DataType type = DataType::kUndefined;
  for (size_t i = 0; i < ctx.input_count() && type == DataType::kUndefined; ++i) {
    type = ctx.elem(i);
  }
  return SetBroadcast(ctx, type, 0);
}

// Pow: the base's type; the exponent may have another.
Status PowRule(RuleContext& ctx) { return SetBroadcast(ctx, ctx.elem(0), 0); }

// Comparisons and logic ops: inputs of one type, bool result.
Status Compare(RuleContext& ctx) {
  ADS_RETURN_IF_ERROR(ctx.SameType(0, 1));
  return SetBroadcast(ctx, DataType::kBool, 0);
}

Status WhereRule(RuleContext& ctx) {
  ADS_RETURN_IF_ERROR(ctx.SameType(1, 2));
  return SetBroadcast(ctx, ctx.FirstType({1, 2}), 0);
}

Status PReluRule(RuleContext& ctx) {
  ADS_RETURN_IF_ERROR(ctx.SameType(0, 1));
  ctx.SetLike(0, 0);
  return OkStatus();
}

Status DropoutRule(RuleContext& ctx) {
  ctx.SetLike(0, 0);
  // The mask is bool from opset 10; before, it had the input's type.
  ctx.SetLike(1, 0, ctx.opset() >= 10 ? DataType::kBool : ctx.elem(0));
  return OkStatus();
}

Status MatMulRule(RuleContext& ctx) {
  ADS_RETURN_IF_ERROR(ctx.SameType(0, 1));
  const DataType type = ctx.FirstType({0, 1});
  const Dims* a = ctx.dims(0);
  const Dims* b = ctx.dims(1);
  if (a == nullptr || b == nullptr) {
    ctx.SetTensorNoShape(0, type);
    return OkStatus();
  }
  if (a->empty() || b->empty()) {
    return ctx.Error("MatMul needs inputs of rank 1 or more, got A " + DimsString(*a) + " and B " +
                     DimsString(*b));
  }
  const int64_t ka = a->back();
  const int64_t kb = b->size() == 1 ? (*b)[0] : (*b)[b->size() - 2];
  if (ka >= 0 && kb >= 0 && ka != kb) {
    return ctx.Error("inner dimensions differ: A is " + DimsString(*a) + " (K=" +
                     std::to_string(ka) + "), B is " + DimsString(*b) + " (K=" +
                     std::to_string(kb) + ")");
  }
  const Dims batch_a(a->begin(), a->end() - std::min<size_t>(a->size(), 2));
  const Dims batch_b(b->begin(), b->end() - std::min<size_t>(b->size(), 2));
  ADS_ASSIGN_OR_RETURN(Dims out, Broadcast(ctx, batch_a, batch_b));
  if (a->size() >= 2) out.push_back((*a)[a->size() - 2]);
  if (b->size() >= 2) out.push_back(b->back());
  ctx.SetTensor(0, type, std::move(out));
  return OkStatus();
}

Status GemmRule(RuleContext& ctx) {
  ADS_RETURN_IF_ERROR(ctx.SameType(0, 1));
  const DataType type = ctx.FirstType({0, 1});
  const Dims* a = ctx.dims(0);
  const Dims* b = ctx.dims(1);
  for (const Dims* d : {a, b}) {
    if (d != nullptr && d->size() != 2) {
      return ctx.Error(std::string(d == a ? "A" : "B") + " must be 2-D, got " + DimsString(*d));
    }
  }
  if (a == nullptr || b == nullptr) {
    ctx.SetTensorOfRank(0, type, 2);
    return OkStatus();
  }
  const bool ta = ctx.Int("transA", 0) != 0, tb = ctx.Int("transB", 0) != 0;
  const int64_t m = (*a)[ta ? 1 : 0], ka = (*a)[ta ? 0 : 1];
  const int64_t kb = (*b)[tb ? 1 : 0], n = (*b)[tb ? 0 : 1];
  if (ka >= 0 && kb >= 0 && ka != kb) {
    return ctx.Error("inner dimensions differ: A is " + DimsString(*a) +
                     (ta ? " (transA, K=" : " (K=") + std::to_string(ka) + "), B is " +
                     DimsString(*b) + (tb ? " (transB, K=" : " (K=") + std::to_string(kb) + ")");
  }
  const Dims out = {m, n};
  // C broadcasts one way to [M, N] (from opset 7; before, under `broadcast`).
  if (const Dims* c = ctx.dims(2); c != nullptr && ctx.opset() >= 7) {
    bool fits = c->size() <= 2;
    for (size_t i = 0; fits && i < c->size(); ++i) {
      const int64_t dc = (*c)[c->size() - 1 - i], target = out[1 - i];
      fits = dc < 0 || dc == 1 || target < 0 || dc == target;
    }
    if (!fits) {
      return ctx.Error("C " + DimsString(*c) + " cannot be broadcast to [M,N] = " +
                       DimsString(out));
    }
  }
  ctx.SetTensor(0, type, out);
  return OkStatus();
}

// One spatial output size of a convolution or pooling window; unknown when
// an input is, or when the window does not fit (the kernel reports that).
int64_t WindowOutput(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad_sum,
                     const std::string& auto_pad, bool ceil_mode) {
  if (in < 0 || kernel <= 0 || stride <= 0 || dilation <= 0 || pad_sum < 0) return kUnknownDim;
  if (in > (int64_t{1} << 40) || kernel > (int64_t{1} << 20) || dilation > (int64_t{1} << 20) ||
      pad_sum > (int64_t{1} << 40)) {
    return kUnknownDim;
  }
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") return (in + stride - 1) / stride;
  const int64_t span = dilation * (kernel - 1) + 1;
  const int64_t padded = auto_pad == "VALID" ? in : in + pad_sum;
  if (padded < span) return kUnknownDim;
  const int64_t floor_out = (padded - span) / stride + 1;
  // With ceil_mode the last window may or may not be dropped when it starts
  // in the padding; implementations differ, so only the unambiguous case.
  if (ceil_mode && (padded - span) % stride != 0) return kUnknownDim;
  return floor_out;
}

// The [N, C_out, spatial...] shape of Conv/pooling over `x`, with the
// kernel's spatial dims `kernel`.
Dims WindowedShape(const RuleContext& ctx, const Dims& x, int64_t channels, const Dims& kernel,
                   bool ceil_mode) {
  const size_t spatial = x.size() - 2;
  Dims out = {x[0], channels};
  const std::string auto_pad = ctx.String("auto_pad", "NOTSET");
  const std::vector<int64_t>* strides = ctx.Ints("strides");
  const std::vector<int64_t>* dilations = ctx.Ints("dilations");
  const std::vector<int64_t>* pads = ctx.Ints("pads");
  for (size_t i = 0; i < spatial; ++i) {
    const int64_t stride = strides && strides->size() == spatial ? (*strides)[i] : 1;
    const int64_t dilation = dilations && dilations->size() == spatial ? (*dilations)[i] : 1;
    int64_t pad_sum = 0;
    if (pads && pads->size() == 2 * spatial) pad_sum = (*pads)[i] + (*pads)[i + spatial];
    if (pads && pads->size() != 2 * spatial && !pads->empty()) pad_sum = -1;
    const int64_t k = i < kernel.size() ? kernel[i] : kUnknownDim;
    out.push_back(WindowOutput(x[i + 2], k, stride, dilation, pad_sum, auto_pad, ceil_mode));
  }
  return out;
}

Status ConvRule(RuleContext& ctx) {
  ADS_RETURN_IF_ERROR(ctx.SameType(0, 1));
  const DataType type = ctx.FirstType({0, 1});
  const Dims* x = ctx.dims(0);
  const Dims* w = ctx.dims(1);
  const int64_t group = ctx.Int("group", 1);
  if (x != nullptr && w != nullptr) {
    if (x->size() != w->size()) {
      return ctx.Error("X " + DimsString(*x) + " and W " + DimsString(*w) +
                       " must have one rank");
    }
    if (x->size() < 3) return ctx.Error("X must have rank 3 or more, got " + DimsString(*x));
    const int64_t c = (*x)[1], wc = (*w)[1];
    if (c >= 0 && wc >= 0 && group > 0 && c != MulDims(wc, group)) {
      return ctx.Error("X has " + std::to_string(c) + " channels but W " + DimsString(*w) +
                       " with group " + std::to_string(group) + " expects " +
                       std::to_string(MulDims(wc, group)));
    }
  }
  const int64_t m = w != nullptr && !w->empty() ? (*w)[0] : kUnknownDim;
  if (const Dims* bias = ctx.dims(2); bias != nullptr && m >= 0) {
    if (bias->size() != 1 || ((*bias)[0] >= 0 && (*bias)[0] != m)) {
      return ctx.Error("B " + DimsString(*bias) + " must be [" + std::to_string(m) +
                       "], one bias per output channel of W " + DimsString(*w));
    }
  }
  const size_t rank = x ? x->size() : w ? w->size() : 0;
  if (rank < 3) {
    ctx.SetTensorNoShape(0, type);
    return OkStatus();
  }
  Dims kernel(rank - 2, kUnknownDim);
  if (const auto* ks = ctx.Ints("kernel_shape"); ks && ks->size() == rank - 2) {
    kernel = *ks;
  } else if (w != nullptr) {
    kernel.assign(w->begin() + 2, w->end());
  }
  if (x == nullptr) {
    ctx.SetTensorOfRank(0, type, rank);
    return OkStatus();
  }
  ctx.SetTensor(0, type, WindowedShape(ctx, *x, m, kernel, false));
  return OkStatus();
}

Status ConvTransposeRule(RuleContext& ctx) {
  ADS_RETURN_IF_ERROR(ctx.SameType(0, 1));
  const DataType type = ctx.FirstType({0, 1});
  const Dims* x = ctx.dims(0);
  const Dims* w = ctx.dims(1);
  if (x == nullptr) {
    ctx.SetTensorNoShape(0, type);
    return OkStatus();
  }
  Dims out(x->size(), kUnknownDim);
  if (!out.empty()) out[0] = (*x)[0];
  if (w != nullptr && w->size() >= 2 && out.size() >= 2) {
    out[1] = MulDims((*w)[1], ctx.Int("group", 1));
  }
  ctx.SetTensor(0, type, std::move(out));
  return OkStatus();
}

Status PoolRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  const DataType type = ctx.elem(0);
  if (x == nullptr || x->size() < 3) {
    ctx.SetTensorNoShape(0, type);
    ctx.SetTensorNoShape(1, DataType::kInt64);
    return OkStatus();
  }
  const std::vector<int64_t>* ks = ctx.Ints("kernel_shape");
  const Dims kernel = ks && ks->size() == x->size() - 2 ? *ks : Dims();
  const Dims out = WindowedShape(ctx, *x, (*x)[1], kernel, ctx.Int("ceil_mode", 0) != 0);
  ctx.SetTensor(0, type, out);
  ctx.SetTensor(1, DataType::kInt64, out);  // MaxPool's Indices
  return OkStatus();
}

Status GlobalPoolRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  if (x == nullptr || x->size() < 2) {
    ctx.SetLike(0, 0);
    return OkStatus();
  }
  Dims out(x->size(), 1);
  out[0] = (*x)[0];
  out[1] = (*x)[1];
  ctx.SetTensor(0, ctx.elem(0), std::move(out));
  return OkStatus();
}

// ReduceSum (axes input from 13) and the other Reduce ops (from 18).
Status ReduceRule(RuleContext& ctx) {
  const DataType type = ctx.elem(0);
  const bool keepdims = ctx.Int("keepdims", 1) != 0;
  const int64_t axes_input_since = ctx.node().op_type == "ReduceSum" ? 13 : 18;
  std::optional<std::vector<int64_t>> axes;
  if (ctx.opset() < axes_input_since) {
    axes = ctx.Ints("axes") ? *ctx.Ints("axes") : std::vector<int64_t>();
  } else if (!ctx.has_input(1)) {
    axes = std::vector<int64_t>();
  } else if (const auto* known = ctx.ints(1)) {
    axes = *known;
  }
  const Dims* x = ctx.dims(0);
  if (x == nullptr) {
    ctx.SetTensorNoShape(0, type);
    return OkStatus();
  }
  const int64_t rank = static_cast<int64_t>(x->size());
  if (!axes || std::count(axes->begin(), axes->end(), kUnknownInt) > 0) {
    if (keepdims) {
      ctx.SetTensorOfRank(0, type, x->size());
    } else {
      ctx.SetTensorNoShape(0, type);
    }
    return OkStatus();
  }
  std::vector<bool> reduced(x->size(), axes->empty());
  if (axes->empty() && ctx.Int("noop_with_empty_axes", 0) != 0) {
    ctx.SetTensor(0, type, *x);
    return OkStatus();
  }
  for (int64_t a : *axes) {
    ADS_ASSIGN_OR_RETURN(int64_t axis, ctx.Axis(a, rank, "axis"));
    reduced[axis] = true;
  }
  Dims out;
  for (size_t i = 0; i < x->size(); ++i) {
    if (!reduced[i]) {
      out.push_back((*x)[i]);
    } else if (keepdims) {
      out.push_back(1);
    }
  }
  ctx.SetTensor(0, type, std::move(out));
  return OkStatus();
}

Status ArgReduceRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  if (x == nullptr) {
    ctx.SetTensorNoShape(0, DataType::kInt64);
    return OkStatus();
  }
  ADS_ASSIGN_OR_RETURN(int64_t axis,
                       ctx.Axis(ctx.Int("axis", 0), static_cast<int64_t>(x->size()), "axis"));
  Dims out = *x;
  if (ctx.Int("keepdims", 1) != 0) {
    out[axis] = 1;
  } else {
    out.erase(out.begin() + axis);
  }
  ctx.SetTensor(0, DataType::kInt64, std::move(out));
  return OkStatus();
}

Status TopKRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  if (x == nullptr || x->empty()) {
    ctx.SetLike(0, 0);
    ctx.SetLike(1, 0, DataType::kInt64);
    return OkStatus();
  }
  ADS_ASSIGN_OR_RETURN(int64_t axis,
                       ctx.Axis(ctx.Int("axis", -1), static_cast<int64_t>(x->size()), "axis"));
  int64_t k = kUnknownDim;
  if (ctx.opset() < 10) {
    k = ctx.Int("k", kUnknownDim);
  } else if (const auto* ks = ctx.ints(1); ks && ks->size() == 1 && (*ks)[0] >= 0) {
    k = (*ks)[0];
  }
  Dims out = *x;
  out[axis] = k;
  ctx.SetTensor(0, ctx.elem(0), out);
  ctx.SetTensor(1, DataType::kInt64, out);
  return OkStatus();
}

}  // namespace

void AddOnnxRules(RuleTable& rules) {
  auto add = [&](std::initializer_list<const char*> ops, Rule rule) {
    for (const char* op : ops) rules[std::string("ai.onnx::") + op] = rule;
  };
  add({"Abs",      "Neg",      "Relu",      "Sigmoid",  "Tanh",         "Exp",
       "Log",      "Sqrt",     "Clip",      "Floor",    "Ceil",         "Round",
       "Reciprocal", "Sign",   "Sin",       "Cos",      "Tan",          "Asin",
       "Acos",     "Atan",     "Sinh",      "Cosh",     "Asinh",        "Acosh",
       "Atanh",    "Erf",      "Elu",       "Selu",     "LeakyRelu",    "HardSigmoid",
       "HardSwish", "Softplus", "Softsign", "ThresholdedRelu", "Celu",  "Shrink",
       "Softmax",  "LogSoftmax", "Hardmax", "LRN",      "InstanceNormalization",
       "MeanVarianceNormalization", "CumSum", "Trilu",  "BatchNormalization",
       "LayerNormalization", "Scatter", "ScatterElements", "ScatterND", "Mish", "Gelu"},
      SameAsInput);
  add({"IsNaN", "IsInf", "Not"}, BoolLikeInput);
  add({"Add", "Sub", "Mul", "Div", "Mod", "Max", "Min", "Sum", "Mean", "BitShift"}, Arithmetic);
  add({"Pow"}, PowRule);
  add({"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"}, Compare);
  add({"Where"}, WhereRule);
  add({"PRelu"}, PReluRule);
  add({"Dropout"}, DropoutRule);
  add({"MatMul"}, MatMulRule);
  add({"Gemm"}, GemmRule);
  add({"Conv"}, ConvRule);
  add({"ConvTranspose"}, ConvTransposeRule);
  add({"MaxPool", "AveragePool", "LpPool"}, PoolRule);
  add({"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"}, GlobalPoolRule);
  add({"ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
       "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"},
      ReduceRule);
  add({"ArgMax", "ArgMin"}, ArgReduceRule);
  add({"TopK"}, TopKRule);
}

}  // namespace ads::engine::shape_internal
