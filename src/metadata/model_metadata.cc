#include "metadata/model_metadata.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "metadata/limits.h"
#include "metadata/serialization.h"

namespace ads::metadata {
namespace {

struct Row {
  std::string key, value, category, description;
};

// Cuts `text` to `width` code points, the last three being "...".
std::string Truncate(const std::string& text, size_t width) {
  if (CountCharacters(text) <= width) return text;
  const size_t keep = width > 3 ? width - 3 : 0;
  size_t chars = 0;
  size_t i = 0;
  for (; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      if (chars == keep) break;
      ++chars;
    }
  }
  return text.substr(0, i) + "...";
}

std::string DisplayValue(const Json& value, size_t width) {
  std::string text =
      value.is_null() ? "" : value.is_string() ? value.get<std::string>() : DumpPythonJson(value);
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' ||
                                                                c == '\t'; }, ' ');
  return Truncate(text, width);
}

std::string Pad(const std::string& text, size_t width) {
  const size_t n = CountCharacters(text);
  return n >= width ? text : text + std::string(width - n, ' ');
}

std::vector<Row> Rows(const ModelMetadata& m, size_t width) {
  std::vector<Row> rows;
  for (const TaxonomyItem& item : m.taxonomy.items()) {
    rows.push_back({item.key, DisplayValue(item.value, width), "(taxonomy)", ""});
  }
  for (const CustomItem& item : m.custom.items()) {
    rows.push_back({item.key, DisplayValue(item.value, width),
                    item.category.value_or(std::string(kCategoryOther)),
                    item.description.value_or("")});
  }
  const Json provenance = ProvenanceToAdsDict(m.provenance);
  for (const auto& [key, value] : provenance.items()) {
    if (!value.is_null()) rows.push_back({key, DisplayValue(value, width), "(provenance)", ""});
  }
  return rows;
}

}  // namespace

std::string MetadataFilePath(std::string_view artifact_dir) {
  return JoinPath(JoinPath(artifact_dir, kStateDirName), kMetadataFileName);
}

Status ModelMetadata::Validate() const {
  ADS_RETURN_IF_ERROR(taxonomy.Validate());
  ADS_RETURN_IF_ERROR(custom.Validate());
  return CheckMetadataSize(taxonomy, custom);
}

Json ModelMetadata::ToJson() const {
  return Json{{"version", kMetadataFileVersion},
              {"taxonomy", ToAdsDict(taxonomy)},
              {"custom", ToAdsDict(custom)},
              {"provenance", ProvenanceToAdsDict(provenance)}};
}

Result<ModelMetadata> ModelMetadata::FromJson(const Json& json, std::string_view what) {
  const std::string where(what);
  if (!json.is_object()) return InvalidArgumentError(where + " is not a JSON object.");
  auto version = json.find("version");
  if (version == json.end() || !version->is_number_integer() ||
      version->get<int64_t>() != kMetadataFileVersion) {
    return InvalidArgumentError(where + " has no supported `version` (expected " +
                                std::to_string(kMetadataFileVersion) + ").");
  }
  ModelMetadata m;
  const Json empty_list = Json{{"data", Json::array()}};
  Result<TaxonomyMetadata> taxonomy = TaxonomyFromAdsDict(json.value("taxonomy", empty_list));
  if (!taxonomy.ok()) return taxonomy.status().WithContext(where + " `taxonomy`");
  m.taxonomy = std::move(taxonomy).value();
  Result<CustomMetadata> custom = CustomFromAdsDict(json.value("custom", empty_list));
  if (!custom.ok()) return custom.status().WithContext(where + " `custom`");
  m.custom = std::move(custom).value();
  Result<ModelProvenance> provenance =
      ProvenanceFromAdsDict(json.contains("provenance") ? json["provenance"] : Json(nullptr));
  if (!provenance.ok()) return provenance.status().WithContext(where);
  m.provenance = std::move(provenance).value();
  return m;
}

Status ModelMetadata::Save(Env& env, const std::string& artifact_dir) const {
  ADS_RETURN_IF_ERROR(env.CreateDirs(JoinPath(artifact_dir, kStateDirName)));
  PythonJsonOptions options;
  options.indent = 2;
  return env.WriteFileAtomic(MetadataFilePath(artifact_dir),
                             DumpPythonJson(ToJson(), options) + "\n");
}

Result<ModelMetadata> ModelMetadata::Load(Env& env, const std::string& artifact_dir) {
  const std::string path = MetadataFilePath(artifact_dir);
  if (!env.FileExists(path)) {
    return NotFoundError("The artifact directory " + artifact_dir +
                         " has no saved metadata (" + path + ").")
        .WithHint("Run `ads model prepare` for this artifact first.");
  }
  ADS_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
  ADS_ASSIGN_OR_RETURN(Json json, ParseJson(text, path));
  return FromJson(json, path);
}

std::string RenderMetadataTable(const ModelMetadata& metadata, size_t max_value_width) {
  const std::vector<Row> rows = Rows(metadata, max_value_width);
  size_t w_key = 3, w_value = 5, w_category = 8;
  for (const Row& r : rows) {
    w_key = std::max(w_key, CountCharacters(r.key));
    w_value = std::max(w_value, CountCharacters(r.value));
    w_category = std::max(w_category, CountCharacters(r.category));
  }
  auto line = [&](const std::string& k, const std::string& v, const std::string& c,
                  const std::string& d) {
    std::string out = Pad(k, w_key) + "  " + Pad(v, w_value) + "  " + Pad(c, w_category) +
                      "  " + d;
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line("KEY", "VALUE", "CATEGORY", "DESCRIPTION");
  for (const Row& r : rows) out += line(r.key, r.value, r.category, r.description);
  return out;
}

}  // namespace ads::metadata
