// Fast TreeEnsembleRegressor / TreeEnsembleClassifier kernels: the attributes
// are parsed exactly as the reference does (ml_tree.h), the trees re-laid by
// FastTreeEnsemble, and rows finished by the same Finalize code.
//
// Thread-safety: kernels are immutable after creation; Run is reentrant.
#include <algorithm>
#include <vector>

#include "engine/kernels/fast_tree.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/ml_tree.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

// Runs `fn(const T* x, rows, cols)` on the input as float or double rows; other
// numeric types are widened to double as the reference does.
template <typename Fn>
Status WithFeatures(const Tensor& xt, const FastTreeEnsemble& f, std::string_view op, Fn&& fn) {
  if (xt.rank() != 1 && xt.rank() != 2) {
    return InvalidArgumentError(std::string(op) + " needs a 1-D or 2-D input, got " +
                                xt.TypeAndShape());
  }
  const int64_t rows = xt.rank() == 1 ? 1 : xt.dim(0);
  const int64_t cols = xt.rank() == 1 ? xt.dim(0) : xt.dim(1);
  if (f.max_feature() >= cols) {
    return InvalidArgumentError("the trees read feature " + std::to_string(f.max_feature()) +
                                " but the input has " + std::to_string(cols) + " columns");
  }
  if (xt.dtype() == DataType::kFloat) return fn(xt.data<float>(), rows, cols);
  if (xt.dtype() == DataType::kDouble) return fn(xt.data<double>(), rows, cols);
  ADS_ASSIGN_OR_RETURN(FeatureMatrix m, ReadFeatures(xt, op));
  return fn(static_cast<const double*>(m.values.data()), rows, cols);
}

class FastTreeRegressor : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<FastTreeRegressor>();
    ADS_ASSIGN_OR_RETURN(k->spec_, ParseTreeRegressor(info));
    ADS_ASSIGN_OR_RETURN(k->fast_, FastTreeEnsemble::Build(k->spec_.trees, k->spec_.agg));
    k->spec_.trees = TreeEnsemble();  // the compact copy is all Run needs
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    return WithFeatures(
        *xt, fast_, "TreeEnsembleRegressor",
        [&](const auto* x, int64_t rows, int64_t cols) -> Status {
          const int64_t n_targets = spec_.n_targets;
          ADS_ASSIGN_OR_RETURN(Tensor y, ctx.NewOutput(0, DataType::kFloat, {rows, n_targets}));
          float* py = y.mutable_data<float>();
          ScoreTreeRows(fast_, x, rows, cols, ctx.pool(), {}, [&](int64_t r, TreeRowScratch& sc) {
            spec_.Finalize(sc.s, sc.has);
            for (int64_t j = 0; j < n_targets; ++j)
              py[r * n_targets + j] = static_cast<float>(sc.s[j]);
          });
          ctx.set_output(0, std::move(y));
          return OkStatus();
        });
  }

 private:
  TreeRegressorSpec spec_;
  FastTreeEnsemble fast_;
};

class FastTreeClassifier : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<FastTreeClassifier>();
    ADS_ASSIGN_OR_RETURN(k->spec_, ParseTreeClassifier(info));
    ADS_ASSIGN_OR_RETURN(k->fast_, FastTreeEnsemble::Build(k->spec_.trees, TreeAggregate::kSum));
    k->n_classes_ = k->spec_.trees.n_outputs;
    k->spec_.trees = TreeEnsemble();
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    return WithFeatures(
        *xt, fast_, "TreeEnsembleClassifier",
        [&](const auto* x, int64_t rows, int64_t cols) -> Status {
          const int64_t n = n_classes_;
          ADS_ASSIGN_OR_RETURN(Tensor z, ctx.NewOutput(1, DataType::kFloat, {rows, n}));
          float* pz = z.mutable_data<float>();
          LabelWriter labels(spec_.labels);
          ADS_RETURN_IF_ERROR(labels.Start(ctx, 0, rows));
          ScoreTreeRows(fast_, x, rows, cols, ctx.pool(), {}, [&](int64_t r, TreeRowScratch& sc) {
            labels.Set(r, spec_.Finalize(sc.s, sc.has));
            const int64_t m = std::min<int64_t>(n, static_cast<int64_t>(sc.s.size()));
            for (int64_t j = 0; j < m; ++j) pz[r * n + j] = static_cast<float>(sc.s[j]);
            for (int64_t j = m; j < n; ++j) pz[r * n + j] = 0;
          });
          ctx.set_output(0, labels.Finish());
          ctx.set_output(1, std::move(z));
          return OkStatus();
        });
  }

 private:
  TreeClassifierSpec spec_;
  FastTreeEnsemble fast_;
  int64_t n_classes_ = 0;
};

}  // namespace

void RegisterFastTreeKernels(KernelRegistry& r) {
  for (int64_t v : {1, 3}) {
    r.Register({"ai.onnx.ml", "TreeEnsembleRegressor", v}, FastTreeRegressor::Create,
               kFastKernelPriority, "fast");
    r.Register({"ai.onnx.ml", "TreeEnsembleClassifier", v}, FastTreeClassifier::Create,
               kFastKernelPriority, "fast");
  }
}

}  // namespace ads::engine::kernels
