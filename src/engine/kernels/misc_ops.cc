// Reference kernels for index-producing and triangular ops: TopK, CumSum,
// Trilu, OneHot, NonZero.
#include <algorithm>
#include <numeric>

#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

// Outer/len/inner decomposition of a tensor around `axis`.
struct AxisView {
  int64_t outer = 1, len = 1, inner = 1;
};
AxisView ViewAround(const Shape& s, int64_t axis) {
  AxisView v;
  for (int64_t d = 0; d < axis; ++d) v.outer *= s[d];
  v.len = s[axis];
  for (size_t d = axis + 1; d < s.size(); ++d) v.inner *= s[d];
  return v;
}

KernelFactory TopKFactory(bool k_as_input) {
  return [=](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", -1));
    ADS_ASSIGN_OR_RETURN(int64_t largest, info.GetInt("largest", 1));
    ADS_ASSIGN_OR_RETURN(int64_t attr_k, info.GetInt("k", -1));
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      int64_t k = attr_k;
      if (k_as_input) {
        ADS_ASSIGN_OR_RETURN(const Tensor* kt, ctx.input(1));
        ADS_ASSIGN_OR_RETURN(std::vector<int64_t> kv, ToInt64Vector(*kt, "TopK k"));
        if (kv.size() != 1) return InvalidArgumentError("TopK k must hold one value");
        k = kv[0];
      }
      ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, static_cast<int64_t>(x->rank()), "TopK"));
      const AxisView v = ViewAround(x->shape(), a);
      if (k < 0 || k > v.len) return InvalidArgumentError("TopK k is out of range");
      Shape shape = x->shape();
      shape[a] = k;
      return DispatchNumeric(x->dtype(), "TopK", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        Tensor values(x->dtype(), shape), indices(DataType::kInt64, shape);
        const T* px = x->data<T>();
        std::vector<int64_t> order(static_cast<size_t>(v.len));
        for (int64_t o = 0; o < v.outer; ++o) {
          for (int64_t in = 0; in < v.inner; ++in) {
            auto at = [&](int64_t i) { return px[(o * v.len + i) * v.inner + in]; };
            std::iota(order.begin(), order.end(), 0);
            // Ties keep the lower index first, as the spec requires.
            std::stable_sort(order.begin(), order.end(), [&](int64_t p, int64_t q) {
              return largest ? at(p) > at(q) : at(p) < at(q);
            });
            for (int64_t j = 0; j < k; ++j) {
              const int64_t dst = (o * k + j) * v.inner + in;
              values.mutable_data<T>()[dst] = at(order[j]);
              indices.mutable_data<int64_t>()[dst] = order[j];
            }
          }
        }
        ctx.set_output(0, std::move(values));
        ctx.set_output(1, std::move(indices));
        return OkStatus();
      });
    });
  };
}

