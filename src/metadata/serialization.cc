#include "metadata/serialization.h"

#include <optional>
#include <string>
#include <utility>

#include "base/strings.h"

namespace ads::metadata {
namespace {

Json OptionalString(const std::optional<std::string>& s) {
  return s.has_value() ? Json(*s) : Json(nullptr);
}

// Reads an optional string member; null and absent are nullopt.
Result<std::optional<std::string>> ReadOptionalString(const Json& item, const char* name,
                                                      const std::string& where) {
  auto it = item.find(name);
  if (it == item.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return InvalidArgumentError(where + " has a non-string `" + name + "`.");
  }
  return std::optional<std::string>(it->get<std::string>());
}

// The catalog may send hasArtifact as a bool or (through ADS) as a string.
bool ReadBool(const Json& item, const char* name) {
  auto it = item.find(name);
  if (it == item.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_string()) return EqualsIgnoreCase(it->get<std::string>(), "true");
  return false;
}

Result<std::string> ReadKey(const Json& item, const std::string& where) {
  if (!item.is_object()) return InvalidArgumentError(where + " is not a JSON object.");
  auto it = item.find("key");
  if (it == item.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    return InvalidArgumentError(where + " has no non-empty `key` string.");
  }
  return it->get<std::string>();
}

std::string Where(const char* list_name, size_t index) {
  return std::string(list_name) + " item " + std::to_string(index);
}

Result<CustomItem> ReadCustomItem(const Json& item, const std::string& where,
                                  const char* has_artifact_name, bool parse_value) {
  CustomItem out;
  ADS_ASSIGN_OR_RETURN(out.key, ReadKey(item, where));
  const Json value = item.contains("value") ? item["value"] : Json(nullptr);
  out.value = parse_value ? FromOciValue(value) : value;
  ADS_ASSIGN_OR_RETURN(out.description, ReadOptionalString(item, "description", where));
  ADS_ASSIGN_OR_RETURN(out.category, ReadOptionalString(item, "category", where));
  out.has_artifact = ReadBool(item, has_artifact_name);
  return out;
}

Result<TaxonomyItem> ReadTaxonomyItem(const Json& item, const std::string& where,
                                      const char* has_artifact_name, bool parse_value) {
  TaxonomyItem out;
  ADS_ASSIGN_OR_RETURN(out.key, ReadKey(item, where));
  const Json value = item.contains("value") ? item["value"] : Json(nullptr);
  out.value = parse_value ? FromOciValue(value) : value;
  out.has_artifact = ReadBool(item, has_artifact_name);
  return out;
}

Status BadAdsDict(const char* which) {
  return InvalidArgumentError(std::string("An error occurred when attempting to deserialize the "
                                          "model ") +
                              which +
                              " metadata from a dictionary. The input data must be a "
                              "dictionary with `data` key. Example: `{'data': []}`");
}

bool IsAdsDict(const Json& dict) {
  return dict.is_object() && dict.contains("data") && dict["data"].is_array();
}

}  // namespace

Json ToOciValue(const Json& value) {
  if (!IsTruthy(value)) return value;
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_boolean()) {
    text = "True";  // only true is truthy; Python's str(True)
  } else if (value.is_number_integer()) {
    text = value.dump();
  } else if (value.is_number_float()) {
    text = PythonFloatRepr(value.get<double>());
  } else {
    text = DumpPythonJson(value);
  }
  return ReplaceAll(std::move(text), "NaN", "null");
}

Json ToOciCustomValue(const Json& value) {
  Json sent = ToOciValue(value);
  if (!IsTruthy(sent)) return "NA";
  return sent;
}

Json FromOciValue(const Json& value) {
  if (!value.is_string()) return value;
  Result<Json> parsed = ParseJson(value.get_ref<const std::string&>(), "metadata value");
  if (!parsed.ok()) return value;
  return std::move(parsed).value();
}

Json ToOci(const TaxonomyItem& item) {
  Json out = Json::object();
  out["key"] = item.key;
  out["value"] = ToOciValue(item.value);
  out["hasArtifact"] = item.has_artifact;
  return out;
}

