// Reference kernels for ai.onnx.ml SVMClassifier and SVMRegressor.
//
// Conventions follow libsvm as emitted by skl2onnx and run by onnxruntime:
// the pairwise decision for classes (i, j) is
//   sum_{sv in i} coef[j-1][sv] K(x, sv) + sum_{sv in j} coef[i][sv] K(x, sv) + rho[pair],
// a positive value votes for i, the label is the class with most votes, and
// probabilities (when prob_a/prob_b are given) come from Platt scaling of each
// pair followed by libsvm's pairwise coupling.
#include <cmath>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/ml_common.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

enum class KernelType { kLinear, kPoly, kRbf, kSigmoid };

struct SvmKernel {
  KernelType type = KernelType::kLinear;
  double gamma = 0, coef0 = 0, degree = 0;

  static Result<SvmKernel> Read(const KernelInfo& info) {
    SvmKernel k;
    ADS_ASSIGN_OR_RETURN(std::string t, info.GetString("kernel_type", "LINEAR"));
    if (t == "LINEAR") k.type = KernelType::kLinear;
    else if (t == "POLY") k.type = KernelType::kPoly;
    else if (t == "RBF") k.type = KernelType::kRbf;
    else if (t == "SIGMOID") k.type = KernelType::kSigmoid;
    else return info.Error("unknown kernel_type " + Quoted(t));
    ADS_ASSIGN_OR_RETURN(std::vector<float> p, info.GetFloats("kernel_params"));
    if (!p.empty()) k.gamma = p[0];
    if (p.size() > 1) k.coef0 = p[1];
    if (p.size() > 2) k.degree = p[2];
    return k;
  }

  double operator()(const double* x, const float* sv, int64_t n) const {
    double s = 0;
    if (type == KernelType::kRbf) {
      for (int64_t i = 0; i < n; ++i) s += (x[i] - sv[i]) * (x[i] - sv[i]);
      return std::exp(-gamma * s);
    }
    for (int64_t i = 0; i < n; ++i) s += x[i] * sv[i];
    if (type == KernelType::kPoly) return std::pow(gamma * s + coef0, degree);
    if (type == KernelType::kSigmoid) return std::tanh(gamma * s + coef0);
    return s;
  }
};

