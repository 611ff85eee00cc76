// The OCI ModelDeployment document: validating CreateModelDeploymentDetails
// and UpdateModelDeploymentDetails into the stored form, and reading back
// what serving needs (model, capacity, logging, environment variables).
//
// Stored form (the fields the service adds: id, lifecycleState,
// lifecycleDetails, createdBy, timeCreated; modelDeploymentUrl is filled in
// when the document is served):
//   {compartmentId, projectId, displayName, description, deploymentMode:
//    "HTTPS_ONLY", modelDeploymentConfigurationDetails: {deploymentType:
//    "SINGLE_MODEL", modelConfigurationDetails: {modelId,
//    instanceConfiguration: {instanceShapeName, ...}, scalingPolicy:
//    {policyType: "FIXED_SIZE", instanceCount}, bandwidthMbps},
//    environmentConfigurationDetails: {environmentConfigurationType:
//    "DEFAULT", environmentVariables: {...}}}, categoryLogDetails: {access?,
//    predict?}, freeformTags, definedTags}
//
// Internal to serving/. Thread-safety: pure functions.
#ifndef ADS_SERVING_DEPLOYMENT_DOC_H_
#define ADS_SERVING_DEPLOYMENT_DOC_H_

#include <map>
#include <string>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "runtime/predictor.h"
#include "serving/endpoint.h"

namespace ads::serving {

// Environment variables the service reads (docs/deployments.md).
inline constexpr char kWebConcurrency[] = "WEB_CONCURRENCY";
inline constexpr char kMaxBatchSize[] = "ADS_MAX_BATCH_SIZE";
inline constexpr char kMaxQueueDelayUs[] = "ADS_MAX_QUEUE_DELAY_US";

// CreateModelDeploymentDetails -> the stored fields; InvalidArgument naming
// the first bad field. A missing displayName gets a random ADS-style name.
Result<Json> DocFromCreate(const Json& details, Env& env);
// `doc` with UpdateModelDeploymentDetails applied (tags, logging and
// environment variables are replaced whole; the configuration is merged).
Result<Json> DocWithUpdate(const Json& doc, const Json& details);

std::string ModelIdOf(const Json& doc);
int InstanceCountOf(const Json& doc);
int BandwidthMbpsOf(const Json& doc);
std::map<std::string, std::string> EnvironmentOf(const Json& doc);
const Json& CategoryLogsOf(const Json& doc);
// The data plane's snapshot of a stored document.
EndpointInfo InfoOf(const Json& doc);
// `defaults` with what the environment variables of `doc` set.
runtime::PredictorOptions PredictorOptionsOf(const Json& doc, runtime::PredictorOptions defaults);

}  // namespace ads::serving

#endif  // ADS_SERVING_DEPLOYMENT_DOC_H_
