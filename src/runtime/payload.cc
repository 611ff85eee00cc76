#include "runtime/payload.h"

#include <cmath>
#include <string>
#include <unordered_map>
#include <utility>

#include "base/hash.h"
#include "base/strings.h"
#include "runtime/dense_list.h"
#include "runtime/npy.h"

namespace ads::runtime {
namespace {

constexpr std::string_view kNdarrayType = "numpy.ndarray";
constexpr std::string_view kSeriesType = "pandas.core.series.Series";
constexpr std::string_view kFrameType = "pandas.core.frame.DataFrame";


std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Status CheckContentType(std::string_view content_type) {
  const std::string type = Lower(content_type.substr(0, content_type.find(';')));
  std::string_view t = type;
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  if (t.empty() || t == "application/json" || t == "text/json") return OkStatus();
  if (t == "application/octet-stream") {
    return InvalidArgumentError(
        "The native runtimes take JSON bodies only; bytes (application/octet-stream) need a "
        "score.py that reads them.");
  }
  return InvalidArgumentError("The content type " + Quoted(content_type) +
                              " is not supported; send application/json.");
}

// The index of dict columns: the union of their keys, in order of appearance.
std::vector<std::string> UnionIndex(const Json& object) {
  std::vector<std::string> index;
  std::unordered_map<std::string, size_t> seen;
  for (const auto& [name, value] : object.items()) {
    if (!value.is_object()) continue;
    for (const auto& [key, cell] : value.items()) {
      if (seen.emplace(key, index.size()).second) index.push_back(key);
    }
  }
  return index;
}

// Checks that the columns are all lists of one length or all dicts (scalars
// may join either); sets frame->rows for lists.
Status CheckColumnShapes(const Json& object, bool* dicts, Frame* frame) {
  size_t lists = 0, dict_count = 0;
  std::string first_list;
  for (const auto& [name, value] : object.items()) {
    if (value.is_object()) ++dict_count;
    if (!value.is_array()) continue;
    if (lists++ == 0) {
      first_list = name;
      frame->rows = value.size();
    } else if (value.size() != frame->rows) {
      return InvalidArgumentError("Column " + Quoted(name) + " has " + std::to_string(value.size()) +
                                  " values but column " + Quoted(first_list) + " has " +
                                  std::to_string(frame->rows) +
                                  "; all columns must have the same length.");
    }
  }
  if (lists > 0 && dict_count > 0) {
    return InvalidArgumentError(
        "The payload mixes columns given as lists and as dicts; use one form for all columns.");
  }
  if (lists == 0 && dict_count == 0) {
    return InvalidArgumentError(
        "A dict payload needs a list of values per column, e.g. {\"a\": [1, 2], \"b\": [3, 4]}.");
  }
  *dicts = dict_count > 0;
  return OkStatus();
}

// pd.DataFrame.from_dict(data): one entry per column holding a list of values
// or a dict {index: value}; scalars are broadcast, as pandas does.
Result<Frame> FrameFromColumns(Json object) {
  Frame frame;
  if (object.empty()) return InvalidArgumentError("The payload has no columns.");
  bool dicts = false;
  ADS_RETURN_IF_ERROR(CheckColumnShapes(object, &dicts, &frame));
  const std::vector<std::string> index = dicts ? UnionIndex(object) : std::vector<std::string>{};
  if (dicts) frame.rows = index.size();
  for (auto& [name, value] : object.items()) {
    frame.columns.push_back(name);
    std::vector<Json>& cells = frame.cells.emplace_back();
    if (value.is_array()) {
      cells = std::move(value.get_ref<Json::array_t&>());
    } else if (value.is_object()) {
      cells.reserve(frame.rows);
      for (const std::string& key : index) {
        const Json* cell = FindMember(value, key);
        cells.push_back(cell != nullptr ? *cell : Json());
      }
    } else {
      cells.assign(frame.rows, value);
    }
  }
  return frame;
}

// pd.DataFrame(list): records (dicts), rows (lists) or one column of scalars.
Result<Frame> FrameFromRows(Json rows) {
  Frame frame;
  frame.rows = rows.size();
  size_t records = 0, lists = 0;
  size_t width = 0;
  for (const Json& row : rows) {
    if (row.is_object()) ++records;
    if (row.is_array()) {
      ++lists;
      width = std::max(width, row.size());
    }
  }
  if (records > 0 && records != rows.size()) {
    return InvalidArgumentError("The DataFrame JSON mixes records (objects) with other rows.");
  }
  if (records > 0) {
    std::unordered_map<std::string, size_t> seen;
    for (const Json& row : rows) {
      for (const auto& [key, cell] : row.items()) {
        if (seen.emplace(key, frame.columns.size()).second) frame.columns.push_back(key);
      }
    }
    frame.cells.assign(frame.columns.size(), std::vector<Json>(frame.rows));
    for (size_t r = 0; r < frame.rows; ++r) {
      for (auto& [key, cell] : rows[r].items()) frame.cells[seen[key]][r] = std::move(cell);
    }
    return frame;
  }
  if (lists > 0 && lists != rows.size()) {
    return InvalidArgumentError("The DataFrame JSON mixes lists with scalars as rows.");
  }
  if (lists == 0) width = 1;
  for (size_t c = 0; c < width; ++c) frame.columns.push_back(std::to_string(c));
  frame.cells.assign(width, std::vector<Json>(frame.rows));
  for (size_t r = 0; r < frame.rows; ++r) {
    if (lists == 0) {
      frame.cells[0][r] = std::move(rows[r]);
      continue;
    }
    for (size_t c = 0; c < rows[r].size(); ++c) frame.cells[c][r] = std::move(rows[r][c]);
  }
  return frame;
}

bool IsIntegerDtype(std::string_view dtype) {
  return dtype.starts_with("int") || dtype.starts_with("uint") || dtype.starts_with("Int") ||
         dtype.starts_with("UInt");
}

// pd.read_json(dtype=schema): a column whose schema dtype is an integer type
// is cast with astype(), which truncates floats; a column holding anything but
// finite numbers fails that cast and pandas keeps it as it was.
void ApplySchemaDtypes(const PayloadOptions& options, Frame* frame) {
  for (size_t c = 0; c < frame->columns.size(); ++c) {
    auto it = options.schema_dtypes.find(frame->columns[c]);
    if (it == options.schema_dtypes.end() || !IsIntegerDtype(it->second)) continue;
    std::vector<Json>& cells = frame->cells[c];
    bool castable = true;
    for (const Json& cell : cells) {
      castable = castable && (cell.is_number_integer() || cell.is_boolean() ||
                              (cell.is_number_float() && std::isfinite(cell.get<double>()) &&
                               std::fabs(cell.get<double>()) < 9.2e18));
    }
    if (!castable) continue;
    for (Json& cell : cells) {
      if (cell.is_number_float()) cell = static_cast<int64_t>(std::trunc(cell.get<double>()));
      if (cell.is_boolean()) cell = cell.get<bool>() ? 1 : 0;
    }
  }
}

Result<Frame> FrameFromJsonText(const std::string& text, const PayloadOptions& options) {
  ADS_ASSIGN_OR_RETURN(Json doc, ParseJson(text, "The DataFrame JSON in \"data\""));
  Result<Frame> frame = InvalidArgumentError(
      "The DataFrame JSON in \"data\" must be an object (DataFrame.to_json()) or a list of "
      "records or rows.");
  if (doc.is_object()) frame = FrameFromColumns(std::move(doc));
  if (doc.is_array()) {
    if (doc.empty()) return InvalidArgumentError("The DataFrame JSON in \"data\" has no rows.");
    frame = FrameFromRows(std::move(doc));
  }
  if (frame.ok()) ApplySchemaDtypes(options, &*frame);
  return frame;
}

Result<engine::Tensor> ArrayFromBase64(const Json& data) {
  if (!data.is_string()) {
    return InvalidArgumentError(
        "A numpy payload needs \"data\" to be the base64 text of an .npy file (np.save).");
  }
  std::string bytes;
  if (!Base64Decode(data.get_ref<const std::string&>(), &bytes)) {
    return InvalidArgumentError("The numpy payload's \"data\" is not valid base64.");
  }
  return ParseNpy(bytes);
}

Json SeriesValues(Json data) {
  if (data.is_array()) return data;
  Json values = Json::array();
  if (data.is_object()) {
    for (auto& [key, value] : data.items()) values.push_back(std::move(value));
  } else {
    values.push_back(std::move(data));
  }
  return values;
}

Result<Payload> Decode(Json data, const PayloadOptions& options) {
  std::string data_type;
  Json json_data;
  if (data.is_object()) {
    if (const Json* type = FindMember(data, "data_type"); type != nullptr) {
      if (!type->is_string()) {
        return InvalidArgumentError("\"data_type\" must be a string such as "
                                    "\"<class 'numpy.ndarray'>\".");
      }
      data_type = type->get<std::string>();
    }
    auto it = data.find("data");
    json_data = it != data.end() ? std::move(*it) : std::move(data);
  } else {
    json_data = std::move(data);
  }
  Payload p;
  if (data_type.find(kNdarrayType) != std::string::npos) {
    p.kind = Payload::Kind::kArray;
    ADS_ASSIGN_OR_RETURN(p.array, ArrayFromBase64(json_data));
  } else if (data_type.find(kSeriesType) != std::string::npos) {
    p.kind = Payload::Kind::kSeries;
    p.json = SeriesValues(std::move(json_data));
  } else if (data_type.find(kFrameType) != std::string::npos || json_data.is_string()) {
    if (!json_data.is_string()) {
      return InvalidArgumentError(
          "A DataFrame payload needs \"data\" to be the text of DataFrame.to_json().");
    }
    p.kind = Payload::Kind::kFrame;
    ADS_ASSIGN_OR_RETURN(p.frame, FrameFromJsonText(json_data.get<std::string>(), options));
  } else if (json_data.is_object()) {
    p.kind = Payload::Kind::kFrame;
    ADS_ASSIGN_OR_RETURN(p.frame, FrameFromColumns(std::move(json_data)));
  } else {
    p.json = std::move(json_data);
  }
  return p;
}

}  // namespace

int Frame::ColumnIndex(std::string_view name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

std::string_view PayloadKindName(Payload::Kind kind) {
  switch (kind) {
    case Payload::Kind::kList: return "list";
    case Payload::Kind::kSeries: return "Series";
    case Payload::Kind::kFrame: return "DataFrame";
    case Payload::Kind::kArray: return "ndarray";
  }
  return "list";
}

Result<Payload> DecodePayload(std::string_view body, std::string_view content_type,
                              const PayloadOptions& options) {
  ADS_RETURN_IF_ERROR(CheckContentType(content_type));
  if (std::optional<engine::Tensor> dense = ParseDenseList(body)) {
    Payload p;
    p.dense = true;
    p.array = std::move(*dense);
    return p;
  }
  ADS_ASSIGN_OR_RETURN(Json data, ParseJson(body, "The request body"));
  return Decode(std::move(data), options);
}

Result<Payload> DecodePayloadJson(const Json& data, const PayloadOptions& options) {
  return Decode(data, options);
}

}  // namespace ads::runtime
