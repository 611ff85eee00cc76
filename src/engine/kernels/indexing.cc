// Reference kernels that gather or scatter by index tensors or move blocks of
// elements: GatherND, ScatterElements (and legacy Scatter), ScatterND,
// Compress, DepthToSpace, SpaceToDepth, EyeLike, BitShift.
#include <type_traits>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

Result<int64_t> CheckIndex(int64_t i, int64_t dim, const char* op) {
  if (i < -dim || i >= dim) {
    return InvalidArgumentError(std::string(op) + " index " + std::to_string(i) +
                                " is out of range for a dim of " + std::to_string(dim));
  }
  return i < 0 ? i + dim : i;
}

Result<std::unique_ptr<Kernel>> MakeGatherND(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t batch_dims, info.GetInt("batch_dims", 0));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* ind, ctx.input(1));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> idx, ToInt64Vector(*ind, "GatherND indices"));
    const int64_t r = static_cast<int64_t>(x->rank()), q = static_cast<int64_t>(ind->rank());
    if (q < 1 || batch_dims < 0 || batch_dims >= std::min(r, q)) {
      return InvalidArgumentError("GatherND ranks or batch_dims are invalid");
    }
    const int64_t k = ind->dim(q - 1);
    if (k > r - batch_dims) return InvalidArgumentError("GatherND index tuples are too long");
    Shape shape(ind->shape().begin(), ind->shape().end() - 1);
    shape.insert(shape.end(), x->shape().begin() + batch_dims + k, x->shape().end());
    int64_t batch = 1, slice = 1;
    for (int64_t d = 0; d < batch_dims; ++d) batch *= x->dim(d);
    for (int64_t d = batch_dims + k; d < r; ++d) slice *= x->dim(d);
    const std::vector<int64_t> strides = Strides(x->shape());
    const int64_t batch_stride = batch_dims > 0 ? strides[batch_dims - 1] : x->size();
    const int64_t tuples = k == 0 ? ElementCount(Shape(ind->shape().begin(), ind->shape().end() - 1))
                                  : static_cast<int64_t>(idx.size()) / k;
    const int64_t per_batch = batch == 0 ? 0 : tuples / batch;
    std::vector<int64_t> src;
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t off = (per_batch == 0 ? 0 : t / per_batch) * batch_stride;
      for (int64_t j = 0; j < k; ++j) {
        ADS_ASSIGN_OR_RETURN(int64_t v, CheckIndex(idx[t * k + j], x->dim(batch_dims + j), "GatherND"));
        off += v * strides[batch_dims + j];
      }
      for (int64_t s = 0; s < slice; ++s) src.push_back(off + s);
    }
    ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(x->dtype(), shape));
    ADS_RETURN_IF_ERROR(DispatchAny(x->dtype(), "GatherND", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      for (size_t i = 0; i < src.size(); ++i) y.mutable_data<T>()[i] = x->data<T>()[src[i]];
      return OkStatus();
    }));
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

enum class Reduction { kNone, kAdd, kMul, kMax, kMin };

Result<Reduction> ReadReduction(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(std::string r, info.GetString("reduction", "none"));
  if (r == "none") return Reduction::kNone;
  if (r == "add") return Reduction::kAdd;
  if (r == "mul") return Reduction::kMul;
  if (r == "max") return Reduction::kMax;
  if (r == "min") return Reduction::kMin;
  return info.Error("unknown reduction " + Quoted(r));
}

template <typename T>
void Apply(Reduction r, T& dst, const T& v) {
  if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
    switch (r) {
      case Reduction::kAdd: dst = static_cast<T>(dst + v); return;
      case Reduction::kMul: dst = static_cast<T>(dst * v); return;
      case Reduction::kMax: dst = dst > v ? dst : v; return;
      case Reduction::kMin: dst = dst < v ? dst : v; return;
      default: break;
    }
  }
  dst = v;
}

