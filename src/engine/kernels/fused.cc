#include "engine/kernels/fused.h"

#include "engine/kernels/kernel_util.h"

namespace ads::engine::kernels {

Result<FusedOps> ReadFusedOps(const KernelInfo& info) {
  FusedOps f;
  ADS_ASSIGN_OR_RETURN(int64_t relu, info.GetInt(kFusedReluAttribute, 0));
  ADS_ASSIGN_OR_RETURN(int64_t bias, info.GetInt(kFusedBiasAttribute, 0));
  f.relu = relu != 0;
  f.bias = bias != 0;
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

}  // namespace ads::engine::kernels
