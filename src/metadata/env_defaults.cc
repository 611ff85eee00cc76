#include "metadata/env_defaults.h"

#include <initializer_list>

#include "base/json.h"

namespace ads::metadata {
namespace {

std::string Var(Env& env, const char* name, const char* fallback = "") {
  std::optional<std::string> v = env.GetEnvVar(name);
  return v.has_value() && !v->empty() ? *v : std::string(fallback);
}

std::string FirstSet(std::initializer_list<const std::string*> values) {
  for (const std::string* v : values) {
    if (!v->empty()) return *v;
  }
  return "";
}

Result<std::string> RegionFromMetadata(const std::string& text) {
  if (text.empty()) return std::string();
  Result<Json> parsed = ParseJson(text, "OCI_REGION_METADATA");
  if (!parsed.ok() || !parsed->is_object()) {
    return InvalidArgumentError(
        "The environment variable OCI_REGION_METADATA is not a JSON object.");
  }
  auto it = parsed->find("regionIdentifier");
  if (it == parsed->end() || !it->is_string()) return std::string();
  return it->get<std::string>();
}

}  // namespace

Result<EnvDefaults> ReadEnvDefaults(Env& env) {
  EnvDefaults d;
  d.nb_session_ocid = Var(env, "NB_SESSION_OCID");
  d.nb_session_compartment_ocid = Var(env, "NB_SESSION_COMPARTMENT_OCID");
  d.project_compartment_ocid = Var(env, "PROJECT_COMPARTMENT_OCID");
  d.job_run_ocid = Var(env, "JOB_RUN_OCID");
  d.job_run_compartment_ocid = Var(env, "JOB_RUN_COMPARTMENT_OCID");
  d.pipeline_run_ocid = Var(env, "PIPELINE_RUN_OCID");
  d.pipeline_run_compartment_ocid = Var(env, "PIPELINE_RUN_COMPARTMENT_OCID");
  d.pipeline_compartment_ocid = Var(env, "PIPELINE_COMPARTMENT_OCID");
  d.md_ocid = Var(env, "MD_OCID");
  d.dataflow_run_id = Var(env, "DATAFLOW_RUN_ID");
  d.tenancy_ocid = Var(env, "TENANCY_OCID");
  d.user_ocid = Var(env, "USER_OCID");
  d.resource_principal_version = Var(env, "OCI_RESOURCE_PRINCIPAL_VERSION");
  d.resource_principal_rpt_path = Var(env, "OCI_RESOURCE_PRINCIPAL_RPT_PATH");
  d.resource_principal_rpt_id = Var(env, "OCI_RESOURCE_PRINCIPAL_RPT_ID");
  d.resource_principal_rpt_endpoint = Var(env, "OCI_RESOURCE_PRINCIPAL_RPT_ENDPOINT");
  d.odsc_service_endpoint = Var(env, "OCI_ODSC_SERVICE_ENDPOINT");
  d.identity_service_endpoint = Var(env, "OCI_IDENTITY_SERVICE_ENDPOINT");
  d.conda_bucket_name = Var(env, "CONDA_BUCKET_NAME", "service-conda-packs");
  d.conda_bucket_ns = Var(env, "CONDA_BUCKET_NS", "id19sfcrra6z");
  d.conda_prefix = Var(env, "CONDA_PREFIX");
  d.tmpdir = Var(env, "TMPDIR");
  d.no_container = env.GetEnvVar("NO_CONTAINER").has_value();
  d.model_version_set_id = Var(env, "MODEL_VERSION_SET_ID");
  d.model_version_set_name = Var(env, "MODEL_VERSION_SET_NAME");
  d.model_version_set_compartment_id = Var(env, "MODEL_VERSION_SET_COMPARTMENT_ID");

  d.project_id = Var(env, "PROJECT_OCID");
  if (d.project_id.empty()) d.project_id = Var(env, "PIPELINE_PROJECT_OCID");
  d.compartment_id = FirstSet({&d.nb_session_compartment_ocid, &d.project_compartment_ocid,
                               &d.job_run_compartment_ocid, &d.pipeline_run_compartment_ocid});
  d.model_compartment_id = FirstSet({&d.nb_session_compartment_ocid,
                                     &d.job_run_compartment_ocid,
                                     &d.pipeline_run_compartment_ocid});
  d.training_resource_id = FirstSet({&d.job_run_ocid, &d.nb_session_ocid});
  ADS_ASSIGN_OR_RETURN(d.region, RegionFromMetadata(Var(env, "OCI_REGION_METADATA")));
  d.resource_principal_supported = !d.job_run_ocid.empty() || !d.nb_session_ocid.empty() ||
                                   !d.dataflow_run_id.empty() || !d.pipeline_run_ocid.empty();
  return d;
}

}  // namespace ads::metadata