Result<std::unique_ptr<Kernel>> MakeScatterElements(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", 0));
  ADS_ASSIGN_OR_RETURN(Reduction red, ReadReduction(info));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* ind, ctx.input(1));
    ADS_ASSIGN_OR_RETURN(const Tensor* upd, ctx.input(2));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> idx, ToInt64Vector(*ind, "ScatterElements indices"));
    ADS_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(axis, static_cast<int64_t>(x->rank()), "ScatterElements"));
    if (ind->shape() != upd->shape() || ind->rank() != x->rank() || upd->dtype() != x->dtype()) {
      return InvalidArgumentError("ScatterElements indices/updates do not fit the data");
    }
    const std::vector<int64_t> xs = Strides(x->shape()), is = Strides(ind->shape());
    return DispatchAny(x->dtype(), "ScatterElements", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor y = x->Clone();
      for (int64_t i = 0; i < ind->size(); ++i) {
        int64_t off = 0, rest = i;
        for (size_t d = 0; d < ind->rank(); ++d) {
          int64_t c = rest / is[d];
          rest %= is[d];
          if (static_cast<int64_t>(d) == a) {
            ADS_ASSIGN_OR_RETURN(c, CheckIndex(idx[i], x->dim(d), "ScatterElements"));
          } else if (c >= x->dim(d)) {
            return InvalidArgumentError("ScatterElements indices exceed the data shape");
          }
          off += c * xs[d];
        }
        Apply<T>(red, y.mutable_data<T>()[off], upd->data<T>()[i]);
      }
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeScatterND(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(Reduction red, ReadReduction(info));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* ind, ctx.input(1));
    ADS_ASSIGN_OR_RETURN(const Tensor* upd, ctx.input(2));
    ADS_ASSIGN_OR_RETURN(std::vector<int64_t> idx, ToInt64Vector(*ind, "ScatterND indices"));
    if (ind->rank() < 1 || upd->dtype() != x->dtype()) {
      return InvalidArgumentError("ScatterND inputs do not fit together");
    }
    const int64_t k = ind->dim(ind->rank() - 1);
    if (k > static_cast<int64_t>(x->rank())) return InvalidArgumentError("ScatterND tuples are too long");
    int64_t slice = 1;
    for (size_t d = k; d < x->rank(); ++d) slice *= x->dim(d);
    const int64_t tuples = k == 0 ? 1 : static_cast<int64_t>(idx.size()) / k;
    if (upd->size() != tuples * slice) return InvalidArgumentError("ScatterND updates have the wrong size");
    const std::vector<int64_t> xs = Strides(x->shape());
    return DispatchAny(x->dtype(), "ScatterND", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor y = x->Clone();
      for (int64_t t = 0; t < tuples; ++t) {
        int64_t off = 0;
        for (int64_t j = 0; j < k; ++j) {
          ADS_ASSIGN_OR_RETURN(int64_t v, CheckIndex(idx[t * k + j], x->dim(j), "ScatterND"));
          off += v * xs[j];
        }
        for (int64_t s = 0; s < slice; ++s) {
          Apply<T>(red, y.mutable_data<T>()[off + s], upd->data<T>()[t * slice + s]);
        }
      }
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  });
}

Result<std::unique_ptr<Kernel>> MakeCompress(const KernelInfo& info) {
  const bool has_axis = info.HasAttribute("axis");
  ADS_ASSIGN_OR_RETURN(int64_t axis, info.GetInt("axis", 0));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x_in, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* cond, ctx.input(1));
    if (cond->dtype() != DataType::kBool || cond->rank() != 1) {
      return InvalidArgumentError("Compress condition must be a 1-D bool tensor");
    }
    Tensor x = *x_in;
    int64_t a = 0;
    if (has_axis) {
      ADS_ASSIGN_OR_RETURN(a, NormalizeAxis(axis, static_cast<int64_t>(x.rank()), "Compress"));
    } else {
      ADS_ASSIGN_OR_RETURN(x, x.Reshaped({x.size()}));
    }
    std::vector<const Tensor*> parts;
    std::vector<Tensor> held;
    for (int64_t i = 0; i < std::min(cond->size(), x.dim(a)); ++i) {
      if (!cond->data<bool>()[i]) continue;
      ADS_ASSIGN_OR_RETURN(Tensor s, SliceAxis(x, a, i, 1));
      held.push_back(std::move(s));
    }
    for (const Tensor& t : held) parts.push_back(&t);
    Tensor y;
    if (parts.empty()) {
      Shape shape = x.shape();
      shape[a] = 0;
      ADS_ASSIGN_OR_RETURN(y, Tensor::Make(x.dtype(), shape));
    } else {
      ADS_ASSIGN_OR_RETURN(y, ConcatTensors(parts, a));
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

// DepthToSpace and SpaceToDepth as a reshape, a transpose and a reshape.
Result<Tensor> Permute(const Tensor& x, const Shape& view, const std::vector<int64_t>& perm,
                       const Shape& out) {
  ADS_ASSIGN_OR_RETURN(Tensor v, x.Reshaped(view));
  const std::vector<int64_t> strides = Strides(view);
  Shape tshape(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) tshape[i] = view[perm[i]];
  const std::vector<int64_t> tstrides = Strides(tshape);
  ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(x.dtype(), out));
  ADS_RETURN_IF_ERROR(DispatchAny(x.dtype(), "DepthToSpace", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    for (int64_t i = 0; i < y.size(); ++i) {
      int64_t rest = i, off = 0;
      for (size_t d = 0; d < perm.size(); ++d) {
        off += (rest / tstrides[d]) * strides[perm[d]];
        rest %= tstrides[d];
      }
      y.mutable_data<T>()[i] = v.data<T>()[off];
    }
    return OkStatus();
  }));
  return y;
}

