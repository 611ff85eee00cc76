// Reference kernels for linear algebra and normalised outputs: MatMul, Gemm,
// Softmax, LogSoftmax, Hardmax, ArgMax, ArgMin.
//
// These are plain loops (accumulating in the element type, or double for
// float Gemm/MatMul to stay close to numpy); fast kernels register beside them
// with a higher priority.
#include "engine/kernels/math.h"

#include <cmath>
#include <limits>

#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

template <typename T>
using Acc = std::conditional_t<std::is_floating_point_v<T>, double, T>;

// c[m x n] = a[m x k] * b[k x n], rows split over the pool.
template <typename T>
void MatMul2D(const T* a, const T* b, T* c, int64_t m, int64_t k, int64_t n, ThreadPool* pool) {
  auto rows = [&](int64_t begin, int64_t end) {
    std::vector<Acc<T>> acc(static_cast<size_t>(n));
    for (int64_t i = begin; i < end; ++i) {
      std::fill(acc.begin(), acc.end(), Acc<T>(0));
      for (int64_t p = 0; p < k; ++p) {
        const Acc<T> av = a[i * k + p];
        const T* brow = b + p * n;
        for (int64_t j = 0; j < n; ++j) acc[j] += av * brow[j];
      }
      for (int64_t j = 0; j < n; ++j) c[i * n + j] = static_cast<T>(acc[j]);
    }
  };
  if (pool) {
    pool->ParallelFor(m, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, k * n)), rows);
  } else {
    rows(0, m);
  }
}

}  // namespace

Status RunReferenceMatMul(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Tensor* a, ctx.input(0));
  ADS_ASSIGN_OR_RETURN(const Tensor* b, ctx.input(1));
  if (a->dtype() != b->dtype()) return InvalidArgumentError("MatMul inputs differ in type");
  if (a->rank() == 0 || b->rank() == 0) return InvalidArgumentError("MatMul needs rank >= 1");
  // numpy rules: 1-D a is [1, k] and 1-D b is [k, 1]; the added dims are dropped.
  Shape sa = a->shape(), sb = b->shape();
  if (sa.size() == 1) sa.insert(sa.begin(), 1);
  if (sb.size() == 1) sb.push_back(1);
  const int64_t m = sa[sa.size() - 2], k = sa.back(), n = sb.back();
  if (sb[sb.size() - 2] != k) {
    return InvalidArgumentError("MatMul shapes " + a->TypeAndShape() + " and " +
                                b->TypeAndShape() + " do not match");
  }
  Shape batch_a(sa.begin(), sa.end() - 2), batch_b(sb.begin(), sb.end() - 2);
  ADS_ASSIGN_OR_RETURN(Shape batch, BroadcastShapes(batch_a, batch_b));
  Shape out = batch;
  if (a->rank() > 1) out.push_back(m);
  if (b->rank() > 1) out.push_back(n);
  return DispatchNumeric(a->dtype(), "MatMul", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(a->dtype(), out));
    T* py = y.mutable_data<T>();
    const int64_t batches = ElementCount(batch);
    std::vector<int64_t> ia(static_cast<size_t>(batches)), ib(static_cast<size_t>(batches));
    ForEachBroadcast(batch, {batch_a, batch_b}, [&](int64_t i, const int64_t* o) {
      ia[i] = o[0];
      ib[i] = o[1];
    });
    for (int64_t i = 0; i < batches; ++i) {
      MatMul2D<T>(a->data<T>() + ia[i] * m * k, b->data<T>() + ib[i] * k * n, py + i * m * n, m,
                  k, n, ctx.pool());
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeReferenceGemm(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(float alpha, info.GetFloat("alpha", 1.0f));
  ADS_ASSIGN_OR_RETURN(float beta, info.GetFloat("beta", 1.0f));
  ADS_ASSIGN_OR_RETURN(int64_t trans_a, info.GetInt("transA", 0));
  ADS_ASSIGN_OR_RETURN(int64_t trans_b, info.GetInt("transB", 0));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* a, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* b, ctx.input(1));
    const Tensor* c = ctx.optional_input(2);
    if (a->rank() != 2 || b->rank() != 2 || a->dtype() != b->dtype() ||
        (c && c->dtype() != a->dtype())) {
      return InvalidArgumentError("Gemm needs 2-D A and B of one type");
    }
    const int64_t m = trans_a ? a->dim(1) : a->dim(0), k = trans_a ? a->dim(0) : a->dim(1);
    const int64_t kb = trans_b ? b->dim(1) : b->dim(0), n = trans_b ? b->dim(0) : b->dim(1);
    if (k != kb) {
      return InvalidArgumentError("Gemm shapes " + a->TypeAndShape() + " and " +
                                  b->TypeAndShape() + " do not match");
    }
    const Shape out{m, n};
    if (c) {
      ADS_ASSIGN_OR_RETURN(Shape bc, BroadcastShapes(c->shape(), out));
      if (bc != out) return InvalidArgumentError("Gemm C does not broadcast to [M, N]");
    }
    return DispatchNumeric(a->dtype(), "Gemm", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor y(a->dtype(), out);
      const T* pa = a->data<T>();
      const T* pb = b->data<T>();
      T* py = y.mutable_data<T>();
      std::vector<int64_t> c_off(static_cast<size_t>(m * n), 0);
      if (c) ForEachBroadcast(out, {c->shape()}, [&](int64_t i, const int64_t* o) { c_off[i] = o[0]; });
      auto rows = [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            Acc<T> s = 0;
            for (int64_t p = 0; p < k; ++p) {
              const T av = trans_a ? pa[p * m + i] : pa[i * k + p];
              const T bv = trans_b ? pb[j * k + p] : pb[p * n + j];
              s += static_cast<Acc<T>>(av) * bv;
            }
            double v = static_cast<double>(alpha) * static_cast<double>(s);
            if (c) v += static_cast<double>(beta) * static_cast<double>(c->data<T>()[c_off[i * n + j]]);
            py[i * n + j] = static_cast<T>(v);
          }
        }
      };
      ctx.ParallelFor(m, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, k * n)), rows);
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

