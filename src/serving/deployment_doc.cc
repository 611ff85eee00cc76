#include "serving/deployment_doc.h"

#include <charconv>

#include "base/ids.h"
#include "base/strings.h"

namespace ads::serving {
namespace {

constexpr int kMaxInstanceCount = 256;
constexpr int kMaxBandwidthMbps = 10000;
constexpr size_t kMaxDisplayName = 255;
constexpr size_t kMaxDescription = 400;

Status Bad(std::string message) { return InvalidArgumentError(std::move(message)); }

const Json& Member(const Json& object, std::string_view key) {
  static const Json kNull;
  const Json* v = object.is_object() ? FindMember(object, key) : nullptr;
  return v ? *v : kNull;
}

Result<std::string> OptionalString(const Json& object, std::string_view key, std::string_view where,
                                   size_t max_length) {
  const Json& v = Member(object, key);
  if (v.is_null()) return std::string();
  if (!v.is_string()) return Bad(std::string(where) + " must be a string.");
  if (v.get<std::string>().size() > max_length) {
    return Bad(std::string(where) + " is longer than " + std::to_string(max_length) +
               " characters.");
  }
  return v.get<std::string>();
}

Result<std::string> RequiredString(const Json& object, std::string_view key,
                                   std::string_view where) {
  ADS_ASSIGN_OR_RETURN(std::string v, OptionalString(object, key, where, 255));
  if (v.empty()) return Bad(std::string(where) + " is required.");
  return v;
}

Result<int> IntIn(const Json& object, std::string_view key, std::string_view where, int fallback,
                  int low, int high) {
  const Json& v = Member(object, key);
  if (v.is_null()) return fallback;
  if (!v.is_number_integer() || v.get<int64_t>() < low || v.get<int64_t>() > high) {
    return Bad(std::string(where) + " must be an integer from " + std::to_string(low) + " to " +
               std::to_string(high) + ".");
  }
  return static_cast<int>(v.get<int64_t>());
}

Status CheckObject(const Json& v, std::string_view where) {
  if (!v.is_null() && !v.is_object()) return Bad(std::string(where) + " must be an object.");
  return OkStatus();
}

Result<Json> FreeformTags(const Json& v) {
  ADS_RETURN_IF_ERROR(CheckObject(v, "freeformTags"));
  if (v.is_null()) return Json::object();
  for (const auto& [k, value] : v.items()) {
    if (!value.is_string()) return Bad("freeformTags." + k + " must be a string.");
  }
  return v;
}

Result<Json> DefinedTags(const Json& v) {
  ADS_RETURN_IF_ERROR(CheckObject(v, "definedTags"));
  if (v.is_null()) return Json::object();
  for (const auto& [ns, tags] : v.items()) {
    if (!tags.is_object()) return Bad("definedTags." + ns + " must be an object.");
  }
  return v;
}

Result<Json> CategoryLogs(const Json& v) {
  ADS_RETURN_IF_ERROR(CheckObject(v, "categoryLogDetails"));
  Json out = Json::object();
  if (v.is_null()) return out;
  for (const char* kind : {"access", "predict"}) {
    const Json& log = Member(v, kind);
    if (log.is_null()) continue;
    const std::string where = std::string("categoryLogDetails.") + kind;
    if (!log.is_object()) return Bad(where + " must be an object.");
    ADS_ASSIGN_OR_RETURN(std::string group, RequiredString(log, "logGroupId", where + ".logGroupId"));
    ADS_ASSIGN_OR_RETURN(std::string id, RequiredString(log, "logId", where + ".logId"));
    out[kind] = {{"logGroupId", group}, {"logId", id}};
  }
  return out;
}

Status CheckPositiveIntVar(const std::map<std::string, std::string>& vars, const char* name,
                           int low, int high) {
  auto it = vars.find(name);
  if (it == vars.end()) return OkStatus();
  int n = 0;
  const std::string& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < low || n > high) {
    return Bad(std::string("The environment variable ") + name + " must be an integer from " +
               std::to_string(low) + " to " + std::to_string(high) + " (it is " + Quoted(s) + ").");
  }
  return OkStatus();
}

int IntVar(const std::map<std::string, std::string>& vars, const char* name, int fallback) {
  auto it = vars.find(name);
  if (it == vars.end()) return fallback;
  int n = fallback;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
  return n;
}

Result<Json> Environment(const Json& v) {
  const std::string where = "modelDeploymentConfigurationDetails.environmentConfigurationDetails";
  ADS_RETURN_IF_ERROR(CheckObject(v, where));
  const std::string type = StringMemberOr(v.is_object() ? v : Json::object(),
                                          "environmentConfigurationType", "DEFAULT");
  if (type == "OCIR_CONTAINER") {
    return Bad("environmentConfigurationType OCIR_CONTAINER is not supported: this server runs "
               "the model artifact itself (its score.py or a native runtime), not a container "
               "image. Use DEFAULT, with environmentVariables if the model needs them.");
  }
  if (type != "DEFAULT") {
    return Bad(where + ".environmentConfigurationType must be DEFAULT (it is " + Quoted(type) +
               ").");
  }
  Json vars = Json::object();
  const Json& given = Member(v, "environmentVariables");
  ADS_RETURN_IF_ERROR(CheckObject(given, where + ".environmentVariables"));
  std::map<std::string, std::string> as_map;
  if (!given.is_null()) {
    for (const auto& [k, value] : given.items()) {
      if (k.empty() || k.find('=') != std::string::npos) {
        return Bad("The environment variable name " + Quoted(k) + " is not valid.");
      }
      if (!value.is_string()) return Bad("The environment variable " + k + " must be a string.");
      vars[k] = value;
      as_map[k] = value.get<std::string>();
    }
  }
  ADS_RETURN_IF_ERROR(CheckPositiveIntVar(as_map, kWebConcurrency, 1, 64));
  ADS_RETURN_IF_ERROR(CheckPositiveIntVar(as_map, kMaxBatchSize, 0, 4096));
  ADS_RETURN_IF_ERROR(CheckPositiveIntVar(as_map, kMaxQueueDelayUs, 0, 1000000));
  return Json{{"environmentConfigurationType", "DEFAULT"}, {"environmentVariables", vars}};
}

Result<Json> Configuration(const Json& v) {
  const std::string where = "modelDeploymentConfigurationDetails";
  if (!v.is_object()) return Bad(where + " is required and must be an object.");
  const std::string type = StringMemberOr(v, "deploymentType");
  if (type != "SINGLE_MODEL") {
    return Bad(where + ".deploymentType must be SINGLE_MODEL" +
               (type.empty() ? std::string(".") : " (" + Quoted(type) + " is not supported)."));
  }
  const Json& model = Member(v, "modelConfigurationDetails");
  const std::string mwhere = where + ".modelConfigurationDetails";
  if (!model.is_object()) return Bad(mwhere + " is required and must be an object.");
  ADS_ASSIGN_OR_RETURN(std::string model_id, RequiredString(model, "modelId", mwhere + ".modelId"));
  const Json& instance = Member(model, "instanceConfiguration");
  if (!instance.is_object()) {
    return Bad(mwhere + ".instanceConfiguration is required and must be an object.");
  }
  ADS_RETURN_IF_ERROR(RequiredString(instance, "instanceShapeName",
                                     mwhere + ".instanceConfiguration.instanceShapeName")
                          .status());
  const Json& scaling = Member(model, "scalingPolicy");
  ADS_RETURN_IF_ERROR(CheckObject(scaling, mwhere + ".scalingPolicy"));
  const std::string policy = StringMemberOr(scaling.is_object() ? scaling : Json::object(),
                                            "policyType", "FIXED_SIZE");
  if (policy != "FIXED_SIZE") {
    return Bad(mwhere + ".scalingPolicy.policyType must be FIXED_SIZE (" + Quoted(policy) +
               " is not supported).");
  }
  ADS_ASSIGN_OR_RETURN(int count, IntIn(scaling, "instanceCount",
                                        mwhere + ".scalingPolicy.instanceCount", 1, 1,
                                        kMaxInstanceCount));
  ADS_ASSIGN_OR_RETURN(int bandwidth, IntIn(model, "bandwidthMbps", mwhere + ".bandwidthMbps", 10,
                                            1, kMaxBandwidthMbps));
  ADS_ASSIGN_OR_RETURN(Json environment, Environment(Member(v, "environmentConfigurationDetails")));
  return Json{{"deploymentType", "SINGLE_MODEL"},
              {"modelConfigurationDetails",
               {{"modelId", model_id},
                {"instanceConfiguration", instance},
                {"scalingPolicy", {{"policyType", "FIXED_SIZE"}, {"instanceCount", count}}},
                {"bandwidthMbps", bandwidth}}},
              {"environmentConfigurationDetails", environment}};
}

// The fields create and update share, validated.
Status FillCommon(const Json& details, Json& doc) {
  ADS_ASSIGN_OR_RETURN(std::string description,
                       OptionalString(details, "description", "description", kMaxDescription));
  if (!Member(details, "description").is_null()) doc["description"] = description;
  ADS_ASSIGN_OR_RETURN(doc["freeformTags"], FreeformTags(Member(details, "freeformTags")));
  ADS_ASSIGN_OR_RETURN(doc["definedTags"], DefinedTags(Member(details, "definedTags")));
  ADS_ASSIGN_OR_RETURN(doc["categoryLogDetails"],
                       CategoryLogs(Member(details, "categoryLogDetails")));
  ADS_ASSIGN_OR_RETURN(doc["modelDeploymentConfigurationDetails"],
                       Configuration(Member(details, "modelDeploymentConfigurationDetails")));
  return OkStatus();
}

}  // namespace