KernelFactory BlockFactory(bool to_space) {
  return [=](const KernelInfo& info) -> Result<std::unique_ptr<Kernel>> {
    ADS_ASSIGN_OR_RETURN(int64_t b, info.RequireInt("blocksize"));
    ADS_ASSIGN_OR_RETURN(std::string mode, info.GetString("mode", "DCR"));
    if (b < 1) return info.Error("blocksize must be positive");
    return MakeKernel([=](KernelContext& ctx) -> Status {
      ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
      if (x->rank() != 4) return InvalidArgumentError("DepthToSpace/SpaceToDepth need 4-D input");
      const int64_t n = x->dim(0), c = x->dim(1), h = x->dim(2), w = x->dim(3);
      Tensor y;
      if (to_space) {
        if (c % (b * b) != 0) return InvalidArgumentError("channels must divide by blocksize^2");
        const int64_t oc = c / (b * b);
        if (mode == "DCR") {
          ADS_ASSIGN_OR_RETURN(y, Permute(*x, {n, b, b, oc, h, w}, {0, 3, 4, 1, 5, 2}, {n, oc, h * b, w * b}));
        } else {
          ADS_ASSIGN_OR_RETURN(y, Permute(*x, {n, oc, b, b, h, w}, {0, 1, 4, 2, 5, 3}, {n, oc, h * b, w * b}));
        }
      } else {
        if (h % b != 0 || w % b != 0) return InvalidArgumentError("spatial dims must divide by blocksize");
        ADS_ASSIGN_OR_RETURN(y, Permute(*x, {n, c, h / b, b, w / b, b}, {0, 3, 5, 1, 2, 4},
                                        {n, c * b * b, h / b, w / b}));
      }
      ctx.set_output(0, std::move(y));
      return OkStatus();
    });
  };
}

Result<std::unique_ptr<Kernel>> MakeEyeLike(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(int64_t k, info.GetInt("k", 0));
  const bool has_dtype = info.HasAttribute("dtype");
  ADS_ASSIGN_OR_RETURN(int64_t dtype, info.GetInt("dtype", 0));
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    if (x->rank() != 2) return InvalidArgumentError("EyeLike needs a 2-D input");
    const DataType type = has_dtype ? static_cast<DataType>(dtype) : x->dtype();
    ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(type, x->shape()));
    ADS_RETURN_IF_ERROR(DispatchNumeric(type, "EyeLike", [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      for (int64_t r = 0; r < x->dim(0); ++r) {
        const int64_t c = r + k;
        if (c >= 0 && c < x->dim(1)) y.mutable_data<T>()[r * x->dim(1) + c] = T(1);
      }
      return OkStatus();
    }));
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

Result<std::unique_ptr<Kernel>> MakeBitShift(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(std::string dir, info.RequireString("direction"));
  if (dir != "LEFT" && dir != "RIGHT") return info.Error("direction must be LEFT or RIGHT");
  const bool left = dir == "LEFT";
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* a, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(const Tensor* b, ctx.input(1));
    if (a->dtype() != b->dtype()) return InvalidArgumentError("BitShift inputs differ in type");
    ADS_ASSIGN_OR_RETURN(Shape shape, BroadcastShapes(a->shape(), b->shape()));
    auto run = [&](auto tag) -> Status {
      using T = typename decltype(tag)::type;
      Tensor y(a->dtype(), shape);
      constexpr T kBits = static_cast<T>(sizeof(T) * 8);
      ForEachBroadcast(shape, {a->shape(), b->shape()}, [&](int64_t i, const int64_t* o) {
        const T v = a->data<T>()[o[0]], s = b->data<T>()[o[1]];
        y.mutable_data<T>()[i] = s >= kBits ? T(0) : static_cast<T>(left ? v << s : v >> s);
      });
      ctx.set_output(0, std::move(y));
      return OkStatus();
    };
    switch (a->dtype()) {
      case DataType::kUint8: return run(Tag<uint8_t>{});
      case DataType::kUint16: return run(Tag<uint16_t>{});
      case DataType::kUint32: return run(Tag<uint32_t>{});
      case DataType::kUint64: return run(Tag<uint64_t>{});
      default: return UnsupportedType("BitShift", a->dtype());
    }
  });
}

}  // namespace

void RegisterIndexingKernels(KernelRegistry& r) {
  r.Register({"ai.onnx", "GatherND", 11}, MakeGatherND);
  r.Register({"ai.onnx", "Scatter", 9}, MakeScatterElements);
  r.Register({"ai.onnx", "ScatterElements", 11}, MakeScatterElements);
  r.Register({"ai.onnx", "ScatterND", 11}, MakeScatterND);
  r.Register({"ai.onnx", "Compress", 9}, MakeCompress);
  r.Register({"ai.onnx", "DepthToSpace", 1}, BlockFactory(true));
  r.Register({"ai.onnx", "SpaceToDepth", 1}, BlockFactory(false));
  r.Register({"ai.onnx", "EyeLike", 9}, MakeEyeLike);
  r.Register({"ai.onnx", "BitShift", 11}, MakeBitShift);
}

}  // namespace ads::engine::kernels