Json ToOci(const CustomItem& item) {
  Json out = Json::object();
  out["key"] = item.key;
  out["value"] = ToOciCustomValue(item.value);
  out["description"] = OptionalString(item.description);
  const bool has_category = item.category.has_value() && !item.category->empty();
  out["category"] = has_category ? *item.category : std::string(kCategoryOther);
  out["hasArtifact"] = item.has_artifact;
  return out;
}

Json ToOciList(const TaxonomyMetadata& taxonomy) {
  Json list = Json::array();
  for (const TaxonomyItem& item : taxonomy.items()) list.push_back(ToOci(item));
  return list;
}

Json ToOciList(const CustomMetadata& custom) {
  Json list = Json::array();
  for (const CustomItem& item : custom.items()) list.push_back(ToOci(item));
  return list;
}

Result<TaxonomyMetadata> TaxonomyFromOciList(const Json& list) {
  if (!list.is_array()) return InvalidArgumentError("definedMetadataList is not a JSON array.");
  TaxonomyMetadata taxonomy;
  for (size_t i = 0; i < list.size(); ++i) {
    ADS_ASSIGN_OR_RETURN(TaxonomyItem item,
                         ReadTaxonomyItem(list[i], Where("definedMetadataList", i),
                                          "hasArtifact", /*parse_value=*/true));
    taxonomy.SetUnchecked(std::move(item));
  }
  return taxonomy;
}

Result<CustomMetadata> CustomFromOciList(const Json& list) {
  if (!list.is_array()) return InvalidArgumentError("customMetadataList is not a JSON array.");
  CustomMetadata custom;
  for (size_t i = 0; i < list.size(); ++i) {
    ADS_ASSIGN_OR_RETURN(CustomItem item, ReadCustomItem(list[i], Where("customMetadataList", i),
                                                         "hasArtifact", /*parse_value=*/true));
    custom.SetUnchecked(std::move(item));
  }
  return custom;
}

Json ToAdsDict(const TaxonomyItem& item) {
  Json out = Json::object();
  out["key"] = item.key;
  out["value"] = item.value;
  out["has_artifact"] = item.has_artifact;
  return out;
}

Json ToAdsDict(const CustomItem& item) {
  Json out = Json::object();
  out["key"] = item.key;
  out["value"] = item.value;
  out["description"] = OptionalString(item.description);
  out["category"] = OptionalString(item.category);
  out["has_artifact"] = item.has_artifact;
  return out;
}

Json ToAdsDict(const TaxonomyMetadata& taxonomy) {
  Json data = Json::array();
  for (const TaxonomyItem& item : taxonomy.items()) data.push_back(ToAdsDict(item));
  return Json{{"data", std::move(data)}};
}

Json ToAdsDict(const CustomMetadata& custom) {
  Json data = Json::array();
  for (const CustomItem& item : custom.items()) data.push_back(ToAdsDict(item));
  return Json{{"data", std::move(data)}};
}

Result<TaxonomyMetadata> TaxonomyFromAdsDict(const Json& dict) {
  if (!IsAdsDict(dict)) return BadAdsDict("taxonomy");
  TaxonomyMetadata taxonomy;
  const Json& data = dict["data"];
  for (size_t i = 0; i < data.size(); ++i) {
    ADS_ASSIGN_OR_RETURN(TaxonomyItem item, ReadTaxonomyItem(data[i], Where("Taxonomy", i),
                                                             "has_artifact", false));
    taxonomy.SetUnchecked(std::move(item));
  }
  return taxonomy;
}

Result<CustomMetadata> CustomFromAdsDict(const Json& dict) {
  if (!IsAdsDict(dict)) return BadAdsDict("custom");
  CustomMetadata custom;
  const Json& data = dict["data"];
  for (size_t i = 0; i < data.size(); ++i) {
    ADS_ASSIGN_OR_RETURN(CustomItem item,
                         ReadCustomItem(data[i], Where("Custom", i), "has_artifact", false));
    custom.SetUnchecked(std::move(item));
  }
  return custom;
}

}  // namespace ads::metadata