Result<Json> DocFromCreate(const Json& details, Env& env) {
  if (!details.is_object()) return Bad("The request body must be a JSON object.");
  Json doc = Json::object();
  ADS_ASSIGN_OR_RETURN(std::string compartment,
                       RequiredString(details, "compartmentId", "compartmentId"));
  ADS_ASSIGN_OR_RETURN(std::string project, RequiredString(details, "projectId", "projectId"));
  ADS_ASSIGN_OR_RETURN(std::string name,
                       OptionalString(details, "displayName", "displayName", kMaxDisplayName));
  const std::string mode = StringMemberOr(details, "deploymentMode", "HTTPS_ONLY");
  if (mode != "HTTPS_ONLY") {
    return Bad("deploymentMode must be HTTPS_ONLY (" + Quoted(mode) + " is not supported).");
  }
  doc["compartmentId"] = compartment;
  doc["projectId"] = project;
  doc["displayName"] = name.empty() ? RandomDisplayName(env) : name;
  doc["description"] = "";
  doc["deploymentMode"] = "HTTPS_ONLY";
  ADS_RETURN_IF_ERROR(FillCommon(details, doc));
  return doc;
}

Result<Json> DocWithUpdate(const Json& doc, const Json& details) {
  if (!details.is_object()) return Bad("The request body must be a JSON object.");
  static const char* const kKnown[] = {"displayName", "description", "freeformTags",
                                       "definedTags", "categoryLogDetails",
                                       "modelDeploymentConfigurationDetails"};
  for (const auto& [key, value] : details.items()) {
    if (value.is_null()) continue;
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known) return Bad(key + " cannot be updated.");
  }
  Json merged = Json::object();
  for (const char* k : kKnown) {
    if (doc.contains(k)) merged[k] = doc[k];
  }
  for (const char* k : {"displayName", "description", "freeformTags", "definedTags",
                        "categoryLogDetails"}) {
    const Json& v = Member(details, k);
    if (!v.is_null()) merged[k] = v;
  }
  const Json& config = Member(details, "modelDeploymentConfigurationDetails");
  if (!config.is_null()) {
    if (!config.is_object()) return Bad("modelDeploymentConfigurationDetails must be an object.");
    Json patch = config;
    Json& target = merged["modelDeploymentConfigurationDetails"];
    // environmentVariables are a set as a whole, not a patch of the old one.
    const Json& env_details = Member(config, "environmentConfigurationDetails");
    if (env_details.is_object() && env_details.contains("environmentVariables")) {
      target["environmentConfigurationDetails"]["environmentVariables"] = Json::object();
    }
    target.merge_patch(patch);
  }
  Json out = doc;
  ADS_ASSIGN_OR_RETURN(std::string name,
                       OptionalString(merged, "displayName", "displayName", kMaxDisplayName));
  if (name.empty()) return Bad("displayName must not be empty.");
  out["displayName"] = name;
  ADS_RETURN_IF_ERROR(FillCommon(merged, out));
  return out;
}