Result<std::unique_ptr<Kernel>> MakeCumSum(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t exclusive, info.GetInt("exclusive", 0));
  ADS_ASSIGN_OR_RETURN(int64_t reverse, info.GetInt("reverse", 0));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* at, ctx.input(1));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> av, ToInt64Vector(*at, "CumSum axis"));
    if (av.size() != 1) return InvalidArgumentError("CumSum axis must hold one value");
    ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(av[0], static_cast<int64_t>(x->rank()), "CumSum"));
    const AxisView v = ViewAround(x->shape(), a);
    return DispatchNumeric(x->dtype(), "CumSum", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor y(x->dtype(), x->shape());
      for (int64_t o = 0; o < v.outer; ++o) {
        for (int64_t in = 0; in < v.inner; ++in) {
          T acc = 0;
          for (int64_t step = 0; step < v.len; ++step) {
            const int64_t i = reverse ? v.len - 1 - step : step;
            const int64_t off = (o * v.len + i) * v.inner + in;
            if (exclusive) {
              y.mutable_data<T>()[off] = acc;
              acc = static_cast<T>(acc + x->data<T>()[off]);
            } else {
              acc = static_cast<T>(acc + x->data<T>()[off]);
              y.mutable_data<T>()[off] = acc;
            }
          }
        }
      }
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeTrilu(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t upper, info.GetInt("upper", 1));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    int64_t k = 0;
    if (const Tensor* kt = ctx.optional_input(1)) {
      ADS_ASSIGN_OR_RETURN(std::vector<int64_t> kv, ToInt64Vector(*kt, "Trilu k"));
      if (kv.size() != 1) return InvalidArgumentError("Trilu k must hold one value");
      k = kv[0];
    }
    if (x->rank() < 2) return InvalidArgumentError("Trilu needs rank >= 2");
    const int64_t rows = x->dim(x->rank() - 2), cols = x->dim(x->rank() - 1);
    return DispatchAny(x->dtype(), "Trilu", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor y = x->Clone();
      T* p = y.mutable_data<T>();
      for (int64_t i = 0; i < y.size(); ++i) {
        const int64_t c = i % cols, r = (i / cols) % std::max<int64_t>(rows, 1);
        const bool keep = upper ? c - r >= k : c - r <= k;
        if (!keep) p[i] = T{};
      }
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeOneHot(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", -1));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* ind, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* dt, ctx.input(1));
    ADS_ASSIGN_OR_RETURN(const Tensor* vals, ctx.input(2));
    ADS_ASSIGN_OR_RETURN(std::vector<double> dv, ToDoubleVector(*dt, "OneHot depth"));
    ADS_ASSIGN_OR_RETURN(std::vector<double> iv, ToDoubleVector(*ind, "OneHot indices"));
    if (dv.size() != 1 || vals->size() != 2) {
      return InvalidArgumentError("OneHot needs a scalar depth and two values");
    }
    const int64_t depth = static_cast<int64_t>(dv[0]);
    const int64_t out_rank = static_cast<int64_t>(ind->rank()) + 1;
    ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, out_rank, "OneHot"));
    Shape shape = ind->shape();
    shape.insert(shape.begin() + a, depth);
    ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(vals->dtype(), shape));
    const AxisView v = ViewAround(shape, a);
    return DispatchAny(vals->dtype(), "OneHot", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      T* p = y.mutable_data<T>();
      for (int64_t i = 0; i < y.size(); ++i) p[i] = vals->data<T>()[0];
      for (int64_t o = 0; o < v.outer; ++o) {
        for (int64_t in = 0; in < v.inner; ++in) {
          int64_t idx = static_cast<int64_t>(iv[o * v.inner + in]);
          if (idx < 0) idx += depth;
          if (idx >= 0 && idx < depth) p[(o * depth + idx) * v.inner + in] = vals->data<T>()[1];
        }
      }
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

Status RunNonZero(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
  std::vector<int64_t> hits;
  Status st = DispatchAny(x->dtype(), "NonZero", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, std::string>) {
      return UnsupportedType("NonZero", x->dtype());
    } else {
      for (int64_t i = 0; i < x->size(); ++i) {
        if (x->data<T>()[i] != T{}) hits.push_back(i);
      }
      return OkStatus();
    }
  });
  ADS_RETURN_IF_ERROR(st);
  const int64_t rank = static_cast<int64_t>(x->rank()), n = static_cast<int64_t>(hits.size());
  Tensor y(DataType::kInt64, {rank, n});
  const std::vector<int64_t> strides = Strides(x->shape());
  for (int64_t j = 0; j < n; ++j) {
    int64_t rest = hits[j];
    for (int64_t d = 0; d < rank; ++d) {
      y.mutable_data<int64_t>()[d * n + j] = rest / strides[d];
      rest %= strides[d];
    }
  }
  ctx.set_output(0, std::move(y));
  return OkStatus();
}

}  // namespace

void RegisterMiscKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "TopK", 1}, TopKFactory(false));
  r.Register({"ai.onnx", "TopK", 10}, TopKFactory(true));
  r.Register({"ai.onnx", "CumSum", 11}, MakeCumSum);
  r.Register({"ai.onnx", "Trilu", 14}, MakeTrilu);
  r.Register({"ai.onnx", "OneHot", 9}, MakeOneHot);
  r.Register({"ai.onnx", "NonZero", 9}, Stateless(RunNonZero));
}

}  // namespace ads::engine::kernels
