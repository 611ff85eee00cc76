#include "artifact/sample_data.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "base/strings.h"

namespace ads::artifact {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr size_t kMaxEmptyNpyColumns = 1 << 16;

std::string Where(std::string_view what) { return std::string(what); }

// ---------------------------------------------------------------- CSV ----

// pandas.read_csv's default na_values (pandas 1.5; 2.x adds "None").
bool IsNaToken(std::string_view s) {
  static const std::set<std::string_view> kNa = {
      "",      "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
      "1.#QNAN", "<NA>", "N/A",   "NA",  "NULL",    "NaN",      "n/a",  "nan",  "null"};
  return kNa.count(s) != 0;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool LooksIntegral(std::string_view s) {
  s = Trim(s);
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool ParseDouble(std::string_view s, double* out) {
  std::string t(Trim(s));
  if (t.empty() || t.find_first_of("xX") != std::string::npos) return false;
  std::string lower = ToLower(t);
  if (lower.find("nan") != std::string::npos) return false;  // NA tokens handled before
  char* end = nullptr;
  *out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size();
}

struct CsvRows {
  std::vector<std::vector<std::string>> rows;
  std::vector<size_t> lines;  // 1-based line where each row starts
};

// RFC 4180: quoted fields with "" escapes and embedded newlines; CRLF or LF;
// blank lines skipped as pandas does.
Result<CsvRows> SplitCsv(std::string_view text, std::string_view what) {
  CsvRows out;
  std::vector<std::string> row;
  std::string field;
  bool in_quotes = false, quoted = false, row_has_content = false;
  size_t line = 1, row_line = 1;
  auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
    quoted = false;
  };
  auto end_row = [&] {
    end_field();
    if (row_has_content || row.size() > 1 || !row.front().empty()) {
      out.rows.push_back(std::move(row));
      out.lines.push_back(row_line);
    }
    row.clear();
    row_has_content = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && field.empty() && !quoted) {
      in_quotes = quoted = row_has_content = true;
    } else if (c == ',') {
      end_field();
      row_has_content = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
      row_line = ++line;
    } else {
      field.push_back(c);
    }
  }
  if (in_quotes) {
    return InvalidArgumentError(Where(what) + " line " + std::to_string(row_line) +
                                ": a quoted field is never closed.");
  }
  if (!field.empty() || !row.empty() || quoted) end_row();
  return out;
}

// pandas' header rules: empty names become "Unnamed: i", duplicates "a.1".
std::vector<std::string> MangleHeader(const std::vector<std::string>& raw) {
  std::vector<std::string> names;
  std::map<std::string, int> counts;
  std::set<std::string> used;
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string name = raw[i].empty() ? "Unnamed: " + std::to_string(i) : raw[i];
    if (used.count(name) != 0) {
      std::string base = name;
      int& n = counts[base];
      do {
        name = base + "." + std::to_string(++n);
      } while (used.count(name) != 0);
    }
    used.insert(name);
    names.push_back(name);
  }
  return names;
}

// Infers a column's dtype from its text cells as pandas' C parser does:
// int64, float64 (ints with missing values too), bool, else object.
Column InferCsvColumn(std::string name, const std::vector<const std::string*>& cells) {
  Column col;
  col.name = std::move(name);
  bool all_int = true, all_float = true, all_bool = true, any_missing = false, any_value = false;
  for (const std::string* cell : cells) {
    if (cell == nullptr || IsNaToken(*cell)) {
      any_missing = true;
      continue;
    }
    any_value = true;
    int64_t i = 0;
    double d = 0;
    if (!ParseInt64(*cell, &i)) all_int = false;
    if (!ParseDouble(*cell, &d) || (LooksIntegral(*cell) && !ParseInt64(*cell, &i))) {
      all_float = false;
    }
    if (*cell != "True" && *cell != "TRUE" && *cell != "true" && *cell != "False" &&
        *cell != "FALSE" && *cell != "false") {
      all_bool = false;
    }
  }
  if (!any_value) all_int = all_bool = false, all_float = true;  // all-NaN -> float64
  auto is_true = [](const std::string& s) { return s == "True" || s == "TRUE" || s == "true"; };
  if (all_int && !any_missing) {
    col.dtype = "int64";
    for (const std::string* cell : cells) {
      int64_t v = 0;
      ParseInt64(*cell, &v);
      col.values.emplace_back(v);
    }
  } else if (all_int || all_float) {
    col.dtype = "float64";
    for (const std::string* cell : cells) {
      double v = kNaN;
      if (cell != nullptr && !IsNaToken(*cell)) ParseDouble(*cell, &v);
      col.values.emplace_back(v);
    }
  } else if (all_bool && !any_missing) {
    col.dtype = "bool";
    for (const std::string* cell : cells) col.values.emplace_back(is_true(*cell));
  } else {
    col.dtype = "object";
    for (const std::string* cell : cells) {
      if (cell == nullptr || IsNaToken(*cell)) {
        col.values.emplace_back(nullptr);
      } else if (all_bool) {
        col.values.emplace_back(is_true(*cell));
      } else {
        col.values.emplace_back(*cell);
      }
    }
  }
  return col;
}

