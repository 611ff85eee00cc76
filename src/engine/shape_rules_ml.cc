// Shape rules for the ai.onnx.ml operators: output element types, the
// batch dim, and the column count where the attributes fix it.
#include "engine/shape_rules.h"

namespace ads::engine::shape_internal {
namespace {

bool HasNonEmpty(const RuleContext& ctx, std::string_view name) {
  const Attribute* a = ctx.node().FindAttribute(name);
  return a != nullptr && (!a->strings.empty() || !a->ints.empty() || !a->floats.empty() ||
                          a->t.size() > 0);
}

// The row count of a feature input: [N, F] -> N, [F] -> 1. The kernels
// read nothing else, so another rank cannot run.
Result<int64_t> Rows(const RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  if (x == nullptr) return kUnknownDim;
  if (x->size() == 2) return (*x)[0];
  if (x->size() == 1) return int64_t{1};
  return ctx.Error("the input must be 1-D or 2-D (rows of features), got " + DimsString(*x));
}

// Classifiers: labels [N] (strings when classlabels_strings is set, int64
// otherwise) and scores [N, ?] (the column count depends on the binary
// conventions, so it is left to the kernel).
Status ClassifierRule(RuleContext& ctx) {
  ADS_ASSIGN_OR_RETURN(int64_t rows, Rows(ctx));
  const bool strings = HasNonEmpty(ctx, "classlabels_strings");
  ctx.SetTensor(0, strings ? DataType::kString : DataType::kInt64, {rows});
  ctx.SetTensor(1, DataType::kFloat, {rows, kUnknownDim});
  return OkStatus();
}

Status TreeRegressorRule(RuleContext& ctx) {
  ADS_ASSIGN_OR_RETURN(int64_t rows, Rows(ctx));
  ctx.SetTensor(0, DataType::kFloat, {rows, ctx.Int("n_targets", 1)});
  return OkStatus();
}

Status LinearRegressorRule(RuleContext& ctx) {
  ADS_ASSIGN_OR_RETURN(int64_t rows, Rows(ctx));
  ctx.SetTensor(0, DataType::kFloat, {rows, ctx.Int("targets", 1)});
  return OkStatus();
}

Status SvmRegressorRule(RuleContext& ctx) {
  ADS_ASSIGN_OR_RETURN(int64_t rows, Rows(ctx));
  ctx.SetTensor(0, DataType::kFloat, {rows, 1});
  return OkStatus();
}

// Scaler, Normalizer: float, the input's shape.
Status FloatLikeInput(RuleContext& ctx) {
  ADS_RETURN_IF_ERROR(Rows(ctx).status());
  ctx.SetLike(0, 0, DataType::kFloat);
  return OkStatus();
}

// Binarizer, Imputer: the input's type and shape.
Status SameAsInput(RuleContext& ctx) {
  ctx.SetLike(0, 0);
  return OkStatus();
}

Status ZipMapRule(RuleContext& ctx) {
  Info& out = ctx.output(0);
  ValueType map;
  map.kind = ValueType::Kind::kMap;
  map.map_key_type =
      HasNonEmpty(ctx, "classlabels_strings") ? DataType::kString : DataType::kInt64;
  ValueType value;
  value.kind = ValueType::Kind::kTensor;
  value.elem_type = DataType::kFloat;
  map.element = std::make_shared<ValueType>(value);
  out.type = ValueType();
  out.type.kind = ValueType::Kind::kSequence;
  out.type.element = std::make_shared<ValueType>(std::move(map));
  return OkStatus();
}

Status ArrayFeatureExtractorRule(RuleContext& ctx) {
  const Dims* x = ctx.dims(0);
  if (x != nullptr && x->size() >= 2) {
    ctx.SetTensorOfRank(0, ctx.elem(0), x->size());
    ctx.output(0).type.dims[0] = (*x)[0];
  } else if (x != nullptr && x->size() == 1) {
    ctx.SetTensor(0, ctx.elem(0), {1, kUnknownDim});
  } else {
    ctx.SetTensorNoShape(0, ctx.elem(0));
  }
  return OkStatus();
}

Status LabelEncoderRule(RuleContext& ctx) {
  DataType type = DataType::kUndefined;
  if (ctx.opset() >= 2) {
    if (HasNonEmpty(ctx, "values_strings")) type = DataType::kString;
    else if (HasNonEmpty(ctx, "values_int64s")) type = DataType::kInt64;
    else if (HasNonEmpty(ctx, "values_floats")) type = DataType::kFloat;
  } else if (ctx.elem(0) == DataType::kString) {
    type = DataType::kInt64;
  } else if (ctx.elem(0) == DataType::kInt64) {
    type = DataType::kString;
  }
  ctx.SetLike(0, 0, type);
  if (type == DataType::kUndefined) ctx.output(0).type.elem_type = DataType::kUndefined;
  return OkStatus();
}

Status OneHotEncoderRule(RuleContext& ctx) {
  const Attribute* ints = ctx.node().FindAttribute("cats_int64s");
  const Attribute* strings = ctx.node().FindAttribute("cats_strings");
  const int64_t cats = static_cast<int64_t>((ints ? ints->ints.size() : 0) +
                                            (strings ? strings->strings.size() : 0));
  if (const Dims* x = ctx.dims(0)) {
    Dims out = *x;
    out.push_back(cats);
    ctx.SetTensor(0, DataType::kFloat, std::move(out));
  } else {
    ctx.SetTensorNoShape(0, DataType::kFloat);
  }
  return OkStatus();
}

}  // namespace

void AddMlRules(RuleTable& rules) {
  auto add = [&](std::initializer_list<const char*> ops, Rule rule) {
    for (const char* op : ops) rules[std::string("ai.onnx.ml::") + op] = rule;
  };
  add({"TreeEnsembleClassifier", "LinearClassifier", "SVMClassifier"}, ClassifierRule);
  add({"TreeEnsembleRegressor"}, TreeRegressorRule);
  add({"LinearRegressor"}, LinearRegressorRule);
  add({"SVMRegressor"}, SvmRegressorRule);
  add({"Scaler", "Normalizer"}, FloatLikeInput);
  add({"Binarizer", "Imputer"}, SameAsInput);
  add({"ZipMap"}, ZipMapRule);
  add({"ArrayFeatureExtractor"}, ArrayFeatureExtractorRule);
  add({"LabelEncoder"}, LabelEncoderRule);
  add({"OneHotEncoder"}, OneHotEncoderRule);
}

}  // namespace ads::engine::shape_internal
