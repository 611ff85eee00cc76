#include "runtime/input_schema.h"

#include <numeric>

#include "base/json.h"
#include "base/strings.h"

namespace ads::runtime {
namespace {

bool PositionalColumns(const Frame& frame) {
  for (size_t i = 0; i < frame.columns.size(); ++i) {
    if (frame.columns[i] != std::to_string(i)) return false;
  }
  return true;
}

std::string QuotedList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + Quoted(n);
  return out;
}

}  // namespace

Result<InputSchema> ReadInputSchema(Env& env, const std::string& dir) {
  InputSchema schema;
  const std::string path = JoinPath(dir, "input_schema.json");
  if (!env.FileExists(path)) return schema;
  ADS_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
  ADS_ASSIGN_OR_RETURN(Json doc, ParseJson(text, path));
  const Json* entries = FindMember(doc, "schema");
  if (entries == nullptr || !entries->is_array()) {
    return InvalidArgumentError(path + " has no \"schema\" list.");
  }
  for (const Json& entry : *entries) {
    const Json* name = FindMember(entry, "name");
    const Json* dtype = FindMember(entry, "dtype");
    if (name == nullptr || !name->is_string() || dtype == nullptr || !dtype->is_string()) {
      return InvalidArgumentError(path + ": every \"schema\" entry needs a \"name\" and a \"dtype\".");
    }
    schema.columns.push_back(name->get<std::string>());
    schema.payload_options.schema_dtypes[name->get<std::string>()] = dtype->get<std::string>();
  }
  return schema;
}

Result<std::vector<size_t>> TableColumns(const Frame& frame, const InputSchema& schema) {
  std::vector<size_t> all(frame.columns.size());
  std::iota(all.begin(), all.end(), size_t{0});
  if (schema.columns.empty() || PositionalColumns(frame)) return all;
  std::vector<size_t> picked;
  std::vector<std::string> missing, unknown;
  std::vector<bool> used(frame.columns.size(), false);
  for (const std::string& name : schema.columns) {
    const int at = frame.ColumnIndex(name);
    if (at < 0) {
      missing.push_back(name);
      continue;
    }
    picked.push_back(static_cast<size_t>(at));
    used[static_cast<size_t>(at)] = true;
  }
  for (size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) unknown.push_back(frame.columns[i]);
  }
  if (!missing.empty()) {
    return InvalidArgumentError("The payload lacks the column" + std::string(missing.size() > 1 ? "s " : " ") +
                                QuotedList(missing) + " of the model's input schema.");
  }
  if (!unknown.empty()) {
    return InvalidArgumentError("The payload has column" + std::string(unknown.size() > 1 ? "s " : " ") +
                                QuotedList(unknown) + " that the model's input schema does not list.");
  }
  return picked;
}

}  // namespace ads::runtime
