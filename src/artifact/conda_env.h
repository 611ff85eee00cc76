// Conda environments of runtime.yaml, resolved offline.
//
// ADS resolves a slug through the service-pack index in Object Storage and
// reads the Python version from the pack's object metadata; ads works offline,
// so it accepts full oci:// paths (the Environment Explorer's "Object Storage
// path"), takes the slug from the path's last segment, and infers the Python
// version from the `_p<major><minor>_` part of the slug when not given.
// Without an explicit environment it reads $CONDA_PREFIX/*_manifest.yaml as ADS
// does inside a notebook session.
//
//   ADS_ASSIGN_OR_RETURN(CondaEnvInfo env, ResolveCondaEnv(env, "oci://b@ns/p/slug_p311", ""));
//   // env.type == "published", env.slug == "slug_p311", env.python_version == "3.11"
//
// Thread-safety: pure functions (besides reading through Env).
#ifndef ADS_ARTIFACT_CONDA_ENV_H_
#define ADS_ARTIFACT_CONDA_ENV_H_

#include <string>
#include <string_view>

#include "artifact/runtime_yaml.h"
#include "base/env.h"
#include "base/status.h"

namespace ads::artifact {

struct OciPath {
  std::string bucket;
  std::string ns;
  std::string object;
};
Result<OciPath> ParseOciPath(std::string_view uri);

// Resolves `value` (an oci:// path; empty = look at $CONDA_PREFIX) with an
// optional explicit Python version. `what` names the flag in errors
// ("inference" or "training").
Result<CondaEnvInfo> ResolveCondaEnv(Env& env, std::string_view value, std::string_view python_version,
                                 std::string_view what = "inference");

// "3.11" from a slug such as generalml_p311_cpu_x86_64_v1; empty when absent.
std::string PythonVersionFromSlug(std::string_view slug);

}  // namespace ads::artifact

#endif  // ADS_ARTIFACT_CONDA_ENV_H_