// --------------------------------------------------------------- JSON ----

// dtype inference for a column of JSON values, as pandas.DataFrame does.
Column InferJsonColumn(std::string name, bool name_is_index, std::vector<Json> values) {
  Column col;
  col.name = std::move(name);
  col.name_is_index = name_is_index;
  bool all_bool = true, all_int = true, all_num = true, any_missing = false, any_value = false;
  for (const Json& v : values) {
    bool nan = v.is_number_float() && std::isnan(v.get<double>());
    if (v.is_null() || nan) {
      any_missing = true;
      if (nan) all_bool = false;
      continue;
    }
    any_value = true;
    if (!v.is_boolean()) all_bool = false;
    if (!v.is_number_integer() ||
        (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))) {
      all_int = false;
    }
    if (!v.is_number()) all_num = false;
  }
  if (!any_value) {
    col.dtype = any_missing && all_num && !all_bool ? "float64" : "object";
  } else if (all_bool && !any_missing) {
    col.dtype = "bool";
  } else if (all_int && !any_missing) {
    col.dtype = "int64";
  } else if (all_num && !all_bool) {
    col.dtype = "float64";
  } else {
    col.dtype = "object";
  }
  for (Json& v : values) {
    if (col.dtype == "float64") {
      col.values.emplace_back(v.is_number() ? v.get<double>() : kNaN);
    } else if (col.dtype == "int64") {
      col.values.emplace_back(v.get<int64_t>());
    } else {
      col.values.push_back(std::move(v));
    }
  }
  return col;
}

Result<Table> FromRecords(const Json& rows, std::string_view what) {
  std::vector<std::string> keys;
  std::set<std::string> seen;
  for (const Json& row : rows) {
    for (const auto& [k, unused] : row.items()) {
      if (seen.insert(k).second) keys.push_back(k);
    }
  }
  Table table;
  for (const std::string& k : keys) {
    std::vector<Json> values;
    for (const Json& row : rows) values.push_back(row.contains(k) ? row[k] : Json());
    table.columns.push_back(InferJsonColumn(k, false, std::move(values)));
  }
  if (table.columns.empty()) {
    return InvalidArgumentError(Where(what) + " has records but no columns.");
  }
  return table;
}

Result<Table> FromRows(const Json& rows, std::string_view what) {
  size_t width = rows.front().size();
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != width) {
      return InvalidArgumentError(Where(what) + ": row " + std::to_string(r) + " has " +
                                  std::to_string(rows[r].size()) + " values, row 0 has " +
                                  std::to_string(width) + ".");
    }
  }
  Table table;
  for (size_t c = 0; c < width; ++c) {
    std::vector<Json> values;
    for (const Json& row : rows) {
      if (row[c].is_array() || row[c].is_object()) {
        return InvalidArgumentError(Where(what) + " has more than two dimensions.");
      }
      values.push_back(row[c]);
    }
    table.columns.push_back(InferJsonColumn(std::to_string(c), true, std::move(values)));
  }
  return table;
}

Result<Table> FromColumnsObject(const Json& obj, std::string_view what) {
  Table table;
  std::vector<std::string> index;
  bool have_index = false;
  size_t length = 0;
  for (const auto& [name, col] : obj.items()) {
    std::vector<Json> values;
    if (col.is_array()) {
      if (have_index && col.size() != length) {
        return InvalidArgumentError(Where(what) + ": column " + Quoted(name) + " has " +
                                    std::to_string(col.size()) + " values, expected " +
                                    std::to_string(length) + ".");
      }
      values.assign(col.begin(), col.end());
      length = col.size();
    } else if (col.is_object()) {
      if (!have_index) {
        for (const auto& [k, unused] : col.items()) index.push_back(k);
      } else if (col.size() != index.size()) {
        return InvalidArgumentError(Where(what) + ": column " + Quoted(name) +
                                    " has a different index from the first column.");
      }
      for (const std::string& k : index) {
        if (!col.contains(k)) {
          return InvalidArgumentError(Where(what) + ": column " + Quoted(name) +
                                      " has no row " + Quoted(k) + ".");
        }
        values.push_back(col[k]);
      }
      length = index.size();
    } else {
      return InvalidArgumentError(Where(what) + ": column " + Quoted(name) +
                                  " must be an object or an array of values.");
    }
    have_index = true;
    table.columns.push_back(InferJsonColumn(name, false, std::move(values)));
  }
  if (table.columns.empty()) return InvalidArgumentError(Where(what) + " has no columns.");
  return table;
}

