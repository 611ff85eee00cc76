#include "artifact/schema.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "base/logging.h"
#include "base/strings.h"
#include "base/yaml.h"

namespace ads::artifact {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// numpy's pairwise summation (the float add reduction behind np.sum and so
// pandas' mean and skew), so that the last digits agree with pandas.
double PairwiseSum(const double* a, size_t n) {
  if (n < 8) {
    double res = 0.0;
    for (size_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    double r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    size_t i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  size_t n2 = n / 2;
  n2 -= n2 % 8;
  return PairwiseSum(a, n2) + PairwiseSum(a + n2, n - n2);
}

// np.sum over a whole array: the first element seeds the reduction.
double NumpySum(const std::vector<double>& v) {
  if (v.empty()) return 0.0;
  return v[0] + PairwiseSum(v.data() + 1, v.size() - 1);
}

// numpy's linear ("type 7") quantile of sorted data, with its lerp.
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return kNaN;
  double n = static_cast<double>(sorted.size());
  double virtual_index = n * q + (1.0 + q * -1.0) - 1.0;
  double below = std::floor(virtual_index);
  auto lo = static_cast<size_t>(std::clamp(below, 0.0, n - 1));
  size_t hi = std::min(lo + 1, sorted.size() - 1);
  double t = virtual_index - below;
  double a = sorted[lo], b = sorted[hi];
  double diff = b - a;
  return t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
}

struct NumericStats {
  double count = 0, mean = kNaN, std = kNaN, min = kNaN, q25 = kNaN, q50 = kNaN, q75 = kNaN,
         max = kNaN, skew = kNaN;
  size_t missing = 0;
};

// Series.describe() plus skew(), as pandas 1.5 computes them: mean and skew
// with numpy sums over the array where missing values are zeros; std with
// bottleneck's two-pass loop (ddof=1); quantiles on the non-missing values.
NumericStats Describe(const Column& col) {
  NumericStats s;
  std::vector<double> filled, present;
  for (size_t i = 0; i < col.values.size(); ++i) {
    // A non-number only gets here in a Table built by hand with a wrong
    // dtype; it counts as missing rather than throwing in get<double>().
    if (col.IsMissing(i) || !col.values[i].is_number()) {
      filled.push_back(0.0);
      ++s.missing;
    } else {
      double v = col.values[i].get<double>();
      filled.push_back(v);
      present.push_back(v);
    }
  }
  s.count = static_cast<double>(col.values.size());
  double n = static_cast<double>(present.size());
  if (present.empty()) return s;
  s.mean = NumpySum(filled) / n;
  double plain_sum = 0;
  for (double v : present) plain_sum += v;
  double bn_mean = plain_sum / n, ssd = 0;
  for (double v : present) ssd += (v - bn_mean) * (v - bn_mean);
  s.std = present.size() > 1 ? std::sqrt(ssd / (n - 1)) : kNaN;
  std::sort(present.begin(), present.end());
  s.min = present.front();
  s.max = present.back();
  s.q25 = Quantile(present, 0.25);
  s.q50 = Quantile(present, 0.5);
  s.q75 = Quantile(present, 0.75);
  if (present.size() >= 3) {
    std::vector<double> a2(filled.size()), a3(filled.size());
    for (size_t i = 0; i < filled.size(); ++i) {
      double adj = col.IsMissing(i) ? 0.0 : filled[i] - s.mean;
      a2[i] = adj * adj;
      a3[i] = a2[i] * adj;
    }
    double m2 = NumpySum(a2), m3 = NumpySum(a3);
    if (std::fabs(m2) < 1e-14) m2 = 0;
    if (std::fabs(m3) < 1e-14) m3 = 0;
    s.skew = m2 == 0 ? 0.0 : (n * std::pow(n - 1, 0.5) / (n - 2)) * (m3 / std::pow(m2, 1.5));
  }
  return s;
}

// np.round(x, 3).
double Round3(double x) {
  if (!std::isfinite(x)) return x;
  return std::nearbyint(x * 1000.0) / 1000.0;
}

Json NumericDomainStats(const Column& col, bool continuous) {
  NumericStats s = Describe(col);
  auto r = [&](double v) { return continuous ? Round3(v) : v; };
  Json stats = Json::object();
  stats["count"] = r(s.count);
  stats["mean"] = r(s.mean);
  stats["standard deviation"] = r(s.std);
  stats["sample minimum"] = r(s.min);
  stats["lower quartile"] = r(s.q25);
  stats["median"] = r(s.q50);
  stats["upper quartile"] = r(s.q75);
  stats["sample maximum"] = r(s.max);
  if (continuous) stats["skew"] = r(s.skew);
  if (s.missing > 0) stats["missing"] = r(static_cast<double>(s.missing));
  return stats;
}

// A key that tells values apart as Python's == would for sample cells.
// Strings are keyed by their raw bytes: Json::dump throws on text that is not
// valid UTF-8, which a CSV sample may hold.
std::string UniqueKey(const Json& v) {
  if (v.is_string()) return "s" + v.get<std::string>();
  return "j" + v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// _count_unique_missing: "" counts as missing, and is not a unique value.
Json CountUniqueMissing(const Column& col) {
  std::set<std::string> unique;
  int64_t missing = 0;
  for (size_t i = 0; i < col.values.size(); ++i) {
    const Json& v = col.values[i];
    if (col.IsMissing(i) || (v.is_string() && v.get<std::string>().empty())) {
      ++missing;
      continue;
    }
    unique.insert(UniqueKey(v));
  }
  Json stats = Json::object();
  stats["count"] = static_cast<int64_t>(col.values.size());
  stats["unique"] = static_cast<int64_t>(unique.size());
  if (missing > 0) stats["missing"] = missing;
  return stats;
}

Json AttributeFor(const Column& col, size_t order) {
  std::string feature_type = FeatureTypeForDtype(col.dtype);
  Json domain = Json::object();
  domain["values"] = feature_type;
  Json constraints = Json::array();
  if (feature_type == "Integer" || feature_type == "Continuous") {
    domain["stats"] = NumericDomainStats(col, feature_type == "Continuous");
  } else {
    domain["stats"] = CountUniqueMissing(col);
    if (feature_type == "Boolean") {
      constraints.push_back(Json{{"expression", "$x in [True, False]"}, {"language", "python"}});
    }
  }
  domain["constraints"] = constraints;
  bool required = true;
  for (size_t i = 0; i < col.values.size(); ++i) required = required && !col.IsMissing(i);
  Json attr = Json::object();
  attr["dtype"] = col.dtype;
  attr["feature_type"] = feature_type;
  attr["name"] = col.NameJson();
  attr["domain"] = domain;
  attr["required"] = required;
  attr["description"] = col.name;
  attr["order"] = static_cast<int64_t>(order);
  return attr;
}

Json NanToNull(const Json& v) {
  if (v.is_number_float() && !std::isfinite(v.get<double>())) return nullptr;
  if (v.is_object()) {
    Json out = Json::object();
    for (const auto& [k, x] : v.items()) out[k] = NanToNull(x);
    return out;
  }
  if (v.is_array()) {
    Json out = Json::array();
    for (const Json& x : v) out.push_back(NanToNull(x));
    return out;
  }
  return v;
}

Status AttributeError(std::string_view what, size_t i, const std::string& problem) {
  return InvalidArgumentError(std::string(what) + ": schema attribute #" + std::to_string(i) +
                              " " + problem + ".");
}

Status ValidateAttribute(std::string_view what, size_t i, const Json& a) {
  if (!a.is_object()) return AttributeError(what, i, "is not an object");
  if (!a.contains("dtype") || !a["dtype"].is_string()) {
    return AttributeError(what, i, "needs a string \"dtype\"");
  }
  if (!a.contains("name") || !(a["name"].is_string() || a["name"].is_number())) {
    return AttributeError(what, i, "needs a \"name\" that is a string or a number");
  }
  if (!a.contains("required") || !a["required"].is_boolean()) {
    return AttributeError(what, i, "needs a boolean \"required\"");
  }
  for (const char* key : {"feature_type", "description"}) {
    if (a.contains(key) && !a[key].is_null() && !a[key].is_string()) {
      return AttributeError(what, i, std::string("has a non-string \"") + key + "\"");
    }
  }
  if (a.contains("order") && !a["order"].is_null() && !a["order"].is_number_integer()) {
    return AttributeError(what, i, "has a non-integer \"order\"");
  }
  if (a.contains("domain")) {
    const Json& d = a["domain"];
    if (!d.is_object()) return AttributeError(what, i, "has a \"domain\" that is not an object");
    if (d.contains("values") && !d["values"].is_string()) {
      return AttributeError(what, i, "has a non-string \"domain.values\"");
    }
    if (d.contains("stats") && !d["stats"].is_object()) {
      return AttributeError(what, i, "has a \"domain.stats\" that is not an object");
    }
    if (d.contains("constraints") && !d["constraints"].is_array()) {
      return AttributeError(what, i, "has a \"domain.constraints\" that is not a list");
    }
  }
  return OkStatus();
}

}  // namespace

std::string FeatureTypeForDtype(std::string_view dtype) {
  if (dtype == "bool") return "Boolean";
  if (dtype.substr(0, 5) == "float") return "Continuous";
  if (dtype.substr(0, 3) == "int" || dtype.substr(0, 4) == "uint") return "Integer";
  if (dtype.substr(0, 8) == "datetime") return "DateTime";
  if (dtype == "category") return "Category";
  if (dtype == "object" || dtype == "string") return "String";
  return "Object";
}

Result<SchemaResult> InferSchema(const Table& table, const SchemaOptions& options) {
  SchemaResult result;
  if (table.columns.size() > options.max_col_num) {
    LogWarning("The data has " + std::to_string(table.columns.size()) +
               " columns, more than max_col_num (" + std::to_string(options.max_col_num) +
               "); the schema is not generated.");
    result.outcome = SchemaOutcome::kTooWide;
    return result;
  }
  std::set<std::string> names;
  Json attributes = Json::array();
  for (size_t i = 0; i < table.columns.size(); ++i) {
    const Column& col = table.columns[i];
    if (!names.insert(UniqueKey(col.NameJson())).second) {
      return InvalidArgumentError("The sample has two columns named " + Quoted(col.name) + ".");
    }
    if (col.values.size() != table.num_rows()) {
      return InvalidArgumentError("Column " + Quoted(col.name) + " has " +
                                  std::to_string(col.values.size()) + " values, expected " +
                                  std::to_string(table.num_rows()) + ".");
    }
    attributes.push_back(AttributeFor(col, i));
  }
  result.schema = Json{{"schema", attributes}, {"version", kSchemaVersion}};
  return result;
}

std::string SchemaFileText(const Json& schema) { return DumpPythonJson(schema); }

std::string SchemaCatalogText(const Json& schema) { return DumpPythonJson(NanToNull(schema)); }

uint64_t SchemaSizeForLimit(const Json& schema) { return 49 + DumpYamlPy(schema).size(); }

Result<SchemaWriteResult> WriteSchemaFile(Env& env, const std::string& path, const Json& schema) {
  ADS_RETURN_IF_ERROR(env.WriteFileAtomic(path, SchemaFileText(schema)));
  SchemaWriteResult result;
  result.size = SchemaSizeForLimit(schema);
  result.attach_to_catalog = result.size <= kSchemaSizeLimit;
  if (!result.attach_to_catalog) {
    LogWarning("The " + BaseName(path).substr(0, BaseName(path).rfind('.')) +
               " is larger than `32000` bytes and cannot be stored as model catalog "
               "metadata. It will be saved to " + path + ".");
  }
  return result;
}

Result<Json> ParseSchema(std::string_view text, std::string_view what) {
  ADS_ASSIGN_OR_RETURN(Json doc, ParseJson(text, what));
  if (!doc.is_object()) return InvalidArgumentError(std::string(what) + " is not a JSON object.");
  Json lowered = Json::object();
  for (const auto& [k, v] : doc.items()) lowered[ToLower(k)] = v;
  if (!lowered.contains("schema") || !lowered["schema"].is_array()) {
    return InvalidArgumentError(std::string(what) + " has no \"schema\" list.");
  }
  const Json& attrs = lowered["schema"];
  for (size_t i = 0; i < attrs.size(); ++i) {
    ADS_RETURN_IF_ERROR(ValidateAttribute(what, i, attrs[i]));
  }
  if (!lowered.contains("version")) lowered["version"] = "1.0";
  if (!lowered["version"].is_string()) {
    return InvalidArgumentError(std::string(what) + " has a non-string \"version\".");
  }
  return lowered;
}

Result<Json> LoadSchema(Env& env, const std::string& path) {
  ADS_ASSIGN_OR_RETURN(std::string text, env.ReadFile(path));
  return ParseSchema(text, path);
}

}  // namespace ads::artifact
