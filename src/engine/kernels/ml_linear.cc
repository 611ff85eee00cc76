// Reference kernels for the numeric ai.onnx.ml preprocessors and linear
// models: LinearClassifier, LinearRegressor, Scaler, Normalizer, Binarizer,
// Imputer.
#include "engine/kernels/ml_linear.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/ml_common.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

Status LinearSpec::CheckColumns(int64_t cols) const {
  if (static_cast<int64_t>(coef.size()) != targets * cols) {
    return InvalidArgumentError(op + " has " + std::to_string(coef.size()) +
                                " coefficients, but " + std::to_string(targets) + " x " +
                                std::to_string(cols) + " input columns need " +
                                std::to_string(targets * cols));
  }
  return OkStatus();
}

int64_t LinearSpec::FinishClassifierRow(double* s, float* z) const {
  int64_t label;
  if (targets == 1) {
    label = s[0] > 0 ? 1 : 0;
  } else {
    label = std::max_element(s, s + targets) - s;
  }
  if (targets > 1) {
    ApplyPostTransform(post, std::span<double>(s, static_cast<size_t>(targets)));
  } else if (post == PostTransform::kProbit) {
    s[0] = Probit(s[0]);
    s[1] = 0.0;
  } else if (add_second) {
    // A binary logistic model (sklearn's LogisticRegression as skl2onnx
    // writes it) gives [1 - p, p] with p = logistic(margin), as
    // onnxruntime does; without a transform the margin itself is used.
    if (post == PostTransform::kLogistic) s[0] = Logistic(s[0]);
    auto [a, b] = ExpandBinaryScore(s[0], post, SecondClass::kProbability);
    s[0] = a;
    s[1] = b;
  }
  for (int64_t j = 0; j < out_cols; ++j) z[j] = static_cast<float>(s[j]);
  return label;
}

void LinearSpec::FinishRegressorRow(double* s, float* y) const {
  // As onnxruntime: one target only honours PROBIT.
  if (targets > 1) {
    ApplyPostTransform(post, std::span<double>(s, static_cast<size_t>(targets)));
  } else if (post == PostTransform::kProbit) {
    s[0] = Probit(s[0]);
  }
  for (int64_t t = 0; t < targets; ++t) y[t] = static_cast<float>(s[t]);
}

Result<LinearSpec> ReadLinearRegressor(const KernelInfo& info) {
  LinearSpec spec;
  spec.op = "LinearRegressor";
  ADS_ASSIGN_OR_RETURN(spec.coef, info.GetFloats("coefficients"));
  ADS_ASSIGN_OR_RETURN(spec.intercepts, info.GetFloats("intercepts"));
  ADS_ASSIGN_OR_RETURN(spec.targets, info.GetInt("targets", 1));
  ADS_ASSIGN_OR_RETURN(spec.post, ParsePostTransform(info));
  if (spec.targets < 1) return info.Error("targets must be at least 1");
  if (!spec.intercepts.empty() && static_cast<int64_t>(spec.intercepts.size()) != spec.targets) {
    return info.Error("intercepts must have one value per target");
  }
  spec.out_cols = spec.targets;
  return spec;
}

Result<LinearSpec> ReadLinearClassifier(const KernelInfo& info) {
  LinearSpec spec;
  spec.op = "LinearClassifier";
  ADS_ASSIGN_OR_RETURN(spec.coef, info.GetFloats("coefficients"));
  ADS_ASSIGN_OR_RETURN(spec.intercepts, info.GetFloats("intercepts"));
  ADS_ASSIGN_OR_RETURN(spec.labels, ReadClassLabels(info, "classlabels_ints"));
  ADS_ASSIGN_OR_RETURN(spec.post, ParsePostTransform(info));
  if (spec.coef.empty()) return info.Error("attribute 'coefficients' is required");
  if (spec.intercepts.empty()) return info.Error("attribute 'intercepts' is required");
  spec.targets = static_cast<int64_t>(spec.intercepts.size());
  if (spec.targets > 1 && static_cast<int64_t>(spec.labels.size()) != spec.targets) {
    return info.Error("there must be one class label per intercept");
  }
  // One score column with two labels: the score is the positive-class
  // margin and a second column is added (onnxruntime's convention).
  spec.add_second = spec.targets == 1 && spec.labels.size() == 2;
  spec.out_cols = spec.add_second ? 2 : spec.targets;
  if (spec.targets == 1 && spec.labels.size() != 2) {
    spec.labels.ints = {0, 1};
    spec.labels.names = {"0", "1"};
  }
  return spec;
}