// libsvm's pairwise coupling (Wu, Lin and Weng 2004, method 2): turns the
// pairwise probabilities r[i][j] into class probabilities.
std::vector<double> PairwiseCoupling(const std::vector<std::vector<double>>& r) {
  const size_t k = r.size();
  std::vector<std::vector<double>> q(k, std::vector<double>(k, 0.0));
  std::vector<double> p(k, 1.0 / static_cast<double>(k)), qp(k);
  for (size_t t = 0; t < k; ++t) {
    for (size_t j = 0; j < k; ++j) {
      if (j == t) continue;
      q[t][t] += r[j][t] * r[j][t];
      q[t][j] = -r[j][t] * r[t][j];
    }
  }
  const double eps = 0.005 / static_cast<double>(k);
  for (int iter = 0; iter < std::max<int>(100, static_cast<int>(k)); ++iter) {
    double pqp = 0;
    for (size_t t = 0; t < k; ++t) {
      qp[t] = 0;
      for (size_t j = 0; j < k; ++j) qp[t] += q[t][j] * p[j];
      pqp += p[t] * qp[t];
    }
    double max_error = 0;
    for (size_t t = 0; t < k; ++t) max_error = std::max(max_error, std::fabs(qp[t] - pqp));
    if (max_error < eps) break;
    for (size_t t = 0; t < k; ++t) {
      const double diff = (-qp[t] + pqp) / q[t][t];
      p[t] += diff;
      pqp = (pqp + diff * (diff * q[t][t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
      for (size_t j = 0; j < k; ++j) {
        qp[j] = (qp[j] + diff * q[t][j]) / (1 + diff);
        p[j] /= (1 + diff);
      }
    }
  }
  return p;
}

class SvmClassifier : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<SvmClassifier>();
    ADS_ASSIGN_OR_RETURN(k->kernel_, SvmKernel::Read(info));
    ADS_ASSIGN_OR_RETURN(k->labels_, ReadClassLabels(info, "classlabels_ints"));
    ADS_ASSIGN_OR_RETURN(k->post_, ParsePostTransform(info));
    ADS_ASSIGN_OR_RETURN(k->coef_, info.GetFloats("coefficients"));
    ADS_ASSIGN_OR_RETURN(k->rho_, info.GetFloats("rho"));
    ADS_ASSIGN_OR_RETURN(k->sv_, info.GetFloats("support_vectors"));
    ADS_ASSIGN_OR_RETURN(k->prob_a_, info.GetFloats("prob_a"));
    ADS_ASSIGN_OR_RETURN(k->prob_b_, info.GetFloats("prob_b"));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> per_class, info.GetInts("vectors_per_class"));
    const int64_t classes = static_cast<int64_t>(k->labels_.size());
    if (classes < 2) return info.Error("SVMClassifier needs at least two class labels");
    if (per_class.empty()) {
      return UnimplementedError("SVMClassifier without support vectors (liblinear mode) is not supported");
    }
    if (static_cast<int64_t>(per_class.size()) != classes) {
      return info.Error("vectors_per_class must have one entry per class");
    }
    int64_t total = 0;
    for (int64_t v : per_class) {
      if (v < 0) return info.Error("vectors_per_class must not be negative");
      k->start_.push_back(total);
      total += v;
    }
    k->per_class_ = per_class;
    k->vectors_ = total;
    const size_t pairs = static_cast<size_t>(classes * (classes - 1) / 2);
    if (total == 0 || k->sv_.size() % static_cast<size_t>(total) != 0 ||
        k->coef_.size() != static_cast<size_t>((classes - 1) * total) || k->rho_.size() < pairs ||
        k->prob_a_.size() != k->prob_b_.size() ||
        (!k->prob_a_.empty() && k->prob_a_.size() < pairs)) {
      return info.Error("the SVM attributes have inconsistent sizes");
    }
    k->features_ = static_cast<int64_t>(k->sv_.size()) / total;
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(FeatureMatrix x, ReadFeatures(*xt, "SVMClassifier"));
    if (x.cols != features_) {
      return InvalidArgumentError("SVMClassifier expects " + std::to_string(features_) +
                                  " features, got " + std::to_string(x.cols));
    }
    const int64_t classes = static_cast<int64_t>(labels_.size());
    const int64_t pairs = classes * (classes - 1) / 2;
    const bool proba = !prob_a_.empty();
    const int64_t cols = proba ? classes : (classes == 2 ? 2 : pairs);
    Tensor z(DataType::kFloat, {x.rows, cols});
    std::vector<int64_t> label(static_cast<size_t>(x.rows));
    std::vector<double> kv(static_cast<size_t>(vectors_));
    for (int64_t r = 0; r < x.rows; ++r) {
      for (int64_t v = 0; v < vectors_; ++v) {
        kv[v] = kernel_(&x.values[r * x.cols], &sv_[v * features_], features_);
      }
      std::vector<double> scores;
      std::vector<int64_t> votes(static_cast<size_t>(classes), 0);
      size_t pair = 0;
      for (int64_t i = 0; i < classes; ++i) {
        for (int64_t j = i + 1; j < classes; ++j, ++pair) {
          double s = rho_[pair];
          for (int64_t m = 0; m < per_class_[i]; ++m) {
            s += coef_[(j - 1) * vectors_ + start_[i] + m] * kv[start_[i] + m];
          }
          for (int64_t m = 0; m < per_class_[j]; ++m) {
            s += coef_[i * vectors_ + start_[j] + m] * kv[start_[j] + m];
          }
          scores.push_back(s);
          ++votes[s > 0 ? i : j];
        }
      }
      label[r] = std::max_element(votes.begin(), votes.end()) - votes.begin();
      std::vector<double> row = proba ? Probabilities(scores, classes) : scores;
      if (!proba && classes == 2) {
        // One pairwise score expands to two columns, as onnxruntime does.
        if (post_ == PostTransform::kProbit) row = {Probit(row[0]), 0.0};
        else if (post_ == PostTransform::kNone) row = {-row[0], row[0]};
        else row = {1 - row[0], row[0]};
      } else {
        ApplyPostTransform(post_, row);
      }
      for (int64_t c = 0; c < cols; ++c) z.mutable_data<float>()[r * cols + c] = static_cast<float>(row[c]);
    }
    ctx.set_output(0, MakeLabelTensor(labels_, label));
    ctx.set_output(1, std::move(z));
    return OkStatus();
  }

 private:
  std::vector<double> Probabilities(const std::vector<double>& scores, int64_t classes) const {
    std::vector<std::vector<double>> r(classes, std::vector<double>(classes, 0.0));
    size_t pair = 0;
    for (int64_t i = 0; i < classes; ++i) {
      for (int64_t j = i + 1; j < classes; ++j, ++pair) {
        // Platt scaling: P(i beats j) = 1 / (1 + exp(A * s + B)), kept off 0 and 1.
        double p = 1.0 / (1.0 + std::exp(scores[pair] * prob_a_[pair] + prob_b_[pair]));
        p = std::min(std::max(p, 1e-7), 1 - 1e-7);
        r[i][j] = p;
        r[j][i] = 1 - p;
      }
    }
    return PairwiseCoupling(r);
  }

  SvmKernel kernel_;
  ClassLabels labels_;
  PostTransform post_ = PostTransform::kNone;
  std::vector<float> coef_, rho_, sv_, prob_a_, prob_b_;
  std::vector<int64_t> per_class_, start_;
  int64_t vectors_ = 0, features_ = 0;
};

