// The defaults ADS takes from a notebook session, job or pipeline run: the
// OCI environment variables it reads (ads/config.py and friends), read once
// through Env so tests can set them.
//
//   ADS_ASSIGN_OR_RETURN(EnvDefaults d, ReadEnvDefaults(env));
//   if (project_id.empty()) project_id = d.project_id;
//
// Thread-safety: a pure function of `env`.
#ifndef ADS_METADATA_ENV_DEFAULTS_H_
#define ADS_METADATA_ENV_DEFAULTS_H_

#include <string>

#include "base/env.h"
#include "base/status.h"

namespace ads::metadata {

struct EnvDefaults {
  // Raw variables (empty when unset).
  std::string nb_session_ocid;                // NB_SESSION_OCID
  std::string nb_session_compartment_ocid;    // NB_SESSION_COMPARTMENT_OCID
  std::string project_compartment_ocid;       // PROJECT_COMPARTMENT_OCID
  std::string job_run_ocid;                   // JOB_RUN_OCID
  std::string job_run_compartment_ocid;       // JOB_RUN_COMPARTMENT_OCID
  std::string pipeline_run_ocid;              // PIPELINE_RUN_OCID
  std::string pipeline_run_compartment_ocid;  // PIPELINE_RUN_COMPARTMENT_OCID
  std::string pipeline_compartment_ocid;      // PIPELINE_COMPARTMENT_OCID
  std::string md_ocid;                        // MD_OCID (inside a model deployment)
  std::string dataflow_run_id;                // DATAFLOW_RUN_ID
  std::string tenancy_ocid;                   // TENANCY_OCID
  std::string user_ocid;                      // USER_OCID
  std::string resource_principal_version;     // OCI_RESOURCE_PRINCIPAL_VERSION
  std::string resource_principal_rpt_path;    // OCI_RESOURCE_PRINCIPAL_RPT_PATH
  std::string resource_principal_rpt_id;      // OCI_RESOURCE_PRINCIPAL_RPT_ID
  std::string resource_principal_rpt_endpoint;  // OCI_RESOURCE_PRINCIPAL_RPT_ENDPOINT
  std::string odsc_service_endpoint;          // OCI_ODSC_SERVICE_ENDPOINT
  std::string identity_service_endpoint;      // OCI_IDENTITY_SERVICE_ENDPOINT
  std::string conda_bucket_name;              // CONDA_BUCKET_NAME, default service-conda-packs
  std::string conda_bucket_ns;                // CONDA_BUCKET_NS, default id19sfcrra6z
  std::string conda_prefix;                   // CONDA_PREFIX
  std::string tmpdir;                         // TMPDIR (ADS's default artifact dir)
  bool no_container = false;                  // NO_CONTAINER set (any value)
  // Model version set chosen by ADS's experiment() context manager.
  std::string model_version_set_id;              // MODEL_VERSION_SET_ID
  std::string model_version_set_name;            // MODEL_VERSION_SET_NAME
  std::string model_version_set_compartment_id;  // MODEL_VERSION_SET_COMPARTMENT_ID

  // Derived values.
  // PROJECT_OCID, else PIPELINE_PROJECT_OCID.
  std::string project_id;
  // ads.config COMPARTMENT_OCID: NB_SESSION_COMPARTMENT_OCID,
  // PROJECT_COMPARTMENT_OCID, JOB_RUN_COMPARTMENT_OCID,
  // PIPELINE_RUN_COMPARTMENT_OCID (first set).
  std::string compartment_id;
  // The compartment a model is saved to by default (DataScienceModel):
  // NB_SESSION_COMPARTMENT_OCID, JOB_RUN_COMPARTMENT_OCID,
  // PIPELINE_RUN_COMPARTMENT_OCID (first set).
  std::string model_compartment_id;
  // JOB_RUN_OCID, else NB_SESSION_OCID (provenance training_id).
  std::string training_resource_id;
  // OCI_REGION_METADATA's "regionIdentifier" (e.g. us-ashburn-1), if any.
  std::string region;
  // ADS treats resource principals as available inside a job, notebook,
  // data flow or pipeline run.
  bool resource_principal_supported = false;
};

// InvalidArgument only when OCI_REGION_METADATA is set but is not a JSON
// object (a string regionIdentifier is optional).
Result<EnvDefaults> ReadEnvDefaults(Env& env);

}  // namespace ads::metadata

#endif  // ADS_METADATA_ENV_DEFAULTS_H_
