// Reference kernels for the numeric ai.onnx.ml preprocessors and linear
// models: LinearClassifier, LinearRegressor, Scaler, Normalizer, Binarizer,
// Imputer.
#include <cmath>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/ml_common.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

// scores[r][t] = sum_c x[r][c] * coef[t][c] + intercept[t].
Result<std::vector<double>> LinearScores(const FeatureMatrix& x, const std::vector<float>& coef,
                                         const std::vector<float>& intercepts, int64_t targets,
                                         std::string_view op) {
  if (static_cast<int64_t>(coef.size()) != targets * x.cols) {
    return InvalidArgumentError(std::string(op) + " has " + std::to_string(coef.size()) +
                                " coefficients, but " + std::to_string(targets) + " x " +
                                std::to_string(x.cols) + " input columns need " +
                                std::to_string(targets * x.cols));
  }
  std::vector<double> s(static_cast<size_t>(x.rows * targets));
  for (int64_t r = 0; r < x.rows; ++r) {
    for (int64_t t = 0; t < targets; ++t) {
      double acc = intercepts.empty() ? 0.0 : intercepts[t];
      for (int64_t c = 0; c < x.cols; ++c) acc += x.at(r, c) * coef[t * x.cols + c];
      s[r * targets + t] = acc;
    }
  }
  return s;
}

Result<std::unique_ptr<Kernel>> MakeLinearRegressor(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(std::vector<float> coef, info.GetFloats("coefficients"));
  ADS_ASSIGN_OR_RETURN(std::vector<float> intercepts, info.GetFloats("intercepts"));
  ADS_ASSIGN_OR_RETURN(int64_t targets, info.GetInt("targets", 1));
  ADS_ASSIGN_OR_RETURN(PostTransform post, ParsePostTransform(info));
  if (targets < 1) return info.Error("targets must be at least 1");
  if (!intercepts.empty() && static_cast<int64_t>(intercepts.size()) != targets) {
    return info.Error("intercepts must have one value per target");
  }
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(FeatureMatrix x, ReadFeatures(*xt, "LinearRegressor"));
    ADS_ASSIGN_OR_RETURN(std::vector<double> s,
                         LinearScores(x, coef, intercepts, targets, "LinearRegressor"));
    Tensor y(DataType::kFloat, {x.rows, targets});
    float* py = y.mutable_data<float>();
    for (int64_t r = 0; r < x.rows; ++r) {
      std::vector<double> row(s.begin() + r * targets, s.begin() + (r + 1) * targets);
      // As onnxruntime: one target only honours PROBIT.
      if (targets > 1) ApplyPostTransform(post, row);
      else if (post == PostTransform::kProbit) row[0] = Probit(row[0]);
      for (int64_t t = 0; t < targets; ++t) py[r * targets + t] = static_cast<float>(row[t]);
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeLinearClassifier(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(std::vector<float> coef, info.GetFloats("coefficients"));
  ADS_ASSIGN_OR_RETURN(std::vector<float> intercepts, info.GetFloats("intercepts"));
  ADS_ASSIGN_OR_RETURN(ClassLabels labels, ReadClassLabels(info, "classlabels_ints"));
  ADS_ASSIGN_OR_RETURN(PostTransform post, ParsePostTransform(info));
  if (coef.empty()) return info.Error("attribute 'coefficients' is required");
  if (intercepts.empty()) return info.Error("attribute 'intercepts' is required");
  const int64_t classes = static_cast<int64_t>(intercepts.size());
  if (classes > 1 && static_cast<int64_t>(labels.size()) != classes) {
    return info.Error("there must be one class label per intercept");
  }
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(FeatureMatrix x, ReadFeatures(*xt, "LinearClassifier"));
    ADS_ASSIGN_OR_RETURN(std::vector<double> s,
                         LinearScores(x, coef, intercepts, classes, "LinearClassifier"));
    // One score column with two labels: the score is the positive-class
    // margin and a second column is added (onnxruntime's convention).
    const bool add_second = classes == 1 && labels.size() == 2;
    const int64_t out_cols = add_second ? 2 : classes;
    Tensor z(DataType::kFloat, {x.rows, out_cols});
    float* pz = z.mutable_data<float>();
    std::vector<int64_t> label_index(static_cast<size_t>(x.rows));
    ClassLabels binary = labels;
    if (classes == 1 && labels.size() != 2) {
      binary.ints = {0, 1};
      binary.names = {"0", "1"};
    }
    for (int64_t r = 0; r < x.rows; ++r) {
      std::vector<double> row(s.begin() + r * classes, s.begin() + (r + 1) * classes);
      if (classes == 1) {
        label_index[r] = row[0] > 0 ? 1 : 0;
      } else {
        label_index[r] = std::max_element(row.begin(), row.end()) - row.begin();
      }
      if (classes > 1) {
        ApplyPostTransform(post, row);
      } else if (post == PostTransform::kProbit) {
        row[0] = Probit(row[0]);
        if (add_second) row.push_back(0.0);
      } else if (add_second) {
        // A binary logistic model (sklearn's LogisticRegression as skl2onnx
        // writes it) gives [1 - p, p] with p = logistic(margin), as
        // onnxruntime does; without a transform the margin itself is used.
        if (post == PostTransform::kLogistic) row[0] = Logistic(row[0]);
        auto [a, b] = ExpandBinaryScore(row[0], post, SecondClass::kProbability);
        row = {a, b};
      }
      for (int64_t j = 0; j < out_cols; ++j) pz[r * out_cols + j] = static_cast<float>(row[j]);
    }
    ctx.set_output(0, MakeLabelTensor(classes == 1 ? binary : labels, label_index));
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
