// The built-in kernel sets. Each kernels/*.cc file registers its operators
// through one of these functions; KernelRegistry::Default() calls them all.
// Explicit calls (rather than static initialisers) keep every kernel linked
// in from the static library.
#ifndef ADS_ENGINE_KERNELS_REGISTER_H_
#define ADS_ENGINE_KERNELS_REGISTER_H_

namespace ads::engine {

class KernelRegistry;

void RegisterBuiltinKernels(KernelRegistry& registry);

namespace kernels {
void RegisterGlueKernels(KernelRegistry& registry);         // glue.cc, glue_shape.cc
void RegisterShapeKernels(KernelRegistry& registry);
void RegisterElementwiseKernels(KernelRegistry& registry);  // elementwise.cc
void RegisterMathKernels(KernelRegistry& registry);         // math.cc: MatMul, Gemm, Softmax
void RegisterReduceKernels(KernelRegistry& registry);       // reduce.cc
void RegisterMlTreeKernels(KernelRegistry& registry);       // ml_tree.cc
void RegisterMlKernels(KernelRegistry& registry);           // ml_linear.cc, ml_misc.cc
void RegisterMlMiscKernels(KernelRegistry& registry);
void RegisterMlSvmKernels(KernelRegistry& registry);  // ml_svm.cc
void RegisterCnnKernels(KernelRegistry& registry);   // cnn.cc
void RegisterMiscKernels(KernelRegistry& registry);  // misc_ops.cc: TopK, CumSum, ...
void RegisterLossKernels(KernelRegistry& registry);      // losses.cc
void RegisterSequenceKernels(KernelRegistry& registry);  // sequence.cc
void RegisterControlFlowKernels(KernelRegistry& registry);  // control_flow.cc
void RegisterIndexingKernels(KernelRegistry& registry);     // indexing.cc
void RegisterResizeKernels(KernelRegistry& registry);       // resize.cc
void RegisterExtraKernels(KernelRegistry& registry);        // extra_ops.cc
void RegisterNormKernels(KernelRegistry& registry);  // norm.cc: BatchNorm, LayerNorm, Pad...
}  // namespace kernels

}  // namespace ads::engine

#endif  // ADS_ENGINE_KERNELS_REGISTER_H_