namespace {

Result<std::unique_ptr<Kernel>> MakeLinearRegressor(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(LinearSpec spec, ReadLinearRegressor(info));
  return MakeKernel([spec](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(FeatureMatrix x, ReadFeatures(*xt, spec.op));
    ADS_RETURN_IF_ERROR(spec.CheckColumns(x.cols));
    Tensor y(DataType::kFloat, {x.rows, spec.targets});
    float* py = y.mutable_data<float>();
    std::vector<double> s(static_cast<size_t>(spec.scratch_size()));
    for (int64_t r = 0; r < x.rows; ++r) {
      spec.Scores(x.values.data() + r * x.cols, x.cols, s.data());
      spec.FinishRegressorRow(s.data(), py + r * spec.targets);
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeLinearClassifier(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(LinearSpec spec, ReadLinearClassifier(info));
  return MakeKernel([spec](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(FeatureMatrix x, ReadFeatures(*xt, spec.op));
    ADS_RETURN_IF_ERROR(spec.CheckColumns(x.cols));
    Tensor z(DataType::kFloat, {x.rows, spec.out_cols});
    float* pz = z.mutable_data<float>();
    std::vector<int64_t> label_index(static_cast<size_t>(x.rows));
    std::vector<double> s(static_cast<size_t>(spec.scratch_size()));
    for (int64_t r = 0; r < x.rows; ++r) {
      spec.Scores(x.values.data() + r * x.cols, x.cols, s.data());
      label_index[r] = spec.FinishClassifierRow(s.data(), pz + r * spec.out_cols);
    }
    ctx.set_output(0, MakeLabelTensor(spec.labels, label_index));
    ctx.set_output(1, std::move(z));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeScaler(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(std::vector<float> offset, info.GetFloats("offset"));
  ADS_ASSIGN_OR_RETURN(std::vector<float> scale, info.GetFloats("scale"));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(FeatureMatrix x, ReadFeatures(*xt, "Scaler"));
    auto fits = [&](const std::vector<float>& v) {
      return v.size() <= 1 || static_cast<int64_t>(v.size()) == x.cols;
    };
    if (!fits(offset) || !fits(scale)) {
      return InvalidArgumentError("Scaler offset/scale must have 1 or " +
                                  std::to_string(x.cols) + " values");
    }
    Tensor y(DataType::kFloat, xt->shape());
    float* py = y.mutable_data<float>();
    for (int64_t r = 0; r < x.rows; ++r) {
      for (int64_t c = 0; c < x.cols; ++c) {
        const double o = offset.empty() ? 0.0 : offset[offset.size() == 1 ? 0 : c];
        const double k = scale.empty() ? 1.0 : scale[scale.size() == 1 ? 0 : c];
        py[r * x.cols + c] = static_cast<float>((x.at(r, c) - o) * k);
      }
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeNormalizer(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(std::string norm, info.GetString("norm", "MAX"));
  if (norm != "MAX" && norm != "L1" && norm != "L2") {
    return info.Error("unknown norm " + Quoted(norm));
  }
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(FeatureMatrix x, ReadFeatures(*xt, "Normalizer"));
    Tensor y(DataType::kFloat, xt->shape());
    float* py = y.mutable_data<float>();
    for (int64_t r = 0; r < x.rows; ++r) {
      double d = norm == "MAX" ? -INFINITY : 0.0;
      for (int64_t c = 0; c < x.cols; ++c) {
        const double v = x.at(r, c);
        if (norm == "MAX") d = std::max(d, v);
        else if (norm == "L1") d += std::fabs(v);
        else d += v * v;
      }
      if (norm == "L2") d = std::sqrt(d);
      for (int64_t c = 0; c < x.cols; ++c) {
        const double v = x.at(r, c);
        py[r * x.cols + c] = static_cast<float>(d != 0 && std::isfinite(d) ? v / d : v);
      }
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeBinarizer(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(float threshold, info.GetFloat("threshold", 0.0f));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    return DispatchNumeric(x->dtype(), "Binarizer", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor y(x->dtype(), x->shape());
      const T* px = x->data<T>();
      T* py = y.mutable_data<T>();
      for (int64_t i = 0; i < x->size(); ++i) {
        py[i] = static_cast<double>(px[i]) > threshold ? T(1) : T(0);
      }
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeImputer(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(std::vector<float> fvals, info.GetFloats("imputed_value_floats"));
  ADS_ASSIGN_OR_RETURN(std::vector<int64_t> ivals, info.GetInts("imputed_value_int64s"));
  ADS_ASSIGN_OR_RETURN(float freplace, info.GetFloat("replaced_value_float", 0.0f));
  ADS_ASSIGN_OR_RETURN(int64_t ireplace, info.GetInt("replaced_value_int64", 0));
  if (fvals.empty() == ivals.empty()) {
    return info.Error("exactly one of imputed_value_floats and imputed_value_int64s must be set");
  }
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    const int64_t cols = x->rank() == 0 ? 1 : x->dim(x->rank() - 1);
    const size_t nvals = fvals.empty() ? ivals.size() : fvals.size();
    if (nvals != 1 && static_cast<int64_t>(nvals) != cols) {
      return InvalidArgumentError("Imputer has " + std::to_string(nvals) +
                                  " imputed values for " + std::to_string(cols) + " columns");
    }
    Tensor y = x->Clone();
    if (x->dtype() == DataType::kFloat || x->dtype() == DataType::kDouble) {
      if (fvals.empty()) return InvalidArgumentError("Imputer needs float values for this input");
      return DispatchFloat(x->dtype(), "Imputer", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        T* p = y.mutable_data<T>();
        for (int64_t i = 0; i < y.size(); ++i) {
          const bool hit = std::isnan(freplace) ? std::isnan(p[i]) : p[i] == static_cast<T>(freplace);
          if (hit) p[i] = static_cast<T>(fvals[nvals == 1 ? 0 : i % cols]);
        }
        ctx.set_output(0, std::move(y));
        return OkStatus();
      });
    }
    if (x->dtype() != DataType::kInt64 || ivals.empty()) return UnsupportedType("Imputer", x->dtype());
    int64_t* p = y.mutable_data<int64_t>();
    for (int64_t i = 0; i < y.size(); ++i) {
      if (p[i] == ireplace) p[i] = ivals[nvals == 1 ? 0 : i % cols];
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

}  // namespace

void RegisterMlKernels(KernelRegistry& r) {
  r.Register({"ai.onnx.ml", "LinearRegressor", 1}, MakeLinearRegressor);
  r.Register({"ai.onnx.ml", "LinearClassifier", 1}, MakeLinearClassifier);
  r.Register({"ai.onnx.ml", "Scaler", 1}, MakeScaler);
  r.Register({"ai.onnx.ml", "Normalizer", 1}, MakeNormalizer);
  r.Register({"ai.onnx.ml", "Binarizer", 1}, MakeBinarizer);
  r.Register({"ai.onnx.ml", "Imputer", 1}, MakeImputer);
}

}  // namespace ads::engine::kernels