// ---------------------------------------------------------------- NPY ----

struct NpyType {
  std::string dtype;
  size_t itemsize;
};

Result<NpyType> NpyDescr(const std::string& descr, std::string_view what) {
  static const std::map<std::string, NpyType> kTypes = {
      {"<f8", {"float64", 8}}, {"<f4", {"float32", 4}}, {"<i8", {"int64", 8}},
      {"<i4", {"int32", 4}},   {"|b1", {"bool", 1}},    {"|u1", {"uint8", 1}},
      {"<u1", {"uint8", 1}},   {"<b1", {"bool", 1}}};
  auto it = kTypes.find(descr);
  if (it != kTypes.end()) return it->second;
  if (descr.find('O') != std::string::npos) {
    return InvalidArgumentError(Where(what) +
                                " holds Python objects (pickled); only numeric arrays are "
                                "supported as samples.");
  }
  if (!descr.empty() && descr[0] == '>') {
    return InvalidArgumentError(Where(what) + " is big-endian (" + descr +
                                "); only little-endian arrays are supported.");
  }
  return InvalidArgumentError(Where(what) + " has dtype " + Quoted(descr) +
                              ", which is not supported (use f4, f8, i4, i8, b1 or u1).");
}

// The value of `key` in a Python dict literal header, as raw text.
std::string HeaderField(const std::string& header, const std::string& key) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) return {};
  size_t colon = header.find(':', k);
  if (colon == std::string::npos) return {};
  size_t start = header.find_first_not_of(' ', colon + 1);
  if (start == std::string::npos) return {};
  if (header[start] == '\'') {
    size_t end = header.find('\'', start + 1);
    return end == std::string::npos ? std::string() : header.substr(start + 1, end - start - 1);
  }
  size_t end = header[start] == '(' ? header.find(')', start) + 1 : header.find(',', start);
  return header.substr(start, end - start);
}

Json NpyValue(const NpyType& t, const char* p) {
  if (t.dtype == "float64") {
    double v;
    std::memcpy(&v, p, 8);
    return v;
  }
  if (t.dtype == "float32") {
    float v;
    std::memcpy(&v, p, 4);
    return static_cast<double>(v);
  }
  if (t.dtype == "int64") {
    int64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  if (t.dtype == "int32") {
    int32_t v;
    std::memcpy(&v, p, 4);
    return static_cast<int64_t>(v);
  }
  if (t.dtype == "bool") return *p != 0;
  return static_cast<int64_t>(static_cast<unsigned char>(*p));
}

Result<std::vector<size_t>> ParseShape(const std::string& text, std::string_view what) {
  std::vector<size_t> shape;
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    return InvalidArgumentError(Where(what) + " has a malformed header (shape).");
  }
  for (const std::string& part : Split(text.substr(1, text.size() - 2), ',')) {
    std::string_view p = Trim(part);
    if (p.empty()) continue;
    size_t n = 0;
    auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), n);
    if (ec != std::errc() || ptr != p.data() + p.size()) {
      return InvalidArgumentError(Where(what) + " has a malformed header (shape).");
    }
    shape.push_back(n);
  }
  return shape;
}

}  // namespace

Json Column::NameJson() const {
  if (name_is_index) {
    int64_t v = 0;
    if (ParseInt64(name, &v)) return v;
  }
  return name;
}

bool Column::IsMissing(size_t row) const {
  const Json& v = values.at(row);
  return v.is_null() || (v.is_number_float() && std::isnan(v.get<double>()));
}

Result<Table> ReadCsvSample(std::string_view text, std::string_view what) {
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  ADS_ASSIGN_OR_RETURN(CsvRows csv, SplitCsv(text, what));
  if (csv.rows.empty()) return InvalidArgumentError(Where(what) + " is empty.");
  std::vector<std::string> names = MangleHeader(csv.rows.front());
  for (size_t r = 1; r < csv.rows.size(); ++r) {
    if (csv.rows[r].size() > names.size()) {
      return InvalidArgumentError(Where(what) + " line " + std::to_string(csv.lines[r]) +
                                  ": expected " + std::to_string(names.size()) +
                                  " fields, saw " + std::to_string(csv.rows[r].size()) + ".");
    }
  }
  Table table;
  for (size_t c = 0; c < names.size(); ++c) {
    std::vector<const std::string*> cells;
    for (size_t r = 1; r < csv.rows.size(); ++r) {
      cells.push_back(c < csv.rows[r].size() ? &csv.rows[r][c] : nullptr);
    }
    table.columns.push_back(InferCsvColumn(names[c], cells));
  }
  return table;
}