Result<std::unique_ptr<Kernel>> MakeSvmRegressor(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(SvmKernel kernel, SvmKernel::Read(info));
  ADS_ASSIGN_OR_RETURN(std::vector<float> coef, info.GetFloats("coefficients"));
  ADS_ASSIGN_OR_RETURN(std::vector<float> rho, info.GetFloats("rho"));
  ADS_ASSIGN_OR_RETURN(std::vector<float> sv, info.GetFloats("support_vectors"));
  ADS_ASSIGN_OR_RETURN(int64_t n_supports, info.GetInt("n_supports", 0));
  ADS_ASSIGN_OR_RETURN(int64_t one_class, info.GetInt("one_class", 0));
  ADS_ASSIGN_OR_RETURN(PostTransform post, ParsePostTransform(info));
  if (rho.empty()) return info.Error("attribute 'rho' is required");
  if (n_supports < 0 || (n_supports > 0 && (coef.size() != static_cast<size_t>(n_supports) ||
                                            sv.size() % static_cast<size_t>(n_supports) != 0))) {
    return info.Error("the SVM attributes have inconsistent sizes");
  }
  const int64_t features = n_supports > 0 ? static_cast<int64_t>(sv.size()) / n_supports
                                          : static_cast<int64_t>(coef.size());
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* xt, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(FeatureMatrix x, ReadFeatures(*xt, "SVMRegressor"));
    if (x.cols != features) {
      return InvalidArgumentError("SVMRegressor expects " + std::to_string(features) +
                                  " features, got " + std::to_string(x.cols));
    }
    Tensor y(DataType::kFloat, {x.rows, 1});
    for (int64_t r = 0; r < x.rows; ++r) {
      const double* row = &x.values[r * x.cols];
      double s = rho[0];
      if (n_supports > 0) {
        for (int64_t v = 0; v < n_supports; ++v) s += coef[v] * kernel(row, &sv[v * features], features);
      } else {
        s += SvmKernel{}(row, coef.data(), features);  // liblinear: a plain dot product
      }
      if (post == PostTransform::kProbit) s = Probit(s);
      if (one_class) s = s > 0 ? 1.0 : -1.0;
      y.mutable_data<float>()[r] = static_cast<float>(s);
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

}  // namespace

void RegisterMlSvmKernels(KernelRegistry& r) {
  r.Register({"ai.onnx.ml", "SVMClassifier", 1}, SvmClassifier::Create);
  r.Register({"ai.onnx.ml", "SVMRegressor", 1}, MakeSvmRegressor);
}

}  // namespace ads::engine::kernels
