// SummaryStatus: ADS's summary_status() table for a local artifact — ten rows
// (Step, Status, Details, Actions Needed) that follow the model through
// prepare, verify, save (with introspection), deploy and predict. It persists
// in <artifact_dir>/.ads/status.json (`.ads/` is our local-state folder, which
// the packer leaves out of the artifact zip).
//
//   ADS_ASSIGN_OR_RETURN(SummaryStatus s, LoadSummaryStatus(env, dir));
//   s.OnPrepare({.serialized = true, .score_generated = true});
//   s.OnIntrospect(/*passed=*/true);
//   ADS_RETURN_IF_ERROR(SaveSummaryStatus(env, dir, s));
//   std::cout << s.RenderTable();
//
// Thread-safety: a value type; not synchronised.
#ifndef ADS_ARTIFACT_SUMMARY_STATUS_H_
#define ADS_ARTIFACT_SUMMARY_STATUS_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"

namespace ads::artifact {

// ADS's ModelState values. Deploy rows also take deployment states (ACTIVE, ...).
inline constexpr std::string_view kStateDone = "Done";
inline constexpr std::string_view kStateAvailable = "Available";
inline constexpr std::string_view kStateNotAvailable = "Not Available";
inline constexpr std::string_view kStateNeedsAction = "Needs Action";
inline constexpr std::string_view kStateNotApplicable = "Not Applicable";
inline constexpr std::string_view kStateFailed = "Failed";

// Row details, exactly as ADS names them.
inline constexpr std::string_view kDetailInitiate = "Initiated the model";
inline constexpr std::string_view kDetailRuntimeYaml = "Generated runtime.yaml";
inline constexpr std::string_view kDetailScorePy = "Generated score.py";
inline constexpr std::string_view kDetailSerialize = "Serialized model";
inline constexpr std::string_view kDetailMetadata =
    "Populated metadata(Custom, Taxonomy and Provenance)";
inline constexpr std::string_view kDetailVerify = "Local tested .predict from score.py";
inline constexpr std::string_view kDetailIntrospect = "Conducted Introspect Test";
inline constexpr std::string_view kDetailUpload = "Uploaded artifact to model catalog";
inline constexpr std::string_view kDetailDeploy = "Deployed the model";
inline constexpr std::string_view kDetailPredict = "Called deployment predict endpoint";

inline constexpr std::string_view kStatusFile = ".ads/status.json";

struct SummaryRow {
  std::string step;     // "initiate", "prepare()", "verify()", "save()", "deploy()", "predict()"
  std::string status;   // a ModelState value or a deployment state
  std::string details;  // one of kDetail*
  std::string actions_needed;
};

struct PrepareOutcome {
  bool serialized = false;           // ads serialised the model file itself
  bool model_file_present = true;    // <artifact_dir>/<model_file_name> exists
  bool score_generated = true;       // score.py came from a template (vs. user-provided)
  bool ignore_conda_error = false;   // container runtime: introspection not applicable
  std::string model_file_name;       // for the "serialize it yourself" action
  std::string artifact_dir;
};

class SummaryStatus {
 public:
  SummaryStatus();  // ADS's initial rows

  // The transitions of ADS's GenericModel (ADS_FORMATS.md §8).
  void OnPrepare(const PrepareOutcome& outcome);
  void OnVerify();
  // Introspect row Done, or Failed with ADS's action when `passed` is false.
  void OnIntrospect(bool passed);
  void OnSave();
  // `state` is the deployment lifecycle state (any case; stored upper-case).
  void OnDeploy(std::string_view state);
  void OnPredict();
  // Re-evaluation that summary_status() performs: Serialized model becomes
  // Needs Action while the model file is missing, and Done when it appears.
  void OnModelFileCheck(bool model_file_present, const std::string& model_file_name,
                        const std::string& artifact_dir);

  const std::vector<SummaryRow>& rows() const { return rows_; }
  // Status/action of the row with these details ("" when absent).
  std::string StatusOf(std::string_view details) const;
  std::string ActionOf(std::string_view details) const;

  Json ToJson() const;
  static Result<SummaryStatus> FromJson(const Json& doc, std::string_view what = "status.json");
  // Columns Step | Status | Details | Actions Needed.
  std::string RenderTable() const;

 private:
  SummaryRow* Find(std::string_view details);
  void Set(std::string_view details, std::string_view status);
  void SetAction(std::string_view details, std::string action);

  std::vector<SummaryRow> rows_;
};

// Loads <artifact_dir>/.ads/status.json; a missing file gives the initial table.
Result<SummaryStatus> LoadSummaryStatus(Env& env, const std::string& artifact_dir);
// Writes it atomically (creating .ads/).
Status SaveSummaryStatus(Env& env, const std::string& artifact_dir, const SummaryStatus& status);

}  // namespace ads::artifact

#endif  // ADS_ARTIFACT_SUMMARY_STATUS_H_