Result<Table> TableFromJson(const Json& value, std::string_view what) {
  if (value.is_array()) {
    if (value.empty()) return InvalidArgumentError(Where(what) + " is an empty array.");
    bool all_obj = true, all_arr = true, any_nested = false;
    for (const Json& e : value) {
      all_obj = all_obj && e.is_object();
      all_arr = all_arr && e.is_array();
      any_nested = any_nested || e.is_object() || e.is_array();
    }
    if (all_obj) return FromRecords(value, what);
    if (all_arr) return FromRows(value, what);
    if (any_nested) {
      return InvalidArgumentError(Where(what) +
                                  " mixes scalars with arrays or objects in its rows.");
    }
    Table table;
    table.columns.push_back(
        InferJsonColumn("0", true, std::vector<Json>(value.begin(), value.end())));
    return table;
  }
  if (value.is_object()) return FromColumnsObject(value, what);
  return InvalidArgumentError(Where(what) +
                              " must be an array (records or rows) or an object of columns.");
}

Result<Table> ReadJsonSample(std::string_view text, std::string_view what) {
  ADS_ASSIGN_OR_RETURN(Json value, ParseJson(text, what));
  return TableFromJson(value, what);
}

Result<Table> ReadNpySample(std::string_view bytes, std::string_view what) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != "\x93NUMPY") {
    return InvalidArgumentError(Where(what) + " is not an NPY file (bad magic).");
  }
  auto major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) |
                 (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return InvalidArgumentError(Where(what) + " is truncated.");
    for (int i = 3; i >= 0; --i) {
      header_len = (header_len << 8) | static_cast<unsigned char>(bytes[8 + i]);
    }
    offset = 12;
  } else {
    return InvalidArgumentError(Where(what) + " has NPY format version " +
                                std::to_string(major) + ", which is not supported.");
  }
  if (bytes.size() < offset + header_len) {
    return InvalidArgumentError(Where(what) + " is truncated (header).");
  }
  std::string header(bytes.substr(offset, header_len));
  ADS_ASSIGN_OR_RETURN(NpyType type, NpyDescr(HeaderField(header, "descr"), what));
  bool fortran = HeaderField(header, "fortran_order") == "True";
  ADS_ASSIGN_OR_RETURN(std::vector<size_t> shape, ParseShape(HeaderField(header, "shape"), what));
  if (shape.empty() || shape.size() > 2) {
    return InvalidArgumentError(Where(what) + " has " + std::to_string(shape.size()) +
                                " dimensions; samples must be 1-D or 2-D.");
  }
  size_t rows = shape[0], cols = shape.size() == 2 ? shape[1] : 1;
  // With no rows the data bounds nothing, and a header alone must not make
  // us build billions of empty columns.
  if (rows == 0 && cols > kMaxEmptyNpyColumns) {
    return InvalidArgumentError(Where(what) + " has no rows and " + std::to_string(cols) +
                                " columns; at most " + std::to_string(kMaxEmptyNpyColumns) +
                                " are supported.");
  }
  if (cols != 0 && rows > (bytes.size() / type.itemsize) / cols) {
    return InvalidArgumentError(Where(what) + " is truncated (data).");
  }
  const char* data = bytes.data() + offset + header_len;
  if (static_cast<size_t>(bytes.size() - offset - header_len) < rows * cols * type.itemsize) {
    return InvalidArgumentError(Where(what) + " is truncated (data).");
  }
  Table table;
  for (size_t c = 0; c < cols; ++c) {
    Column col;
    col.name = std::to_string(c);
    col.name_is_index = true;
    col.dtype = type.dtype;
    for (size_t r = 0; r < rows; ++r) {
      size_t i = fortran ? c * rows + r : r * cols + c;
      col.values.push_back(NpyValue(type, data + i * type.itemsize));
    }
    table.columns.push_back(std::move(col));
  }
  return table;
}

Result<Table> ReadSampleFile(Env& env, const std::string& path) {
  std::string base = ToLower(BaseName(path));
  size_t dot = base.rfind('.');
  std::string ext = dot == std::string::npos ? "" : base.substr(dot);
  if (ext != ".csv" && ext != ".json" && ext != ".npy") {
    return InvalidArgumentError("Unsupported sample file " + Quoted(path) +
                                ": use a .csv, .json or .npy file.");
  }
  ADS_ASSIGN_OR_RETURN(std::string bytes, env.ReadFile(path));
  if (ext == ".csv") return ReadCsvSample(bytes, path);
  if (ext == ".json") return ReadJsonSample(bytes, path);
  return ReadNpySample(bytes, path);
}

}  // namespace ads::artifact
