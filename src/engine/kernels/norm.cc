// Reference kernels for normalisation and padding: BatchNormalization
// (inference), InstanceNormalization, LayerNormalization, Pad.
#include <cmath>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

Result<std::unique_ptr<Kernel>> MakeBatchNorm(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(float eps, info.GetFloat("epsilon", 1e-5f));
  ADS_ASSIGN_OR_RETURN(int64_t training, info.GetInt("training_mode", 0));
  if (training || info.has_output(1)) {
    return UnimplementedError("BatchNormalization in training mode is not supported");
  }
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    const Tensor* p[4];
    for (size_t i = 0; i < 4; ++i) {
      ADS_ASSIGN_OR_RETURN(p[i], ctx.input(i + 1));
    }
    if (x->rank() < 2) return InvalidArgumentError("BatchNormalization needs rank >= 2");
    const int64_t n = x->dim(0), c = x->dim(1);
    for (const Tensor* t : p) {
      if (t->size() != c || t->dtype() != x->dtype()) {
        return InvalidArgumentError("BatchNormalization parameters must have C values");
      }
    }
    return DispatchFloat(x->dtype(), "BatchNormalization", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor y(x->dtype(), x->shape());
      const int64_t plane = n * c == 0 ? 0 : x->size() / (n * c);
      const T *s = p[0]->data<T>(), *b = p[1]->data<T>(), *mean = p[2]->data<T>(),
              *var = p[3]->data<T>();
      for (int64_t i = 0; i < n * c; ++i) {
        const int64_t ch = i % c;
        const double k = s[ch] / std::sqrt(static_cast<double>(var[ch]) + eps);
        for (int64_t j = 0; j < plane; ++j) {
          const double v = x->data<T>()[i * plane + j];
          y.mutable_data<T>()[i * plane + j] = static_cast<T>((v - mean[ch]) * k + b[ch]);
        }
      }
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

// Normalises each of `outer` rows of length `len` to zero mean and unit
// variance, then applies scale/bias picked by `param(row, j)`.
template <typename T, typename P>
void NormalizeRows(const T* x, T* y, int64_t outer, int64_t len, double eps, P&& param,
                   float* mean_out, float* inv_std_out) {
  for (int64_t r = 0; r < outer; ++r) {
    const T* row = x + r * len;
    double mean = 0, var = 0;
    for (int64_t j = 0; j < len; ++j) mean += row[j];
    mean /= static_cast<double>(len);
    for (int64_t j = 0; j < len; ++j) var += (row[j] - mean) * (row[j] - mean);
    var /= static_cast<double>(len);
    const double inv = 1 / std::sqrt(var + eps);
    for (int64_t j = 0; j < len; ++j) {
      auto [scale, bias] = param(r, j);
      y[r * len + j] = static_cast<T>((row[j] - mean) * inv * scale + bias);
    }
    if (mean_out) mean_out[r] = static_cast<float>(mean);
    if (inv_std_out) inv_std_out[r] = static_cast<float>(inv);
  }
}

Result<std::unique_ptr<Kernel>> MakeInstanceNorm(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(float eps, info.GetFloat("epsilon", 1e-5f));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* s, ctx.input(1));
    ADS_ASSIGN_OR_RETURN(const Tensor* b, ctx.input(2));
    if (x->rank() < 3 || s->size() != x->dim(1) || b->size() != x->dim(1)) {
      return InvalidArgumentError("InstanceNormalization needs X [N,C,...] and C scales/biases");
    }
    return DispatchFloat(x->dtype(), "InstanceNormalization", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor y(x->dtype(), x->shape());
      const int64_t c = x->dim(1), outer = x->dim(0) * c;
      const int64_t len = outer == 0 ? 0 : x->size() / outer;
      NormalizeRows<T>(x->data<T>(), y.mutable_data<T>(), outer, len, eps,
                       [&](int64_t r, int64_t) {
                         return std::pair<double, double>(s->data<T>()[r % c], b->data<T>()[r % c]);
                       },
                       nullptr, nullptr);
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeLayerNorm(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", -1));
  ADS_ASSIGN_OR_RETURN(float eps, info.GetFloat("epsilon", 1e-5f));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* scale, ctx.input(1));
    const Tensor* bias = ctx.optional_input(2);
    const int64_t rank = static_cast<int64_t>(x->rank());
    ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, rank, "LayerNormalization"));
    int64_t outer = 1;
    for (int64_t d = 0; d < a; ++d) outer *= x->dim(d);
    const int64_t len = outer == 0 ? 0 : x->size() / outer;
    // Scale and bias broadcast onto the normalised dims.
    Shape tail(x->shape().begin() + a, x->shape().end());
    ADS_ASSIGN_OR_RETURN(Shape bs, BroadcastShapes(tail, scale->shape()));
    if (bs != tail || (bias && bias->size() != scale->size() && bias->size() != 1)) {
      return InvalidArgumentError("LayerNormalization scale/bias do not fit the normalised dims");
    }
    Shape stat_shape = x->shape();
    for (int64_t d = a; d < rank; ++d) stat_shape[d] = 1;
    Tensor mean(DataType::kFloat, stat_shape), inv_std(DataType::kFloat, stat_shape);
    return DispatchFloat(x->dtype(), "LayerNormalization", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      if (scale->dtype() != x->dtype() || (bias && bias->dtype() != x->dtype())) {
        return InvalidArgumentError("LayerNormalization inputs differ in type");
      }
      std::vector<int64_t> soff(static_cast<size_t>(len)), boff(static_cast<size_t>(len));
      ForEachBroadcast(tail, {scale->shape()}, [&](int64_t i, const int64_t* o) { soff[i] = o[0]; });
      if (bias) ForEachBroadcast(tail, {bias->shape()}, [&](int64_t i, const int64_t* o) { boff[i] = o[0]; });
      Tensor y(x->dtype(), x->shape());
      NormalizeRows<T>(x->data<T>(), y.mutable_data<T>(), outer, len, eps,
                       [&](int64_t, int64_t j) {
                         return std::pair<double, double>(
                             scale->data<T>()[soff[j]], bias ? bias->data<T>()[boff[j]] : T(0));
                       },
                       mean.mutable_data<float>(), inv_std.mutable_data<float>());
      ctx.set_output(0, std::move(y));
      ctx.set_output(1, std::move(mean));
      ctx.set_output(2, std::move(inv_std));
      return OkStatus();
    });
  });
}

