#include "engine/kernels/fused.h"

#include <limits>

#include "engine/kernels/kernel_util.h"

namespace ads::engine::kernels {

namespace {

Status ApplyBiasAndRelu(const FusedOps& fused, const Tensor* bias, Tensor& y) {
  if (y.size() == 0) return OkStatus();
  return DispatchSignedNumeric(y.dtype(), "Relu", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    T* p = y.mutable_data<T>();
    const int64_t n = y.rank() == 0 ? 1 : y.shape().back();
    const T* b = fused.bias ? bias->data<T>() : nullptr;
    for (int64_t i = 0; i < y.size(); ++i) {
      T v = b ? static_cast<T>(p[i] + b[i % n]) : p[i];
      if (fused.relu) v = v > 0 ? v : T(0);
      p[i] = v;
    }
    return OkStatus();
  });
}

// MaxPool with 2x2 windows and stride 2 (floor rounding) of [N, C, H, W], as
// the reference kernel: NaN never wins.
Result<Tensor> MaxPool2x2Of(const Tensor& x) {
  if (x.rank() != 4 || x.dim(2) < 2 || x.dim(3) < 2) {
    return InvalidArgumentError("MaxPool: input " + x.TypeAndShape() +
                                " is smaller than its 2x2 window");
  }
  const int64_t planes = x.dim(0) * x.dim(1), h = x.dim(2), w = x.dim(3);
  const int64_t oh = h / 2, ow = w / 2;
  Tensor y(x.dtype(), {x.dim(0), x.dim(1), oh, ow});
  ADS_RETURN_IF_ERROR(DispatchFloat(x.dtype(), "MaxPool", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    T* py = y.mutable_data<T>();
    for (int64_t p = 0; p < planes; ++p) {
      for (int64_t i = 0; i < oh; ++i) {
        for (int64_t j = 0; j < ow; ++j) {
          const T* r0 = px + (p * h + 2 * i) * w + 2 * j;
          T acc = -std::numeric_limits<T>::infinity();
          for (T v : {r0[0], r0[1], r0[w], r0[w + 1]}) acc = acc < v ? v : acc;
          py[(p * oh + i) * ow + j] = acc;
        }
      }
    }
    return OkStatus();
  }));
  return y;
}

}  // namespace

Result<FusedOps> ReadFusedOps(const KernelInfo& info) {
  FusedOps f;
  ADS_ASSIGN_OR_RETURN(int64_t relu, info.GetInt(kFusedReluAttribute, 0));
  ADS_ASSIGN_OR_RETURN(int64_t bias, info.GetInt(kFusedBiasAttribute, 0));
  ADS_ASSIGN_OR_RETURN(int64_t maxpool, info.GetInt(kFusedMaxPoolAttribute, 0));
  f.relu = relu != 0;
  f.bias = bias != 0;
  f.maxpool = maxpool != 0;
  return f;
}

Status ApplyFusedOps(KernelContext& ctx, const FusedOps& fused, const Tensor* bias) {
  if (!fused.any()) return OkStatus();
  if (ctx.outputs().empty() || !ctx.outputs()[0].is_tensor()) {
    return InternalError("fused node produced no tensor");
  }
  Tensor& y = ctx.outputs()[0].tensor();
  if (fused.bias) {
    if (bias == nullptr || bias->dtype() != y.dtype() || y.rank() == 0 ||
        bias->size() != y.shape().back()) {
      return InvalidArgumentError("Add inputs do not broadcast: " + y.TypeAndShape() + " and " +
                                  (bias ? bias->TypeAndShape() : std::string("none")));
    }
  }
  if (fused.relu || fused.bias) ADS_RETURN_IF_ERROR(ApplyBiasAndRelu(fused, bias, y));
  if (!fused.maxpool) return OkStatus();
  ADS_ASSIGN_OR_RETURN(Tensor pooled, MaxPool2x2Of(y));
  ctx.outputs()[0] = Value(std::move(pooled));
  return OkStatus();
}

}  // namespace ads::engine::kernels
