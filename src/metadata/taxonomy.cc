#include "metadata/taxonomy.h"

#include <utility>

#include "base/strings.h"

namespace ads::metadata {
namespace {

bool ContainsIgnoreCase(const std::vector<std::string>& values, std::string_view value) {
  for (const std::string& v : values) {
    if (EqualsIgnoreCase(v, value)) return true;
  }
  return false;
}

// One check for both enum-valued keys; `values` lists the allowed strings.
Status CheckEnumValue(std::string_view key, const Json& value,
                      const std::vector<std::string>& values) {
  if (!IsTruthy(value)) return OkStatus();
  if (value.is_string() && ContainsIgnoreCase(values, value.get<std::string>())) {
    return OkStatus();
  }
  return InvalidArgumentError("Invalid value of `" + std::string(key) + "`. Choose from " +
                              PythonTupleRepr(values) + ".");
}

}  // namespace

const std::vector<std::string>& TaxonomyKeys() {
  static const auto* const kKeys = new std::vector<std::string>{
      std::string(kUseCaseTypeKey),     std::string(kFrameworkKey),
      std::string(kFrameworkVersionKey), std::string(kAlgorithmKey),
      std::string(kHyperparametersKey), std::string(kArtifactTestResultsKey)};
  return *kKeys;
}

const std::vector<std::string>& UseCaseTypes() {
  static const auto* const kValues = new std::vector<std::string>{
      "binary_classification",  "regression",
      "multinomial_classification", "clustering",
      "recommender",            "dimensionality_reduction/representation",
      "time_series_forecasting", "anomaly_detection",
      "topic_modeling",         "ner",
      "sentiment_analysis",     "image_classification",
      "object_localization",    "other"};
  return *kValues;
}

const std::vector<std::string>& Frameworks() {
  static const auto* const kValues = new std::vector<std::string>{
      "scikit-learn", "xgboost",   "tensorflow",  "pytorch",       "mxnet",
      "keras",        "lightgbm",  "pymc3",       "pyod",          "spacy",
      "prophet",      "sktime",    "statsmodels", "cuml",          "oracle_automl",
      "h2o",          "transformers", "nltk",     "emcee",         "pystan",
      "bert",         "gensim",    "flair",       "word2vec",      "ensemble",
      "pyspark",      "embedding_onnx", "other"};
  return *kValues;
}

bool IsUseCaseType(std::string_view value) { return ContainsIgnoreCase(UseCaseTypes(), value); }
bool IsFramework(std::string_view value) { return ContainsIgnoreCase(Frameworks(), value); }

std::string PythonTupleRepr(const std::vector<std::string>& values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ", ";
    out += "'" + values[i] + "'";
  }
  // A one-element Python tuple prints a trailing comma.
  if (values.size() == 1) out += ",";
  return out + ")";
}

bool IsTruthy(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return false;
    case Json::value_t::boolean: return value.get<bool>();
    case Json::value_t::number_integer: return value.get<int64_t>() != 0;
    case Json::value_t::number_unsigned: return value.get<uint64_t>() != 0;
    case Json::value_t::number_float: return value.get<double>() != 0.0;  // NaN is truthy
    case Json::value_t::string: return !value.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object: return !value.empty();
    default: return true;
  }
}

Status ValidateTaxonomyValue(std::string_view key, const Json& value) {
  if (EqualsIgnoreCase(key, kUseCaseTypeKey)) {
    return CheckEnumValue(kUseCaseTypeKey, value, UseCaseTypes());
  }
  if (EqualsIgnoreCase(key, kFrameworkKey)) {
    return CheckEnumValue(kFrameworkKey, value, Frameworks());
  }
  return OkStatus();
}

TaxonomyMetadata::TaxonomyMetadata() {
  for (const std::string& key : TaxonomyKeys()) items_.push_back({key, nullptr, false});
}

TaxonomyItem* TaxonomyMetadata::Find(std::string_view key) {
  for (TaxonomyItem& item : items_) {
    if (EqualsIgnoreCase(item.key, key)) return &item;
  }
  return nullptr;
}

const TaxonomyItem* TaxonomyMetadata::Find(std::string_view key) const {
  return const_cast<TaxonomyMetadata*>(this)->Find(key);
}

Status TaxonomyMetadata::Set(std::string_view key, Json value, bool has_artifact) {
  if (key.empty()) return InvalidArgumentError("The key must not be an empty string.");
  TaxonomyItem* item = Find(key);
  if (item == nullptr || !ContainsIgnoreCase(TaxonomyKeys(), key)) {
    return NotFoundError("The metadata with " + std::string(key) + " not found.")
        .WithHint("Taxonomy keys are " + PythonTupleRepr(TaxonomyKeys()) +
                  "; use custom metadata for other keys.");
  }
  ADS_RETURN_IF_ERROR(ValidateTaxonomyValue(item->key, value));
  item->value = std::move(value);
  item->has_artifact = has_artifact;
  return OkStatus();
}

Result<TaxonomyItem> TaxonomyMetadata::Get(std::string_view key) const {
  if (key.empty()) return InvalidArgumentError("The key must not be an empty string.");
  const TaxonomyItem* item = Find(key);
  if (item == nullptr) {
    return NotFoundError("The metadata with " + std::string(key) + " not found.");
  }
  return *item;
}

Json TaxonomyMetadata::Value(std::string_view key) const {
  const TaxonomyItem* item = Find(key);
  return item == nullptr ? Json(nullptr) : item->value;
}

void TaxonomyMetadata::Reset() {
  for (TaxonomyItem& item : items_) {
    item.value = nullptr;
    item.has_artifact = false;
  }
}

Status TaxonomyMetadata::Validate() const {
  for (const TaxonomyItem& item : items_) {
    ADS_RETURN_IF_ERROR(ValidateTaxonomyValue(item.key, item.value));
  }
  return OkStatus();
}

void TaxonomyMetadata::SetUnchecked(TaxonomyItem item) {
  if (TaxonomyItem* existing = Find(item.key)) {
    existing->value = std::move(item.value);
    existing->has_artifact = item.has_artifact;
    return;
  }
  items_.push_back(std::move(item));
}

}  // namespace ads::metadata