std::string ModelIdOf(const Json& doc) {
  return StringMemberOr(
      Member(Member(doc, "modelDeploymentConfigurationDetails"), "modelConfigurationDetails"),
      "modelId");
}

int InstanceCountOf(const Json& doc) {
  const Json& v = Member(Member(Member(Member(doc, "modelDeploymentConfigurationDetails"),
                                       "modelConfigurationDetails"),
                                "scalingPolicy"),
                         "instanceCount");
  return v.is_number_integer() ? v.get<int>() : 1;
}

int BandwidthMbpsOf(const Json& doc) {
  const Json& v = Member(
      Member(Member(doc, "modelDeploymentConfigurationDetails"), "modelConfigurationDetails"),
      "bandwidthMbps");
  return v.is_number_integer() ? v.get<int>() : 10;
}

std::map<std::string, std::string> EnvironmentOf(const Json& doc) {
  std::map<std::string, std::string> vars;
  const Json& v = Member(Member(Member(doc, "modelDeploymentConfigurationDetails"),
                                "environmentConfigurationDetails"),
                         "environmentVariables");
  if (v.is_object()) {
    for (const auto& [k, value] : v.items()) {
      if (value.is_string()) vars[k] = value.get<std::string>();
    }
  }
  return vars;
}

const Json& CategoryLogsOf(const Json& doc) { return Member(doc, "categoryLogDetails"); }

