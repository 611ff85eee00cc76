#include "engine/kernels/register.h"

#include "engine/kernel.h"

namespace ads::engine {

void RegisterBuiltinKernels(KernelRegistry& registry) {
  RegisterReferenceKernels(registry);
  RegisterFastKernels(registry);
}

void RegisterFastKernels(KernelRegistry& registry) {
  kernels::RegisterFastTreeKernels(registry);
  kernels::RegisterFastGemmKernels(registry);
  kernels::RegisterFastConvKernels(registry);
  kernels::RegisterFastPoolKernels(registry);
  kernels::RegisterFastLinearKernels(registry);
}

const KernelRegistry& ReferenceKernelRegistry() {
  static const KernelRegistry* registry = [] {
    auto* r = new KernelRegistry();
    RegisterReferenceKernels(*r);
    return r;
  }();
  return *registry;
}

void RegisterReferenceKernels(KernelRegistry& registry) {
  kernels::RegisterGlueKernels(registry);
  kernels::RegisterShapeKernels(registry);
  kernels::RegisterElementwiseKernels(registry);
  kernels::RegisterMathKernels(registry);
  kernels::RegisterReduceKernels(registry);
  kernels::RegisterMlTreeKernels(registry);
  kernels::RegisterMlKernels(registry);
  kernels::RegisterMlMiscKernels(registry);
  kernels::RegisterMlSvmKernels(registry);
  kernels::RegisterCnnKernels(registry);
  kernels::RegisterMiscKernels(registry);
  kernels::RegisterLossKernels(registry);
  kernels::RegisterSequenceKernels(registry);
  kernels::RegisterControlFlowKernels(registry);
  kernels::RegisterIndexingKernels(registry);
  kernels::RegisterResizeKernels(registry);
  kernels::RegisterExtraKernels(registry);
  kernels::RegisterNormKernels(registry);
}

}  // namespace ads::engine
