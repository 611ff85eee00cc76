// `ads model metadata DIR`: show and edit an artifact's taxonomy, custom and
// provenance metadata (kept in DIR/.ads/metadata.json until the model is saved).
#include <iostream>
#include <memory>

#include "artifact/prepare.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "metadata/model_metadata.h"
#include "metadata/provenance.h"
#include "metadata/serialization.h"

namespace ads::cli {
namespace {

struct MetadataFlags {
  std::string dir;
  std::string output = "table";
  std::vector<std::string> set_custom;
  std::vector<std::string> remove_custom;
  std::vector<std::string> set_taxonomy;
};

Status ApplyEdits(const MetadataFlags& flags, metadata::ModelMetadata& md) {
  for (const auto& text : flags.set_taxonomy) {
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("--set-taxonomy `" + text + "` is not KEY=VALUE");
    }
    const std::string value = text.substr(eq + 1);
    // JSON values (numbers, objects for Hyperparameters) are taken as JSON;
    // anything else is a string.
    auto parsed = ParseJson(value);
    Json json = parsed.ok() && !parsed->is_string() ? *parsed : Json(value);
    if (value.empty()) json = nullptr;
    ADS_RETURN_IF_ERROR(md.taxonomy.Set(text.substr(0, eq), json));
  }
  for (const auto& text : flags.set_custom) {
    ADS_ASSIGN_OR_RETURN(artifact::CustomMetadataArg arg, artifact::ParseCustomMetadataArg(text));
    ADS_RETURN_IF_ERROR(md.custom.Add(arg.key, arg.value, arg.description,
                                      arg.category.empty() ? metadata::kCategoryOther
                                                           : std::string_view(arg.category),
                                      /*replace=*/true));
  }
  for (const auto& key : flags.remove_custom) ADS_RETURN_IF_ERROR(md.custom.Remove(key));
  return md.Validate();
}

int RunMetadata(const MetadataFlags& flags) {
  Env& env = *Env::Default();
  auto md = metadata::ModelMetadata::Load(env, flags.dir);
  if (!md.ok()) {
    return ReportError(md.status(),
                       "run `ads model prepare MODEL_FILE --artifact-dir " + flags.dir + "` first");
  }
  const bool editing =
      !flags.set_custom.empty() || !flags.remove_custom.empty() || !flags.set_taxonomy.empty();
  if (editing) {
    Status s = ApplyEdits(flags, *md);
    if (s.ok()) s = md->Save(env, flags.dir);
    if (!s.ok()) return ReportError(s, "nothing was changed");
  }
  if (flags.output == "json") {
    // The shapes the catalog API uses (CreateModel's metadata lists and
    // CreateModelProvenance's body).
    Json out = Json::object();
    out["definedMetadataList"] = metadata::ToOciList(md->taxonomy);
    out["customMetadataList"] = metadata::ToOciList(md->custom);
    out["provenance"] = metadata::ProvenanceToOci(md->provenance);
    std::cout << DumpPythonJson(out, {.indent = 2}) << "\n";
  } else {
    std::cout << metadata::RenderMetadataTable(*md);
  }
  return kExitOk;
}

}  // namespace

void RegisterModelMetadata(CLI::App& parent, int* exit_code) {
  auto flags = std::make_shared<MetadataFlags>();
  CLI::App* cmd = parent.add_subcommand(
      "metadata", "Show or edit the taxonomy, custom and provenance metadata of an artifact");
  cmd->add_option("ARTIFACT_DIR", flags->dir, "A folder written by `ads model prepare`")
      ->required();
  cmd->add_option("--output,-o", flags->output, "table or json (the catalog's shapes)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--set-custom", flags->set_custom,
                  "KEY=VALUE[,category=CATEGORY][,description=TEXT]; adds or replaces; repeatable");
  cmd->add_option("--remove-custom", flags->remove_custom, "KEY; repeatable");
  cmd->add_option("--set-taxonomy", flags->set_taxonomy,
                  "KEY=VALUE for UseCaseType, Framework, FrameworkVersion, Algorithm or "
                  "Hyperparameters (JSON); an empty VALUE clears it; repeatable");
  cmd->callback([flags, exit_code] { *exit_code = RunMetadata(*flags); });
}

}  // namespace ads::cli
