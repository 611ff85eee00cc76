// Reference kernels for the ai.onnx.ml encoders and structural ops: ZipMap,
// ArrayFeatureExtractor, LabelEncoder (v1, v2), OneHotEncoder.
#include <cmath>
#include <map>

#include "base/strings.h"
#include "engine/kernels/kernel_util.h"
#include "engine/kernels/ml_common.h"
#include "engine/kernels/register.h"

namespace ads::engine::kernels {

namespace {

Result<std::unique_ptr<Kernel>> MakeZipMap(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(ClassLabels labels, ReadClassLabels(info, "classlabels_int64s"));
  if (labels.size() == 0) return info.Error("ZipMap needs class labels");
  return MakeKernel([labels](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    ADS_ASSIGN_OR_RETURN(FeatureMatrix m, ReadFeatures(*x, "ZipMap"));
    if (x->dtype() != DataType::kFloat) return UnsupportedType("ZipMap", x->dtype());
    if (m.cols != static_cast<int64_t>(labels.size())) {
      return InvalidArgumentError("ZipMap input has " + std::to_string(m.cols) +
                                  " columns but there are " + std::to_string(labels.size()) +
                                  " class labels");
    }
    std::vector<int64_t> all(labels.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
    const Tensor keys = MakeLabelTensor(labels, all);
    Sequence seq;
    for (int64_t r = 0; r < m.rows; ++r) {
      std::vector<float> row(x->data<float>() + r * m.cols, x->data<float>() + (r + 1) * m.cols);
      seq.items.emplace_back(Map{keys, Tensor::FromVector<float>({m.cols}, row)});
    }
    ctx.set_output(0, Value(std::move(seq)));
    return OkStatus();
  });
}

Status RunArrayFeatureExtractor(KernelContext& ctx) {
  ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
  ADS_ASSIGN_OR_RETURN(const Tensor* yt, ctx.input(1));
  ADS_ASSIGN_OR_RETURN(std::vector<int64_t> idx, ToInt64Vector(*yt, "ArrayFeatureExtractor indices"));
  if (x->rank() == 0) return InvalidArgumentError("ArrayFeatureExtractor needs rank >= 1");
  const int64_t last = x->dim(x->rank() - 1);
  for (int64_t i : idx) {
    if (i < 0 || i >= last) {
      return InvalidArgumentError("ArrayFeatureExtractor index " + std::to_string(i) +
                                  " is out of range for " + std::to_string(last) + " columns");
    }
  }
  Shape shape = x->shape();
  const int64_t k = static_cast<int64_t>(idx.size());
  if (x->rank() == 1) shape = {1, k};  // onnxruntime's shape for 1-D input
  else shape.back() = k;
  const int64_t rows = last == 0 ? 0 : x->size() / last;
  ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(x->dtype(), shape));
  ADS_RETURN_IF_ERROR(DispatchAny(x->dtype(), "ArrayFeatureExtractor", [&](auto tag) -> Status {
    using T = typename decltype(tag)::type;
    const T* px = x->data<T>();
    T* py = y.mutable_data<T>();
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < k; ++j) py[r * k + j] = px[r * last + idx[j]];
    }
    return OkStatus();
  }));
  ctx.set_output(0, std::move(y));
  return OkStatus();
}

// LabelEncoder as a lookup from one key column type to one value type.
// Keys and values are held as strings, int64s or floats.
struct Column {
  DataType type = DataType::kUndefined;
  std::vector<std::string> s;
  std::vector<int64_t> i;
  std::vector<float> f;
  size_t size() const { return type == DataType::kString ? s.size() : type == DataType::kInt64 ? i.size() : f.size(); }
};

Result<Column> ReadColumn(const KernelInfo& info, const std::string& prefix) {
  Column c;
  ADS_ASSIGN_OR_RETURN(c.s, info.GetStrings(prefix + "_strings"));
  ADS_ASSIGN_OR_RETURN(c.i, info.GetInts(prefix + "_int64s"));
  ADS_ASSIGN_OR_RETURN(c.f, info.GetFloats(prefix + "_floats"));
  const int set = !c.s.empty() + !c.i.empty() + !c.f.empty();
  if (set != 1) return info.Error("exactly one of " + prefix + "_strings/_int64s/_floats must be set");
  c.type = !c.s.empty() ? DataType::kString : !c.i.empty() ? DataType::kInt64 : DataType::kFloat;
  return c;
}

class LabelEncoderKernel : public Kernel {
 public:
  static Result<std::unique_ptr<Kernel>> Create(const KernelInfo& info) {
    auto k = std::make_unique<LabelEncoderKernel>();
    if (info.opset() < 2) {
      // v1: classes_strings maps string <-> its index.
      ADS_ASSIGN_OR_RETURN(std::vector<std::string> classes, info.GetStrings("classes_strings"));
      k->keys_.type = DataType::kString;
      k->keys_.s = classes;
      k->values_.type = DataType::kInt64;
      for (size_t j = 0; j < classes.size(); ++j) k->values_.i.push_back(static_cast<int64_t>(j));
      k->bidirectional_ = true;
    } else {
      ADS_ASSIGN_OR_RETURN(k->keys_, ReadColumn(info, "keys"));
      ADS_ASSIGN_OR_RETURN(k->values_, ReadColumn(info, "values"));
      if (k->keys_.size() != k->values_.size()) {
        return info.Error("keys and values differ in length");
      }
    }
    ADS_ASSIGN_OR_RETURN(k->default_string_, info.GetString("default_string", "_Unused"));
    ADS_ASSIGN_OR_RETURN(k->default_int_, info.GetInt("default_int64", -1));
    ADS_ASSIGN_OR_RETURN(k->default_float_, info.GetFloat("default_float", -0.0f));
    return std::unique_ptr<Kernel>(std::move(k));
  }

