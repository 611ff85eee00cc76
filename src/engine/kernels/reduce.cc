// Reference reductions: ReduceSum, ReduceMean, ReduceMax, ReduceMin,
// ReduceProd, ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum,
// ReduceLogSumExp.
//
// Axes are an attribute up to opset 12 (ReduceSum) or 17 (the others) and an
// optional input afterwards, together with noop_with_empty_axes.
#include <cmath>
#include <limits>
#include <set>

#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

enum class Red { kSum, kMean, kMax, kMin, kProd, kSumSquare, kL1, kL2, kLogSum, kLogSumExp };

struct ReduceSpec {
  const char* name;
  Red op;
  int64_t axes_input_since;  // first opset where axes is an input
};

template <typename T>
using AccT = std::conditional_t<std::is_floating_point_v<T>, double,
                                std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;

template <typename T>
AccT<T> Initial(Red op) {
  using A = AccT<T>;
  if (op == Red::kProd) return A(1);
  if (op == Red::kMax) {
    if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<A>::infinity();
    else return static_cast<A>(std::numeric_limits<T>::lowest());
  }
  if (op == Red::kMin) {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<A>::infinity();
    else return static_cast<A>(std::numeric_limits<T>::max());
  }
  return A(0);
}

template <typename T>
void Accumulate(Red op, AccT<T>& acc, T v) {
  using A = AccT<T>;
  const A x = static_cast<A>(v);
  switch (op) {
    case Red::kMax: acc = (x > acc || x != x) ? x : acc; break;
    case Red::kMin: acc = (x < acc || x != x) ? x : acc; break;
    case Red::kProd: acc *= x; break;
    case Red::kSumSquare: case Red::kL2: acc += x * x; break;
    case Red::kL1: acc += x < A(0) ? A(0) - x : x; break;
    case Red::kLogSumExp:
      if constexpr (std::is_floating_point_v<T>) acc += std::exp(x);
      else acc += x;
      break;
    default: acc += x;
  }
}

template <typename T>
T Finish(Red op, AccT<T> acc, int64_t count) {
  if constexpr (std::is_floating_point_v<T>) {
    switch (op) {
      case Red::kMean: return static_cast<T>(acc / static_cast<double>(count));
      case Red::kL2: return static_cast<T>(std::sqrt(acc));
      case Red::kLogSum: case Red::kLogSumExp: return static_cast<T>(std::log(acc));
      default: return static_cast<T>(acc);
    }
  } else {
    if (op == Red::kMean) return static_cast<T>(count ? acc / static_cast<AccT<T>>(count) : 0);
    if (op == Red::kL2) return static_cast<T>(std::sqrt(static_cast<double>(acc)));
    return static_cast<T>(acc);
  }
}

Status Reduce(KernelContext& ctx, const ReduceSpec& spec, std::vector<int64_t> axes,
              bool keepdims, bool noop_with_empty_axes) {
  ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
  const int64_t rank = static_cast<int64_t>(x->rank());
  if (axes.empty() && noop_with_empty_axes) {
    ctx.set_output(0, *x);
    return OkStatus();
  }
  std::set<int64_t> reduce;
  for (int64_t a : axes) {
    ADS_ASSIGN_OR_RETURN(int64_t n, NormalizeAxis(a, rank, spec.name));
    reduce.insert(n);
  }
  if (axes.empty()) {
    for (int64_t d = 0; d < rank; ++d) reduce.insert(d);
  }
  Shape out_shape, kept_shape;  // kept_shape: keepdims form, for index math
  for (int64_t d = 0; d < rank; ++d) {
    const bool r = reduce.count(d) > 0;
    kept_shape.push_back(r ? 1 : x->dim(d));
    if (!r) out_shape.push_back(x->dim(d));
    else if (keepdims) out_shape.push_back(1);
  }
  int64_t count = 1;
  for (int64_t d : reduce) count *= x->dim(d);
  return DispatchNumeric(x->dtype(), spec.name, [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const int64_t n_out = ElementCount(kept_shape);
    std::vector<AccT<T>> acc(static_cast<size_t>(n_out), Initial<T>(spec.op));
    const T* px = x->data<T>();
    // Walk the input once; the output offset follows via kept-shape strides.
    ForEachBroadcast(x->shape(), {kept_shape}, [&](int64_t i, const int64_t* o) {
      Accumulate<T>(spec.op, acc[o[0]], px[i]);
    });
    if ((spec.op == Red::kMax || spec.op == Red::kMin) && count == 0 && n_out > 0) {
      return InvalidArgumentError(std::string(spec.name) + " over an empty axis");
    }
    Tensor y(x->dtype(), out_shape);
    T* py = y.mutable_data<T>();
    for (int64_t i = 0; i < n_out; ++i) py[i] = Finish<T>(spec.op, acc[i], count);
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

KernelFactory ReduceFactory(ReduceSpec spec, bool axes_as_input) {
  return [=](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> attr_axes, info.GetInts("axes"));
    ADS_ASSIGN_OR_RETURN(int64_t keepdims, info.GetInt("keepdims", 1));
    ADS_ASSIGN_OR_RETURN(int64_t noop, info.GetInt("noop_with_empty_axes", 0));
    return MakeKernel([=](KernelContext& ctx) -> Status {
      std::vector<int64_t> axes = attr_axes;
      if (axes_as_input) {
        axes.clear();
        if (const Tensor* t = ctx.optional_input(1)) {
          ADS_ASSIGN_OR_RETURN(axes, ToInt64Vector(*t, "axes"));
        }
      }
      return Reduce(ctx, spec, axes, keepdims != 0, axes_as_input && noop != 0);
    });
  };
}

}  // namespace

void RegisterReduceKernels(KernelRegistry& r) {
  const ReduceSpec specs[] = {
      {"ReduceSum", Red::kSum, 13},          {"ReduceMean", Red::kMean, 18},
      {"ReduceMax", Red::kMax, 18},          {"ReduceMin", Red::kMin, 18},
      {"ReduceProd", Red::kProd, 18},        {"ReduceSumSquare", Red::kSumSquare, 18},
      {"ReduceL1", Red::kL1, 18},            {"ReduceL2", Red::kL2, 18},
      {"ReduceLogSum", Red::kLogSum, 18},    {"ReduceLogSumExp", Red::kLogSumExp, 18},
  };
  for (const ReduceSpec& s : specs) {
    r.Register({"ai.onnx", s.name, 1}, ReduceFactory(s, false));
    r.Register({"ai.onnx", s.name, s.axes_input_since}, ReduceFactory(s, true));
  }
}

}  // namespace ads::engine::kernels