EndpointInfo InfoOf(const Json& doc) {
  EndpointInfo info;
  info.id = StringMemberOr(doc, "id");
  info.display_name = StringMemberOr(doc, "displayName");
  info.compartment_id = StringMemberOr(doc, "compartmentId");
  info.project_id = StringMemberOr(doc, "projectId");
  info.model_id = ModelIdOf(doc);
  info.lifecycle_state = StringMemberOr(doc, "lifecycleState");
  info.instance_count = InstanceCountOf(doc);
  info.bandwidth_mbps = BandwidthMbpsOf(doc);
  const Json& logs = CategoryLogsOf(doc);
  info.access_log = !Member(logs, "access").is_null();
  info.predict_log = !Member(logs, "predict").is_null();
  const std::map<std::string, std::string> vars = EnvironmentOf(doc);
  info.max_batch_size = IntVar(vars, kMaxBatchSize, 0);
  info.max_queue_delay_us = IntVar(vars, kMaxQueueDelayUs, 0);
  return info;
}

runtime::PredictorOptions PredictorOptionsOf(const Json& doc,
                                             runtime::PredictorOptions defaults) {
  const std::map<std::string, std::string> vars = EnvironmentOf(doc);
  defaults.python_workers = IntVar(vars, kWebConcurrency, defaults.python_workers);
  for (const auto& [k, v] : vars) defaults.python_env[k] = v;
  defaults.python_env["MD_OCID"] = StringMemberOr(doc, "id");
  return defaults;
}

}  // namespace ads::serving
