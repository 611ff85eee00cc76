// Reference kernels for less common ops: StringNormalizer, QuantizeLinear,
// DequantizeLinear, DynamicQuantizeLinear, LRN, ReverseSequence.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

Result<std::unique_ptr<Kernel>> MakeStringNormalizer(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(std::string action, info.GetString("case_change_action", "NONE"));
  ADS_ASSIGN_OR_RETURN(int64_t case_sensitive, info.GetInt("is_case_sensitive", 0));
  ADS_ASSIGN_OR_RETURN(std::vector<std::string> stop, info.GetStrings("stopwords"));
  if (action != "NONE" && action != "LOWER" && action != "UPPER") {
    return info.Error("unknown case_change_action " + Quoted(action));
  }
  std::set<std::string> stopwords;
  for (const std::string& w : stop) stopwords.insert(case_sensitive ? w : ToLower(w));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    const bool row = x->rank() == 2 && x->dim(0) == 1;
    if (!x->is_string() || !(x->rank() == 1 || row)) {
      return InvalidArgumentError("StringNormalizer needs a string tensor [C] or [1, C]");
    }
    std::vector<std::string> kept;
    for (const std::string& s : x->span<std::string>()) {
      if (stopwords.count(case_sensitive ? s : ToLower(s))) continue;
      kept.push_back(action == "LOWER" ? ToLower(s) : action == "UPPER" ? ToUpper(s) : s);
    }
    // An input that is filtered away entirely still yields one empty string.
    if (kept.empty()) kept.push_back("");
    const int64_t n = static_cast<int64_t>(kept.size());
    ctx.set_output(0, Tensor::FromStrings(row ? Shape{1, n} : Shape{n}, std::move(kept)));
    return OkStatus();
  });
}

// Scale and zero point for element i of a per-tensor or per-axis quantisation.
struct QuantParams {
  std::vector<double> scale, zero;
  int64_t axis = 1, inner = 1;
  std::pair<double, double> At(const Shape& shape, int64_t i) const {
    if (scale.size() == 1) return {scale[0], zero.empty() ? 0.0 : zero[0]};
    const int64_t c = (i / inner) % shape[axis];
    return {scale[c], zero.empty() ? 0.0 : zero[c]};
  }
};

Result<QuantParams> ReadQuantParams(const KernelContext& ctx, const Tensor& x, int64_t axis) {
  QuantParams q;
  ADS_ASSIGN_OR_RETURN(const Tensor* s, ctx.input(1));
  ADS_ASSIGN_OR_RETURN(q.scale, ToDoubleVector(*s, "quantisation scale"));
  if (const Tensor* z = ctx.optional_input(2)) {
    ADS_ASSIGN_OR_RETURN(q.zero, ToDoubleVector(*z, "quantisation zero point"));
  }
  if (q.scale.size() != 1) {
    ADS_ASSIGN_OR_RETURN(q.axis, NormalizeAxis(axis, static_cast<int64_t>(x.rank()), "quantisation"));
    if (static_cast<int64_t>(q.scale.size()) != x.dim(q.axis)) {
      return InvalidArgumentError("per-axis scales must match the axis length");
    }
    for (size_t d = q.axis + 1; d < x.rank(); ++d) q.inner *= x.dim(d);
  }
  if (!q.zero.empty() && q.zero.size() != q.scale.size()) {
    return InvalidArgumentError("scale and zero point differ in size");
  }
  return q;
}

template <typename T>
T Saturate(double v) {
  // NaN (e.g. x / 0 with a zero scale) has no integer value; converting it
  // is undefined behaviour, so it maps to 0.
  if (std::isnan(v)) return T(0);
  return static_cast<T>(std::min<double>(std::max<double>(v, std::numeric_limits<T>::lowest()),
                                         std::numeric_limits<T>::max()));
}