namespace {

enum class SoftKind { kSoftmax, kLogSoftmax, kHardmax };

// Applies the op on rows of length `inner_len` strided by `stride` inside
// blocks: the generic form covers both the opset<13 flattened 2-D view
// (stride 1) and the opset>=13 single axis.
template <typename T>
void SoftRows(const T* x, T* y, int64_t outer, int64_t len, int64_t inner, SoftKind kind) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t in = 0; in < inner; ++in) {
      const int64_t base = o * len * inner + in;
      auto at = [&](int64_t i) { return base + i * inner; };
      T mx = -std::numeric_limits<T>::infinity();
      int64_t arg = 0;
      for (int64_t i = 0; i < len; ++i) {
        if (x[at(i)] > mx) {
          mx = x[at(i)];
          arg = i;
        }
      }
      if (kind == SoftKind::kHardmax) {
        for (int64_t i = 0; i < len; ++i) y[at(i)] = i == arg ? T(1) : T(0);
        continue;
      }
      double sum = 0;
      for (int64_t i = 0; i < len; ++i) sum += std::exp(static_cast<double>(x[at(i)] - mx));
      for (int64_t i = 0; i < len; ++i) {
        const double d = static_cast<double>(x[at(i)] - mx);
        y[at(i)] = static_cast<T>(kind == SoftKind::kSoftmax ? std::exp(d) / sum
                                                             : d - std::log(sum));
      }
    }
  }
}

KernelFactory SoftFactory(SoftKind kind, bool per_axis) {
  return [=](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", per_axis ? -1 : 1));
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      const int64_t rank = static_cast<int64_t>(x->rank());
      int64_t a = axis < 0 ? axis + rank : axis;
      if (rank == 0 && !per_axis) a = 0;
      if (a < 0 || a > rank || (per_axis && a == rank)) {
        return InvalidArgumentError("softmax axis is out of range");
      }
      int64_t outer = 1, len = 1, inner = 1;
      for (int64_t d = 0; d < a; ++d) outer *= x->dim(d);
      if (per_axis) {
        len = x->dim(a);
        for (int64_t d = a + 1; d < rank; ++d) inner *= x->dim(d);
      } else {
        for (int64_t d = a; d < rank; ++d) len *= x->dim(d);
      }
      return DispatchFloat(x->dtype(), "Softmax", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        Tensor y(x->dtype(), x->shape());
        SoftRows<T>(x->data<T>(), y.mutable_data<T>(), outer, len, inner, kind);
        ctx.set_output(0, std::move(y));
        return OkStatus();
      });
    });
  };
}

KernelFactory ArgFactory(bool is_max) {
  return [is_max](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", 0));
    ADS_ASSIGN_OR_RETURN(int64_t keepdims, info.GetInt("keepdims", 1));
    ADS_ASSIGN_OR_RETURN(int64_t last, info.GetInt("select_last_index", 0));
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      const int64_t rank = static_cast<int64_t>(x->rank());
      ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, rank, is_max ? "ArgMax" : "ArgMin"));
      const int64_t len = x->dim(a);
      if (len == 0) return InvalidArgumentError("ArgMax/ArgMin over an empty axis");
      int64_t outer = 1, inner = 1;
      for (int64_t d = 0; d < a; ++d) outer *= x->dim(d);
      for (int64_t d = a + 1; d < rank; ++d) inner *= x->dim(d);
      Shape shape = x->shape();
      if (keepdims) shape[a] = 1;
      else shape.erase(shape.begin() + a);
      Tensor y(DataType::kInt64, shape);
      int64_t* py = y.mutable_data<int64_t>();
      return DispatchNumeric(x->dtype(), "ArgMax", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        const T* px = x->data<T>();
        for (int64_t o = 0; o < outer; ++o) {
          for (int64_t in = 0; in < inner; ++in) {
            const T* p = px + o * len * inner + in;
            int64_t best = 0;
            for (int64_t i = 1; i < len; ++i) {
              const T v = p[i * inner], b = p[best * inner];
              const bool better = is_max ? (v > b || (last && v == b)) : (v < b || (last && v == b));
              if (better) best = i;
            }
            py[o * inner + in] = best;
          }
        }
        ctx.set_output(0, std::move(y));
        return OkStatus();
      });
    });
  };
}

}  // namespace

void RegisterMathKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "MatMul", 1}, Stateless(RunReferenceMatMul));
  r.Register({"ai.onnx", "Gemm", 6}, MakeReferenceGemm);
  r.Register({"ai.onnx", "Softmax", 1}, SoftFactory(SoftKind::kSoftmax, false));
  r.Register({"ai.onnx", "Softmax", 13}, SoftFactory(SoftKind::kSoftmax, true));
  r.Register({"ai.onnx", "LogSoftmax", 1}, SoftFactory(SoftKind::kLogSoftmax, false));
  r.Register({"ai.onnx", "LogSoftmax", 13}, SoftFactory(SoftKind::kLogSoftmax, true));
  r.Register({"ai.onnx", "Hardmax", 1}, SoftFactory(SoftKind::kHardmax, false));
  r.Register({"ai.onnx", "Hardmax", 13}, SoftFactory(SoftKind::kHardmax, true));
  r.Register({"ai.onnx", "ArgMax", 1}, ArgFactory(true));
  r.Register({"ai.onnx", "ArgMin", 1}, ArgFactory(false));
}

}  // namespace ads::engine::kernels
