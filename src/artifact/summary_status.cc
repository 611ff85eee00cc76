#include "artifact/summary_status.h"

#include <algorithm>

#include "base/strings.h"

namespace ads::artifact {
namespace {

constexpr std::string_view kIntrospectFailedAction =
    "Use `.introspect()` method to get detailed information.";
constexpr std::string_view kLoadModelAction =
    "`load_model` is not automatically generated. Finish implementing it and call .verify to "
    "check if it works.";
constexpr int kStatusFileVersion = 1;

std::string SerializeAction(const std::string& model_file_name, const std::string& artifact_dir) {
  return "Model is not automatically serialized. Serialize the model as `" + model_file_name +
         "` and save to the " + artifact_dir + ".";
}

}  // namespace

SummaryStatus::SummaryStatus() {
  auto row = [](std::string_view step, std::string_view details, std::string_view status) {
    return SummaryRow{std::string(step), std::string(status), std::string(details), ""};
  };
  rows_ = {
      row("initiate", kDetailInitiate, kStateDone),
      row("prepare()", kDetailRuntimeYaml, kStateAvailable),
      row("prepare()", kDetailScorePy, kStateAvailable),
      row("prepare()", kDetailSerialize, kStateAvailable),
      row("prepare()", kDetailMetadata, kStateAvailable),
      row("verify()", kDetailVerify, kStateNotAvailable),
      row("save()", kDetailIntrospect, kStateNotAvailable),
      row("save()", kDetailUpload, kStateNotAvailable),
      row("deploy()", kDetailDeploy, kStateNotAvailable),
      row("predict()", kDetailPredict, kStateNotAvailable),
  };
}

SummaryRow* SummaryStatus::Find(std::string_view details) {
  for (SummaryRow& r : rows_) {
    if (r.details == details) return &r;
  }
  return nullptr;
}

void SummaryStatus::Set(std::string_view details, std::string_view status) {
  if (SummaryRow* r = Find(details)) r->status = std::string(status);
}

void SummaryStatus::SetAction(std::string_view details, std::string action) {
  if (SummaryRow* r = Find(details)) r->actions_needed = std::move(action);
}

std::string SummaryStatus::StatusOf(std::string_view details) const {
  for (const SummaryRow& r : rows_) {
    if (r.details == details) return r.status;
  }
  return "";
}

std::string SummaryStatus::ActionOf(std::string_view details) const {
  for (const SummaryRow& r : rows_) {
    if (r.details == details) return r.actions_needed;
  }
  return "";
}

void SummaryStatus::OnPrepare(const PrepareOutcome& outcome) {
  Set(kDetailRuntimeYaml, kStateDone);
  if (outcome.serialized) {
    Set(kDetailSerialize, kStateDone);
  } else if (!outcome.model_file_present) {
    SetAction(kDetailSerialize, SerializeAction(outcome.model_file_name, outcome.artifact_dir));
    Set(kDetailSerialize, kStateNeedsAction);
    // Only a template score.py has a load_model() that still needs writing.
    if (outcome.score_generated) SetAction(kDetailScorePy, std::string(kLoadModelAction));
  }
  Set(kDetailScorePy, kStateDone);
  Set(kDetailMetadata, kStateDone);
  SetAction(kDetailMetadata, "");
  Set(kDetailVerify, kStateAvailable);
  if (!outcome.ignore_conda_error) Set(kDetailIntrospect, kStateAvailable);
  Set(kDetailUpload, kStateAvailable);
}

void SummaryStatus::OnVerify() { Set(kDetailVerify, kStateDone); }

void SummaryStatus::OnIntrospect(bool passed) {
  Set(kDetailIntrospect, passed ? kStateDone : kStateFailed);
  SetAction(kDetailIntrospect, passed ? "" : std::string(kIntrospectFailedAction));
}

void SummaryStatus::OnSave() {
  Set(kDetailUpload, kStateDone);
  Set(kDetailDeploy, kStateAvailable);
}

void SummaryStatus::OnDeploy(std::string_view state) {
  const std::string upper = ToUpper(state);
  Set(kDetailDeploy, upper);
  // summary_status() offers predict only while the deployment is ACTIVE.
  if (upper != "ACTIVE") {
    Set(kDetailPredict, kStateNotAvailable);
  } else if (StatusOf(kDetailPredict) != kStateDone) {
    Set(kDetailPredict, kStateAvailable);
  }
}

void SummaryStatus::OnPredict() { Set(kDetailPredict, kStateDone); }

void SummaryStatus::OnModelFileCheck(bool model_file_present, const std::string& model_file_name,
                                     const std::string& artifact_dir) {
  const std::string current = StatusOf(kDetailSerialize);
  if (current == kStateNotApplicable) return;
  if (!model_file_present) {
    Set(kDetailSerialize, kStateNeedsAction);
    SetAction(kDetailSerialize, SerializeAction(model_file_name, artifact_dir));
  } else if (current == kStateNeedsAction) {
    Set(kDetailSerialize, kStateDone);
    SetAction(kDetailSerialize, "");
  }
}

Json SummaryStatus::ToJson() const {
  Json rows = Json::array();
  for (const SummaryRow& r : rows_) {
    rows.push_back({{"Step", r.step},
                    {"Status", r.status},
                    {"Details", r.details},
                    {"Actions Needed", r.actions_needed}});
  }
  return {{"version", kStatusFileVersion}, {"rows", std::move(rows)}};
}

Result<SummaryStatus> SummaryStatus::FromJson(const Json& doc, std::string_view what) {
  const std::string where(what);
  if (!doc.is_object() || !doc.contains("rows") || !doc["rows"].is_array()) {
    return InvalidArgumentError(where + " must be an object with a \"rows\" list.");
  }
  SummaryStatus status;
  for (const Json& row : doc["rows"]) {
    if (!row.is_object()) return InvalidArgumentError(where + " has a row that is not an object.");
    SummaryRow r;
    ADS_ASSIGN_OR_RETURN(r.step, GetString(row, "Step", where));
    ADS_ASSIGN_OR_RETURN(r.status, GetString(row, "Status", where));
    ADS_ASSIGN_OR_RETURN(r.details, GetString(row, "Details", where));
    ADS_ASSIGN_OR_RETURN(r.actions_needed, GetString(row, "Actions Needed", where));
    // Rows are matched by step and details, so a file that lacks a row keeps
    // that row's initial value; a row we do not know is an error.
    SummaryRow* known = status.Find(r.details);
    if (known == nullptr || known->step != r.step) {
      return InvalidArgumentError(where + " has an unknown row " + Quoted(r.details) + ".");
    }
    known->status = std::move(r.status);
    known->actions_needed = std::move(r.actions_needed);
  }
  return status;
}

std::string SummaryStatus::RenderTable() const {
  const std::vector<std::string> header = {"Step", "Status", "Details", "Actions Needed"};
  size_t w[3] = {header[0].size(), header[1].size(), header[2].size()};
  for (const SummaryRow& r : rows_) {
    w[0] = std::max(w[0], r.step.size());
    w[1] = std::max(w[1], r.status.size());
    w[2] = std::max(w[2], r.details.size());
  }
  auto line = [&](const std::string& a, const std::string& b, const std::string& c,
                  const std::string& d) {
    std::string s = a + std::string(w[0] - a.size() + 2, ' ') + b +
                    std::string(w[1] - b.size() + 2, ' ') + c +
                    std::string(w[2] - c.size() + 2, ' ') + d;
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s + "\n";
  };
  std::string out = line(header[0], header[1], header[2], header[3]);
  out += std::string(w[0] + w[1] + w[2] + 6 + header[3].size(), '-') + "\n";
  for (const SummaryRow& r : rows_) out += line(r.step, r.status, r.details, r.actions_needed);
  return out;
}

Result<SummaryStatus> LoadSummaryStatus(Env& env, const std::string& artifact_dir) {
  const std::string path = JoinPath(artifact_dir, kStatusFile);
  if (!env.FileExists(path)) return SummaryStatus();
  ADS_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
  ADS_ASSIGN_OR_RETURN(Json doc, ParseJson(text, path));
  return SummaryStatus::FromJson(doc, path);
}

Status SaveSummaryStatus(Env& env, const std::string& artifact_dir, const SummaryStatus& status) {
  const std::string path = JoinPath(artifact_dir, kStatusFile);
  ADS_RETURN_IF_ERROR(env.CreateDirs(DirName(path)));
  PythonJsonOptions opts;
  opts.indent = 2;
  return env.WriteFileAtomic(path, DumpPythonJson(status.ToJson(), opts) + "\n");
}

}  // namespace ads::artifact