// Maps output coordinate `o` of a padded dim back to the input, or -1 for
// the constant fill.
int64_t PadSource(int64_t o, int64_t begin, int64_t in, const std::string& mode) {
  int64_t c = o - begin;
  if (c >= 0 && c < in) return c;
  if (mode == "constant" || in == 0) return -1;
  if (mode == "edge") return c < 0 ? 0 : in - 1;
  if (mode == "wrap") return ((c % in) + in) % in;
  if (in == 1) return 0;  // reflect
  const int64_t period = 2 * (in - 1);
  c = ((c % period) + period) % period;
  return c < in ? c : period - c;
}

KernelFactory PadFactory(bool pads_as_input) {
  return [=](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(std::string mode, info.GetString("mode", "constant"));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> attr_pads, info.GetInts("pads"));
    ADS_ASSIGN_OR_RETURN(float attr_value, info.GetFloat("value", 0.0f));
    if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap") {
      return info.Error("unknown Pad mode " + Quoted(mode));
    }
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      const int64_t rank = static_cast<int64_t>(x->rank());
      std::vector<int64_t> pads = attr_pads;
      std::vector<int64_t> axes;
      if (pads_as_input) {
        ADS_ASSIGN_OR_RETURN(const Tensor* p, ctx.input(1));
        ADS_ASSIGN_OR_RETURN(pads, ToInt64Vector(*p, "Pad pads"));
        if (const Tensor* a = ctx.optional_input(3)) {
          ADS_ASSIGN_OR_RETURN(axes, ToInt64Vector(*a, "Pad axes"));
        }
      }
      if (axes.empty()) {
        for (int64_t d = 0; d < rank; ++d) axes.push_back(d);
      }
      const size_t na = axes.size();
      if (pads.size() != 2 * na) return InvalidArgumentError("Pad pads must have 2 values per axis");
      std::vector<int64_t> begin(rank, 0), end(rank, 0);
      for (size_t i = 0; i < na; ++i) {
        ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axes[i], rank, "Pad"));
        begin[a] = pads[i];
        end[a] = pads[i + na];
      }
      Shape shape = x->shape();
      for (int64_t d = 0; d < rank; ++d) {
        shape[d] += begin[d] + end[d];
        if (shape[d] < 0) return InvalidArgumentError("Pad crops more than the input has");
      }
      return DispatchNumeric(x->dtype(), "Pad", [&](auto tag) -> Status {
        using T = typename decltype(tag)::type;
        T fill = static_cast<T>(attr_value);
        if (const Tensor* v = pads_as_input ? ctx.optional_input(2) : nullptr) {
          if (v->dtype() != x->dtype() || v->size() != 1) {
            return InvalidArgumentError("Pad constant_value must be one value of the input type");
          }
          fill = v->data<T>()[0];
        }
        ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(x->dtype(), shape));
        const std::vector<int64_t> strides = Strides(x->shape());
        std::vector<int64_t> idx(rank, 0);
        T* py = y.mutable_data<T>();
        for (int64_t i = 0; i < y.size(); ++i) {
          int64_t off = 0;
          bool inside = true;
          for (int64_t d = 0; d < rank && inside; ++d) {
            const int64_t s = PadSource(idx[d], begin[d], x->dim(d), mode);
            inside = s >= 0;
            off += s * strides[d];
          }
          py[i] = inside ? x->data<T>()[off] : fill;
          for (int64_t d = rank; d-- > 0;) {
            if (++idx[d] < shape[d]) break;
            idx[d] = 0;
          }
        }
        ctx.set_output(0, std::move(y));
        return OkStatus();
      });
    });
  };
}

}  // namespace

void RegisterNormKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "BatchNormalization", 6}, MakeBatchNorm);
  r.Register({"ai.onnx", "InstanceNormalization", 6}, MakeInstanceNorm);
  r.Register({"ai.onnx", "LayerNormalization", 17}, MakeLayerNorm);
  r.Register({"ai.onnx", "Pad", 2}, PadFactory(false));
  r.Register({"ai.onnx", "Pad", 11}, PadFactory(true));
}

}  // namespace ads::engine::kernels
