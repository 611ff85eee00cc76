// Reference kernels for the loss operators: NegativeLogLikelihoodLoss and
// SoftmaxCrossEntropyLoss (reductions none/sum/mean, class weights,
// ignore_index).
#include <cmath>
#include <optional>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

struct LossAttrs {
  std::string reduction;
  std::optional<int64_t> ignore_index;

  static Result<LossAttrs> Read(const KernelInfo& info) {
    LossAttrs a;
    ADS_ASSIGN_OR_RETURN(a.reduction, info.GetString("reduction", "mean"));
    if (a.reduction != "none" && a.reduction != "sum" && a.reduction != "mean") {
      return info.Error("unknown reduction " + Quoted(a.reduction));
    }
    if (info.HasAttribute("ignore_index")) {
      ADS_ASSIGN_OR_RETURN(int64_t v, info.GetInt("ignore_index", 0));
      a.ignore_index = v;
    }
    return a;
  }
};

// NLL over log-probabilities `logp` [N, C, d...] and integer targets
// [N, d...]; T is the element type of logp.
template <typename T>
Result<Tensor> Nll(const Tensor& logp, const Tensor& target, const Tensor* weight,
                   const LossAttrs& a) {
  if (logp.rank() < 2 || target.rank() + 1 != logp.rank()) {
    return InvalidArgumentError("loss input must be [N, C, ...] with targets [N, ...]");
  }
  // Targets index logp row by row, so their dims must be logp's without C.
  bool fits = target.dim(0) == logp.dim(0);
  for (size_t d = 1; fits && d < target.rank(); ++d) fits = target.dim(d) == logp.dim(d + 1);
  if (!fits) {
    return InvalidArgumentError("loss targets " + target.TypeAndShape() + " do not match input " +
                                logp.TypeAndShape());
  }
  if (weight && weight->dtype() != logp.dtype()) {
    return InvalidArgumentError("loss weight must have the input's element type");
  }
  ADS_ASSIGN_OR_RETURN(std::vector<int64_t> t, ToInt64Vector(target, "loss target"));
  const int64_t n = logp.dim(0), c = logp.dim(1);
  const int64_t inner = n * c == 0 ? 0 : logp.size() / (n * c);
  if (weight && weight->size() != c) return InvalidArgumentError("loss weight must have C values");
  Tensor out(logp.dtype(), target.shape());
  T* po = out.mutable_data<T>();
  double total = 0, weight_sum = 0;
  for (int64_t b = 0; b < n; ++b) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t k = t[b * inner + i];
      if (a.ignore_index && k == *a.ignore_index) {
        po[b * inner + i] = T(0);
        continue;
      }
      if (k < 0 || k >= c) return InvalidArgumentError("loss target is out of range");
      const double w = weight ? static_cast<double>(weight->data<T>()[k]) : 1.0;
      const double l = -static_cast<double>(logp.data<T>()[(b * c + k) * inner + i]) * w;
      po[b * inner + i] = static_cast<T>(l);
      total += l;
      weight_sum += w;
    }
  }
  if (a.reduction == "none") return out;
  const double v = a.reduction == "sum" ? total : (weight_sum == 0 ? 0.0 : total / weight_sum);
  return Tensor::Scalar<T>(static_cast<T>(v));
}

Result<std::unique_ptr<Kernel>> MakeNllLoss(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(LossAttrs a, LossAttrs::Read(info));
  return MakeKernel([a](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* target, ctx.input(1));
    const Tensor* weight = ctx.optional_input(2);
    return DispatchFloat(x->dtype(), "NegativeLogLikelihoodLoss", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      ADS_ASSIGN_OR_RETURN(Tensor y, Nll<T>(*x, *target, weight, a));
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeSoftmaxCrossEntropy(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(LossAttrs a, LossAttrs::Read(info));
  return MakeKernel([a](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* target, ctx.input(1));
    const Tensor* weight = ctx.optional_input(2);
    if (x->rank() < 2) return InvalidArgumentError("loss input must be [N, C, ...]");
    return DispatchFloat(x->dtype(), "SoftmaxCrossEntropyLoss", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      // log_softmax over the class axis (axis 1).
      Tensor logp(x->dtype(), x->shape());
      const int64_t n = x->dim(0), c = x->dim(1);
      const int64_t inner = n * c == 0 ? 0 : x->size() / (n * c);
      for (int64_t b = 0; b < n; ++b) {
        for (int64_t i = 0; i < inner; ++i) {
          auto at = [&](int64_t k) { return (b * c + k) * inner + i; };
          double mx = -INFINITY, sum = 0;
          for (int64_t k = 0; k < c; ++k) mx = std::max<double>(mx, x->data<T>()[at(k)]);
          for (int64_t k = 0; k < c; ++k) sum += std::exp(x->data<T>()[at(k)] - mx);
          for (int64_t k = 0; k < c; ++k) {
            logp.mutable_data<T>()[at(k)] = static_cast<T>(x->data<T>()[at(k)] - mx - std::log(sum));
          }
        }
      }
      ADS_ASSIGN_OR_RETURN(Tensor y, Nll<T>(logp, *target, weight, a));
      ctx.set_output(0, std::move(y));
      ctx.set_output(1, std::move(logp));
      return OkStatus();
    });
  });
}

}  // namespace

void RegisterLossKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "NegativeLogLikelihoodLoss", 12}, MakeNllLoss);
  r.Register({"ai.onnx", "SoftmaxCrossEntropyLoss", 12}, MakeSoftmaxCrossEntropy);
}

}  // namespace ads::engine::kernels