  Status Run(KernelContext& ctx) const override {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    if (x->dtype() == keys_.type) return Encode(*x, keys_, values_, ctx);
    if (bidirectional_ && x->dtype() == DataType::kInt64) return Encode(*x, values_, keys_, ctx);
    return InvalidArgumentError("LabelEncoder input must be " +
                                std::string(DataTypeName(keys_.type)) + ", got " +
                                x->TypeAndShape());
  }

 private:
  // Index of the key equal to element `e` of x, or -1.
  static int64_t Find(const Tensor& x, int64_t e, const Column& keys) {
    for (size_t j = 0; j < keys.size(); ++j) {
      bool eq;
      if (keys.type == DataType::kString) eq = x.data<std::string>()[e] == keys.s[j];
      else if (keys.type == DataType::kInt64) eq = x.data<int64_t>()[e] == keys.i[j];
      else eq = x.data<float>()[e] == keys.f[j] || (std::isnan(keys.f[j]) && std::isnan(x.data<float>()[e]));
      if (eq) return static_cast<int64_t>(j);
    }
    return -1;
  }

  Status Encode(const Tensor& x, const Column& keys, const Column& values, KernelContext& ctx) const {
    Tensor y(values.type, x.shape());
    for (int64_t e = 0; e < x.size(); ++e) {
      const int64_t j = Find(x, e, keys);
      switch (values.type) {
        case DataType::kString:
          y.mutable_data<std::string>()[e] = j < 0 ? default_string_ : values.s[j];
          break;
        case DataType::kInt64:
          y.mutable_data<int64_t>()[e] = j < 0 ? default_int_ : values.i[j];
          break;
        default:
          y.mutable_data<float>()[e] = j < 0 ? default_float_ : values.f[j];
      }
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  }

  Column keys_, values_;
  bool bidirectional_ = false;
  std::string default_string_;
  int64_t default_int_ = -1;
  float default_float_ = -0.0f;
};

Result<std::unique_ptr<Kernel>> MakeOneHotEncoder(const KernelInfo& info) {
  ADS_ASSIGN_OR_RETURN(std::vector<int64_t> cats_i, info.GetInts("cats_int64s"));
  ADS_ASSIGN_OR_RETURN(std::vector<std::string> cats_s, info.GetStrings("cats_strings"));
  ADS_ASSIGN_OR_RETURN(int64_t zeros, info.GetInt("zeros", 1));
  if (cats_i.empty() == cats_s.empty()) {
    return info.Error("exactly one of cats_int64s and cats_strings must be set");
  }
  std::map<int64_t, int64_t> by_int;
  std::map<std::string, int64_t> by_string;
  for (size_t j = 0; j < cats_i.size(); ++j) by_int.emplace(cats_i[j], static_cast<int64_t>(j));
  for (size_t j = 0; j < cats_s.size(); ++j) by_string.emplace(cats_s[j], static_cast<int64_t>(j));
  const int64_t n_cats = static_cast<int64_t>(cats_i.size() + cats_s.size());
  return MakeKernel([=](KernelContext& ctx) -> Status {
    ADS_ASSIGN_OR_RETURN(const Tensor* x, ctx.input(0));
    Shape shape = x->shape();
    shape.push_back(n_cats);
    ADS_ASSIGN_OR_RETURN(Tensor y, Tensor::Make(DataType::kFloat, shape));
    float* py = y.mutable_data<float>();
    std::vector<double> numbers;
    if (!x->is_string()) {
      if (by_int.empty()) return InvalidArgumentError("OneHotEncoder has string categories but a numeric input");
      ADS_ASSIGN_OR_RETURN(numbers, ToDoubleVector(*x, "OneHotEncoder"));
    } else if (by_string.empty()) {
      return InvalidArgumentError("OneHotEncoder has int64 categories but a string input");
    }
    for (int64_t e = 0; e < x->size(); ++e) {
      int64_t j = -1;
      if (x->is_string()) {
        auto it = by_string.find(x->data<std::string>()[e]);
        if (it != by_string.end()) j = it->second;
      } else {
        auto it = by_int.find(static_cast<int64_t>(numbers[e]));
        if (it != by_int.end()) j = it->second;
      }
      if (j < 0 && !zeros) {
        return InvalidArgumentError("OneHotEncoder met unknown category " + x->ElementToString(e));
      }
      if (j >= 0) py[e * n_cats + j] = 1.0f;
    }
    ctx.set_output(0, std::move(y));
    return OkStatus();
  });
}

}  // namespace

void RegisterMlMiscKernels(KernelRegistry& r) {
  r.Register({"ai.onnx.ml", "ZipMap", 1}, MakeZipMap);
  r.Register({"ai.onnx.ml", "ArrayFeatureExtractor", 1}, Stateless(RunArrayFeatureExtractor));
  RegisterVersions(r, "ai.onnx.ml", "LabelEncoder", {1, 2}, LabelEncoderKernel::Create);
  r.Register({"ai.onnx.ml", "OneHotEncoder", 1}, MakeOneHotEncoder);
}

}  // namespace ads::engine::kernels
