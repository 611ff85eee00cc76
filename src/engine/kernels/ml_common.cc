#include "engine/kernels/ml_common.h"

#include <cmath>
#include <limits>
#include <numbers>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"

namespace ads::engine::kernels {

Result<PostTransform> ParsePostTransform(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(std::string s, info.GetString("post_transform", "NONE"));
  if (s == "NONE") return PostTransform::kNone;
  if (s == "SOFTMAX") return PostTransform::kSoftmax;
  if (s == "LOGISTIC") return PostTransform::kLogistic;
  if (s == "SOFTMAX_ZERO") return PostTransform::kSoftmaxZero;
  if (s == "PROBIT") return PostTransform::kProbit;
  return info.Error("unknown post_transform " + Quoted(s));
}

double Logistic(double x) {
  const double v = 1.0 / (1.0 + std::exp(-std::fabs(x)));
  return x < 0 ? 1.0 - v : v;
}

namespace {

// erfinv by Newton's method on erf, from a closed-form first guess; accurate
// to double precision in a few steps.
double ErfInv(double y) {
  if (y <= -1) return -std::numeric_limits<double>::infinity();
  if (y >= 1) return std::numeric_limits<double>::infinity();
  const double a = 0.147;
  const double ln = std::log((1 - y) * (1 + y));
  const double t = 2 / (std::numbers::pi * a) + ln / 2;
  double x = std::copysign(std::sqrt(std::sqrt(t * t - ln / a) - t), y);
  for (int i = 0; i < 4; ++i) {
    const double err = std::erf(x) - y;
    x -= err / (2 / std::sqrt(std::numbers::pi) * std::exp(-x * x));
  }
  return x;
}

}  // namespace

double Probit(double p) { return std::sqrt(2.0) * ErfInv(2 * p - 1); }

void ApplyPostTransform(PostTransform pt, std::span<double> s) {
  switch (pt) {
    case PostTransform::kLogistic:
      for (double& v : s) v = Logistic(v);
      break;
    case PostTransform::kProbit:
      for (double& v : s) v = Probit(v);
      break;
    case PostTransform::kSoftmax: {
      double mx = -std::numeric_limits<double>::infinity();
      for (double v : s) mx = std::max(mx, v);
      double sum = 0;
      for (double& v : s) sum += (v = std::exp(v - mx));
      for (double& v : s) v /= sum;
      break;
    }
    case PostTransform::kSoftmaxZero: {
      // Zero scores mean "no vote" and stay zero.
      double mx = -std::numeric_limits<double>::infinity();
      for (double v : s) mx = std::max(mx, v);
      double sum = 0;
      for (double& v : s) {
        if (std::fabs(v) > 1e-7) sum += (v = std::exp(v - mx));
        else v = 0;
      }
      if (sum > 0) {
        for (double& v : s) v /= sum;
      }
      break;
    }
    case PostTransform::kNone:
      break;
  }
}

std::pair<double, double> ExpandBinaryScore(double s, PostTransform pt, SecondClass mode) {
  if (mode == SecondClass::kProbability) return {1 - s, s};
  if (pt == PostTransform::kLogistic) return {Logistic(-s), Logistic(s)};
  return {-s, s};
}

Result<FeatureMatrix> ReadFeatures(const Tensor& x, std::string_view op) {
  FeatureMatrix m;
  if (x.rank() == 1) {
    m.rows = 1;
    m.cols = x.dim(0);
  } else if (x.rank() == 2) {
    m.rows = x.dim(0);
    m.cols = x.dim(1);
  } else {
    return InvalidArgumentError(std::string(op) + " needs a 1-D or 2-D input, got " +
                                x.TypeAndShape());
  }
  ADS_ASSIGN_OR_RETURN(m.values, ToDoubleVector(x, op));
  return m;
}

Result<ClassLabels> ReadClassLabels(const KernelInfo& info, const char* ints_name) {
  ClassLabels l;
  ADS_ASSIGN_OR_RETURN(l.ints, info.GetInts(ints_name));
  ADS_ASSIGN_OR_RETURN(l.names, info.GetStrings("classlabels_strings"));
  l.strings = !l.names.empty();
  if (l.strings && !l.ints.empty()) {
    return info.Error("only one of classlabels_strings and " + std::string(ints_name) +
                      " may be set");
  }
  return l;
}

Tensor MakeLabelTensor(const ClassLabels& labels, const std::vector<int64_t>& index) {
  const int64_t n = static_cast<int64_t>(index.size());
  if (labels.strings) {
    std::vector<std::string> out;
    for (int64_t i : index) out.push_back(labels.names[i]);
    return Tensor::FromStrings({n}, std::move(out));
  }
  std::vector<int64_t> out;
  for (int64_t i : index) out.push_back(labels.ints[i]);
  return Tensor::FromVector<int64_t>({n}, out);
}

Status LabelWriter::Start(const KernelContext& ctx, size_t output, int64_t rows) {
  if (labels_.strings) {
    index_.resize(static_cast<size_t>(rows));
    return OkStatus();
  }
  ADS_ASSIGN_OR_RETURN(tensor_, ctx.NewOutput(output, DataType::kInt64, {rows}));
  ints_ = tensor_->mutable_data<int64_t>();
  return OkStatus();
}

Tensor LabelWriter::Finish() {
  ints_ = nullptr;
  return tensor_ ? std::move(*tensor_) : MakeLabelTensor(labels_, index_);
}

Result<std::vector<double>> GetDoubles(const KernelInfo& info, const std::string& name) {
  if (info.HasAttribute(name + "_as_tensor")) {
    ADS_ASSIGN_OR_RETURN(Tensor t, info.GetTensor(name + "_as_tensor"));
    return ToDoubleVector(t, name + "_as_tensor");
  }
  ADS_ASSIGN_OR_RETURN(std::vector<float> f, info.GetFloats(name));
  return std::vector<double>(f.begin(), f.end());
}

}  // namespace ads::engine::kernels