Result<std::unique_ptr<Kernel>> MakeQuantize(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", 1));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(QuantParams q, ReadQuantParams(ctx, *x, axis));
    ADS_ASSIGN_OR_RETURN(std::vector<double> v, ToDoubleVector(*x, "QuantizeLinear input"));
    const Tensor* z = ctx.optional_input(2);
    const DataType out = z ? z->dtype() : DataType::kUint8;
    const bool single = x->dtype() == DataType::kFloat;
    Tensor y(out, x->shape());
    auto fill = [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      for (int64_t i = 0; i < x->size(); ++i) {
        auto [scale, zero] = q.At(x->shape(), i);
        // Divide in the input's precision: float inputs round like numpy's float32.
        const double ratio = single ? static_cast<double>(static_cast<float>(v[i]) /
                                                          static_cast<float>(scale))
                                    : v[i] / scale;
        y.mutable_data<T>()[i] = Saturate<T>(std::nearbyint(ratio) + zero);
      }
      return OkStatus();
    };
    if (out == DataType::kUint8) ADS_RETURN_IF_ERROR(fill(Tag<uint8_t>{}));
    else if (out == DataType::kInt8) ADS_RETURN_IF_ERROR(fill(Tag<int8_t>{}));
    else return UnsupportedType("QuantizeLinear", out);
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeDequantize(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", 1));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(QuantParams q, ReadQuantParams(ctx, *x, axis));
    ADS_ASSIGN_OR_RETURN(std::vector<double> v, ToDoubleVector(*x, "DequantizeLinear input"));
    Tensor y(DataType::kFloat, x->shape());
    for (int64_t i = 0; i < x->size(); ++i) {
      auto [scale, zero] = q.At(x->shape(), i);
      y.mutable_data<float>()[i] = static_cast<float>((v[i] - zero) * scale);
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

Status RunDynamicQuantize(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
  if (x->dtype() != DataType::kFloat) return UnsupportedType("DynamicQuantizeLinear", x->dtype());
  // The range always includes 0 so that 0 is exactly representable.
  float lo = 0, hi = 0;
  for (float v : x->span<float>()) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const float scale = (hi - lo) / 255.0f;
  const double zp = scale == 0 ? 0 : std::nearbyint(std::clamp(-lo / scale, 0.0f, 255.0f));
  Tensor y(DataType::kUint8, x->shape());
  for (int64_t i = 0; i < x->size(); ++i) {
    const double q = scale == 0 ? zp : std::nearbyint(x->data<float>()[i] / scale) + zp;
    y.mutable_data<uint8_t>()[i] = Saturate<uint8_t>(q);
  }
  ctx.set_output(0, std::move(y));
  ctx.set_output(1, Tensor::Scalar<float>(scale));
  ctx.set_output(2, Tensor::Scalar<uint8_t>(static_cast<uint8_t>(zp)));
  return OkStatus();
}

Result<std::unique_ptr<Kernel>> MakeLrn(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(float alpha, info.GetFloat("alpha", 1e-4f));
  ADS_ASSIGN_OR_RETURN(float beta, info.GetFloat("beta", 0.75f));
  ADS_ASSIGN_OR_RETURN(float bias, info.GetFloat("bias", 1.0f));
  ADS_ASSIGN_OR_RETURN(int64_t size, info.RequireInt("size"));
  if (size < 1) return info.Error("size must be positive");
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    if (x->rank() < 3) return InvalidArgumentError("LRN needs an input [N,C,...]");
    return DispatchFloat(x->dtype(), "LRN", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      const int64_t n = x->dim(0), c = x->dim(1), plane = x->size() / std::max<int64_t>(n * c, 1);
      Tensor y(x->dtype(), x->shape());
      const int64_t before = (size - 1) / 2, after = size - 1 - before;
      for (int64_t b = 0; b < n; ++b) {
        for (int64_t ch = 0; ch < c; ++ch) {
          for (int64_t p = 0; p < plane; ++p) {
            double sq = 0;
            for (int64_t k = std::max<int64_t>(0, ch - before); k <= std::min(c - 1, ch + after); ++k) {
              const double v = x->data<T>()[(b * c + k) * plane + p];
              sq += v * v;
            }
            const int64_t i = (b * c + ch) * plane + p;
            y.mutable_data<T>()[i] =
                static_cast<T>(x->data<T>()[i] / std::pow(bias + alpha / size * sq, beta));
          }
        }
      }
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeReverseSequence(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t batch_axis, info.GetInt("batch_axis", 1));
  ADS_ASSIGN_OR_RETURN(int64_t time_axis, info.GetInt("time_axis", 0));
  if ((batch_axis != 0 && batch_axis != 1) || time_axis != 1 - batch_axis) {
    return info.Error("batch_axis and time_axis must be 0 and 1 in some order");
  }
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* lt, ctx.input(1));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> lens, ToInt64Vector(*lt, "sequence_lens"));
    if (x->rank() < 2 || static_cast<int64_t>(lens.size()) != x->dim(batch_axis)) {
      return InvalidArgumentError("ReverseSequence needs one length per batch entry");
    }
    const std::vector<int64_t> strides = Strides(x->shape());
    std::vector<int64_t> src(static_cast<size_t>(x->size()));
    for (int64_t i = 0; i < x->size(); ++i) {
      const int64_t t = i / strides[time_axis] % x->dim(time_axis);
      const int64_t b = i / strides[batch_axis] % x->dim(batch_axis);
      const int64_t len = std::clamp<int64_t>(lens[b], 0, x->dim(time_axis));
      const int64_t from = t < len ? len - 1 - t : t;
      src[i] = i + (from - t) * strides[time_axis];
    }
    ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(x->dtype(), x->shape()));
    ADS_RETURN_IF_ERROR(DispatchAny(x->dtype(), "ReverseSequence", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      for (int64_t i = 0; i < y.size(); ++i) y.mutable_data<T>()[i] = x->data<T>()[src[i]];
      return OkStatus();
    }));
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

}  // namespace

void RegisterExtraKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "StringNormalizer", 10}, MakeStringNormalizer);
  r.Register({"ai.onnx", "QuantizeLinear", 10}, MakeQuantize);
  r.Register({"ai.onnx", "DequantizeLinear", 10}, MakeDequantize);
  r.Register({"ai.onnx", "DynamicQuantizeLinear", 11}, Stateless(RunDynamicQuantize));
  r.Register({"ai.onnx", "LRN", 1}, MakeLrn);
  r.Register({"ai.onnx", "ReverseSequence", 10}, MakeReverseSequence);
}

}  // namespace ads::engine::kernels
