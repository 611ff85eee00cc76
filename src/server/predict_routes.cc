#include "server/predict_routes.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <optional>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/ids.h"
#include "base/json.h"
#include "base/version.h"
#include "iam/access.h"
#include "server/metrics.h"
#include "serving/metrics.h"

namespace ads::server {
namespace {

using SteadyClock = std::chrono::steady_clock;
using serving::Endpoint;
using serving::EndpointInfo;

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch()).count();
}

// A token bucket over bytes as a "theoretical arrival time" (GCRA): one
// atomic, no lock. A call is let in while the deployment is less than the
// burst ahead of its rate, then pays for its bytes (a big body may put it in
// debt for a while: that is the average rate being kept).
class Bandwidth {
 public:
  bool TryTake(uint64_t bytes, int mbps, int64_t burst_ns) {
    if (mbps <= 0) return true;
    const int64_t cost = Cost(bytes, mbps);
    const int64_t now = SteadyNs();
    int64_t tat = tat_.load(std::memory_order_relaxed);
    for (;;) {
      if (tat - now > burst_ns) return false;
      if (tat_.compare_exchange_weak(tat, std::max(tat, now) + cost, std::memory_order_relaxed)) return true;
    }
  }
  void Charge(uint64_t bytes, int mbps) {
    if (mbps <= 0) return;
    const int64_t cost = Cost(bytes, mbps);
    const int64_t now = SteadyNs();
    int64_t tat = tat_.load(std::memory_order_relaxed);
    while (!tat_.compare_exchange_weak(tat, std::max(tat, now) + cost, std::memory_order_relaxed)) {
    }
  }

 private:
  // bytes * 8 bits / (mbps * 1e6 bits/s), in nanoseconds.
  static int64_t Cost(uint64_t bytes, int mbps) {
    return static_cast<int64_t>(static_cast<double>(bytes) * 8000.0 / mbps);
  }
  std::atomic<int64_t> tat_{0};
};

struct DeploymentState {
  std::shared_ptr<serving::DeploymentMetrics> metrics;
  Bandwidth bandwidth;
};

// The shared state of every route: the directory and per-deployment state.
class DataPlane {
 public:
  DataPlane(serving::EndpointDirectory& endpoints, PredictRouteOptions options)
      : endpoints_(endpoints), options_(options),
        burst_ns_(static_cast<int64_t>(options.bandwidth_burst_seconds * 1e9)) {}

  serving::EndpointDirectory& endpoints() { return endpoints_; }
  const PredictRouteOptions& options() const { return options_; }

  DeploymentState& StateFor(const std::string& id) {
    {
      std::shared_lock lock(mu_);
      auto it = states_.find(id);
      if (it != states_.end()) return *it->second;
    }
    std::unique_lock lock(mu_);
    auto& slot = states_[id];
    if (!slot) {
      slot = std::make_unique<DeploymentState>();
      slot->metrics = serving::MetricsFor(id);
    }
    return *slot;
  }

  // One prediction through readiness, bandwidth and the endpoint.
  Result<runtime::PredictResponse> Predict(Endpoint& e, const EndpointInfo& info, DeploymentState& st,
                                           std::string_view body, std::string_view content_type) {
    if (!e.ready()) {
      const std::string message = "The model deployment " + info.id + " is not active (lifecycleState " +
                                  info.lifecycle_state + "); it serves predictions only while ACTIVE.";
      // Coming up (or being updated): retry later. Otherwise the caller
      // must act (activate it) first.
      if (info.lifecycle_state == "CREATING" || info.lifecycle_state == "UPDATING") {
        return UnavailableError(message);
      }
      return OciError(409, "IncorrectState", message);
    }
    if (!st.bandwidth.TryTake(body.size(), info.bandwidth_mbps, burst_ns_)) {
      st.metrics->throttled.Add();
      return OciError(429, "TooManyRequests",
                      "Load balancer bandwidth exceeds the allocated " + std::to_string(info.bandwidth_mbps) +
                          " Mbps. To estimate the actual bandwidth, use formula: (payload size in KB) * "
                          "(estimated requests per second) * 8 / 1024. To resolve the issue, try sending "
                          "fewer requests or update the bandwidth of the model deployment.");
    }
    Result<runtime::PredictResponse> r =
        e.Predict({.body = body, .content_type = content_type.empty() ? "application/json" : std::string(content_type)});
    if (r.ok()) st.bandwidth.Charge(r->body.size(), info.bandwidth_mbps);
    return r;
  }

  // Metrics and the deployment's access and predict log lines, once the
  // response is final.
  void Finish(Call& call, Endpoint& e, const EndpointInfo& info, DeploymentState& st, int64_t start_ns,
              const std::string& error) {
    const int64_t elapsed = SteadyNs() - start_ns;
    const int status = call.response.status;
    serving::DeploymentMetrics& m = *st.metrics;
    m.requests[static_cast<size_t>(serving::ClassOf(status))].Add();
    m.latency.Observe(static_cast<uint64_t>(std::max<int64_t>(elapsed, 0)));
    m.bytes_in.Add(call.body.size());
    m.bytes_out.Add(call.response.body.size());
    if (!info.access_log && !info.predict_log) return;
    const std::string time = FormatRfc3339(call.env.Now());
    const double latency_ms = static_cast<double>(elapsed) / 1e6;
    if (info.access_log) {
      Json line = Json::object();
      line["time"] = time;
      line["method"] = call.request.method;
      line["path"] = call.request.path;
      line["status"] = status;
      line["latencyMs"] = latency_ms;
      line["requestBytes"] = call.body.size();
      line["responseBytes"] = call.response.body.size();
      line["opcRequestId"] = call.request_id;
      e.Log(serving::LogType::kAccess, line);
    }
    if (info.predict_log) {
      Json line = Json::object();
      line["time"] = time;
      line["status"] = status;
      line["latencyMs"] = latency_ms;
      line["opcRequestId"] = call.request_id;
      if (!error.empty()) line["error"] = error;
      e.Log(serving::LogType::kPredict, line);
    }
  }

 private:
  serving::EndpointDirectory& endpoints_;
  const PredictRouteOptions options_;
  const int64_t burst_ns_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, std::unique_ptr<DeploymentState>> states_;
};

std::string_view ContentType(const http::Request& request) {
  std::string_view type = request.Header("content-type");
  const size_t semi = type.find(';');
  if (semi != std::string_view::npos) type = type.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return type;
}

// Writes an OCI error for a failed predict. The model's own failures
// (score.py raised, the worker died) are 500s whose message the caller needs,
// unlike server faults, whose details stay in the server log.
void WritePredictError(Call& call, const Status& status) {
  if (status.code() == StatusCode::kFailedPrecondition && !status.hint().starts_with("oci:")) {
    Json body = Json::object();
    body["code"] = "InternalServerError";
    body["message"] = "The model failed to predict: " + status.message();
    call.response.SetJson(500, body.dump());
    call.response.headers["opc-request-id"] = call.request_id;
    return;
  }
  WriteError(call.response, status, call.request_id);
}

// ---------------------------------------------------------------- KServe v2

// KServe errors are {"error": "..."}; the OCI "code" and "message" ride
// along, so that OCI clients (and the rule that a refused resource reads
// exactly like a missing one) see the same body shape as on every other route.
constexpr char kMissingMessage[] = "Authorization failed or requested resource not found.";

void WriteKserveError(Call& call, int status, const std::string& error, const std::string& message = "") {
  std::string code;
  switch (status) {
    case 400: code = "InvalidParameter"; break;
    case 404: code = "NotAuthorizedOrNotFound"; break;
    case 409: code = "IncorrectState"; break;
    case 429: code = "TooManyRequests"; break;
    case 503: code = "ServiceUnavailable"; break;
    default: code = "InternalServerError"; break;
  }
  Json body = Json::object();
  body["error"] = error;
  body["code"] = code;
  body["message"] = message.empty() ? error : message;
  call.response.SetJson(status, body.dump());
}

int KserveStatus(const Status& status) {
  const OciErrorInfo info = MapStatus(status);
  if (status.code() == StatusCode::kFailedPrecondition && !status.hint().starts_with("oci:")) return 500;
  return info.http_status;
}

// pandas dtype (ADS schema) -> KServe datatype.
std::string KserveDatatype(std::string_view dtype) {
  static const std::map<std::string, std::string, std::less<>> kMap = {
      {"float64", "FP64"}, {"float32", "FP32"}, {"float16", "FP16"}, {"int64", "INT64"},
      {"int32", "INT32"},  {"int16", "INT16"},  {"int8", "INT8"},    {"uint64", "UINT64"},
      {"uint32", "UINT32"}, {"uint16", "UINT16"}, {"uint8", "UINT8"}, {"bool", "BOOL"},
      {"boolean", "BOOL"}, {"Int64", "INT64"},  {"Float64", "FP64"}};
  auto it = kMap.find(dtype);
  return it == kMap.end() ? "BYTES" : it->second;
}

struct SchemaFeature {
  std::string name;
  std::string datatype;
};

std::vector<SchemaFeature> Features(const Json& schema) {
  std::vector<SchemaFeature> out;
  const Json* list = schema.is_object() ? FindMember(schema, "schema") : nullptr;
  if (list == nullptr || !list->is_array()) return out;
  std::vector<std::pair<int64_t, SchemaFeature>> ordered;
  int64_t index = 0;
  for (const Json& f : *list) {
    if (!f.is_object()) continue;
    const Json* order = FindMember(f, "order");
    ordered.push_back({order != nullptr && order->is_number_integer() ? order->get<int64_t>() : index,
                       {StringMemberOr(f, "name"), KserveDatatype(StringMemberOr(f, "dtype"))}});
    ++index;
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [o, f] : ordered) out.push_back(std::move(f));
  return out;
}

Json TensorSpec(const std::string& name, const std::string& datatype, std::vector<int64_t> shape) {
  Json t = Json::object();
  t["name"] = name;
  t["datatype"] = datatype;
  t["shape"] = shape;
  return t;
}

// The model's inputs as KServe sees them: one [-1, n] tensor when every
// feature has the same numeric type (what the native runtimes take), else
// one [-1] tensor per column (sent on as a DataFrame dict).
Json InputSpecs(const Json& schema) {
  const std::vector<SchemaFeature> features = Features(schema);
  Json out = Json::array();
  if (features.empty()) return out;
  bool uniform = features[0].datatype != "BYTES";
  for (const SchemaFeature& f : features) uniform = uniform && f.datatype == features[0].datatype;
  if (uniform) {
    out.push_back(TensorSpec("input", features[0].datatype, {-1, static_cast<int64_t>(features.size())}));
    return out;
  }
  for (const SchemaFeature& f : features) out.push_back(TensorSpec(f.name, f.datatype, {-1}));
  return out;
}

Json OutputSpecs(const Json& schema) {
  Json out = Json::array();
  for (const SchemaFeature& f : Features(schema)) out.push_back(TensorSpec(f.name, f.datatype, {-1}));
  return out;
}

size_t ElementSize(std::string_view datatype) {
  if (datatype == "BOOL" || datatype == "INT8" || datatype == "UINT8") return 1;
  if (datatype == "INT16" || datatype == "UINT16" || datatype == "FP16") return 2;
  if (datatype == "INT32" || datatype == "UINT32" || datatype == "FP32") return 4;
  if (datatype == "INT64" || datatype == "UINT64" || datatype == "FP64") return 8;
  return 0;  // BYTES: length-prefixed
}

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // little-endian wire, little-endian host (x86-64, arm64)
  return v;
}

double HalfToDouble(uint16_t h) {
  const int exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exp == 0) return sign * std::ldexp(mant, -24);
  if (exp == 31) return mant ? std::nan("") : sign * INFINITY;
  return sign * std::ldexp(mant + 1024, exp - 25);
}

// The binary tensor extension: `bytes` decoded as `count` elements.
Result<std::vector<Json>> DecodeBinary(std::string_view bytes, std::string_view datatype, size_t count,
                                       const std::string& input) {
  std::vector<Json> out;
  out.reserve(count);
  const size_t size = ElementSize(datatype);
  if (size == 0) {
    size_t i = 0;
    while (i < bytes.size()) {
      if (bytes.size() - i < 4) break;
      const uint32_t n = Load<uint32_t>(bytes.data() + i);
      i += 4;
      if (bytes.size() - i < n) return InvalidArgumentError("input '" + input + "': a BYTES element runs past its binary data");
      out.emplace_back(std::string(bytes.substr(i, n)));
      i += n;
    }
    if (i != bytes.size() || out.size() != count) {
      return InvalidArgumentError("input '" + input + "': its binary data holds " + std::to_string(out.size()) +
                                  " BYTES elements, its shape " + std::to_string(count));
    }
    return out;
  }
  if (bytes.size() != count * size) {
    return InvalidArgumentError("input '" + input + "': binary_data_size is " + std::to_string(bytes.size()) +
                                " bytes, but its shape and datatype " + std::string(datatype) + " need " +
                                std::to_string(count * size));
  }
  for (size_t i = 0; i < count; ++i) {
    const char* p = bytes.data() + i * size;
    if (datatype == "BOOL") out.emplace_back(*p != 0);
    else if (datatype == "INT8") out.emplace_back(Load<int8_t>(p));
    else if (datatype == "UINT8") out.emplace_back(Load<uint8_t>(p));
    else if (datatype == "INT16") out.emplace_back(Load<int16_t>(p));
    else if (datatype == "UINT16") out.emplace_back(Load<uint16_t>(p));
    else if (datatype == "INT32") out.emplace_back(Load<int32_t>(p));
    else if (datatype == "UINT32") out.emplace_back(Load<uint32_t>(p));
    else if (datatype == "INT64") out.emplace_back(Load<int64_t>(p));
    else if (datatype == "UINT64") out.emplace_back(Load<uint64_t>(p));
    else if (datatype == "FP16") out.emplace_back(HalfToDouble(Load<uint16_t>(p)));
    else if (datatype == "FP32") out.emplace_back(static_cast<double>(Load<float>(p)));
    else out.emplace_back(Load<double>(p));
  }
  return out;
}

void Flatten(const Json& v, std::vector<Json>* out) {
  if (v.is_array()) {
    for (const Json& x : v) Flatten(x, out);
  } else {
    out->push_back(v);
  }
}

Status CheckElement(const Json& v, std::string_view datatype, const std::string& input) {
  bool ok;
  if (datatype == "BOOL") ok = v.is_boolean();
  else if (datatype == "BYTES") ok = v.is_string();
  else if (datatype.starts_with("FP")) ok = v.is_number();
  else if (datatype.starts_with("UINT")) ok = v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
  else ok = v.is_number_integer();
  if (ok) return OkStatus();
  return InvalidArgumentError("input '" + input + "': " + v.dump() + " is not a " + std::string(datatype) + " value");
}

// flat[offset...] as nested lists of `shape`.
Json Nest(const std::vector<Json>& flat, const std::vector<int64_t>& shape, size_t dim, size_t* offset) {
  if (dim == shape.size()) return flat[(*offset)++];
  Json out = Json::array();
  for (int64_t i = 0; i < shape[dim]; ++i) out.push_back(Nest(flat, shape, dim + 1, offset));
  return out;
}

constexpr size_t kMaxElements = size_t{1} << 32;

struct InferInput {
  std::string name;
  std::vector<int64_t> shape;
  Json nested;
};

// The infer request's inputs as the runtime payload: one input is its rows
// ([N, F] nested lists); several are a {name: column} dict (a DataFrame), a
// [N, 1] column sent as [N].
Result<std::string> InferPayload(const Json& doc, std::string_view binary, int64_t* rows) {
  const Json* inputs = FindMember(doc, "inputs");
  if (inputs == nullptr || !inputs->is_array() || inputs->empty()) {
    return InvalidArgumentError("the request needs \"inputs\": a non-empty list of tensors");
  }
  std::vector<InferInput> parsed;
  size_t offset = 0;
  for (const Json& in : *inputs) {
    if (!in.is_object()) return InvalidArgumentError("every input must be an object {name, shape, datatype, data}");
    InferInput t;
    t.name = StringMemberOr(in, "name");
    if (t.name.empty()) return InvalidArgumentError("an input has no \"name\"");
    const std::string datatype = StringMemberOr(in, "datatype");
    if (datatype != "BYTES" && ElementSize(datatype) == 0) {
      return InvalidArgumentError("input '" + t.name + "': unknown datatype \"" + datatype + "\"");
    }
    const Json* shape = FindMember(in, "shape");
    if (shape == nullptr || !shape->is_array()) return InvalidArgumentError("input '" + t.name + "' has no \"shape\"");
    size_t count = 1;
    for (const Json& d : *shape) {
      if (!d.is_number_integer() || d.get<int64_t>() < 0) {
        return InvalidArgumentError("input '" + t.name + "': shape " + shape->dump() + " must list non-negative integers");
      }
      t.shape.push_back(d.get<int64_t>());
      // No tensor within a 10 MB body has more elements than the body has
      // bytes; the bound also keeps the product from overflowing.
      const size_t dim = static_cast<size_t>(d.get<int64_t>());
      if (dim != 0 && count > kMaxElements / dim) {
        return InvalidArgumentError("input '" + t.name + "': shape " + shape->dump() + " is too large");
      }
      count *= dim;
    }
    std::vector<Json> flat;
    const Json* params = FindMember(in, "parameters");
    const Json* binary_size = params != nullptr && params->is_object() ? FindMember(*params, "binary_data_size") : nullptr;
    if (binary_size != nullptr) {
      if (!binary_size->is_number_unsigned() && !binary_size->is_number_integer()) {
        return InvalidArgumentError("input '" + t.name + "': binary_data_size must be an integer");
      }
      const uint64_t n = binary_size->get<uint64_t>();
      if (n > binary.size() - offset) {
        return InvalidArgumentError("input '" + t.name + "': binary_data_size " + std::to_string(n) +
                                    " runs past the end of the request body");
      }
      ADS_ASSIGN_OR_RETURN(flat, DecodeBinary(binary.substr(offset, n), datatype, count, t.name));
      offset += n;
    } else {
      const Json* data = FindMember(in, "data");
      if (data == nullptr) return InvalidArgumentError("input '" + t.name + "' has no \"data\" (nor binary_data_size)");
      Flatten(*data, &flat);
      if (flat.size() != count) {
        return InvalidArgumentError("input '" + t.name + "': shape " + shape->dump() + " needs " + std::to_string(count) +
                                    " elements, \"data\" has " + std::to_string(flat.size()));
      }
      for (const Json& v : flat) ADS_RETURN_IF_ERROR(CheckElement(v, datatype, t.name));
    }
    size_t at = 0;
    t.nested = Nest(flat, t.shape, 0, &at);
    parsed.push_back(std::move(t));
  }
  if (offset != binary.size()) {
    return InvalidArgumentError("the request has " + std::to_string(binary.size() - offset) +
                                " bytes of binary data that no input's binary_data_size claims");
  }
  *rows = parsed[0].shape.empty() ? 1 : parsed[0].shape[0];
  if (parsed.size() == 1) return parsed[0].nested.dump();
  Json dict = Json::object();
  for (InferInput& t : parsed) {
    if (t.shape.size() == 2 && t.shape[1] == 1) {
      Json column = Json::array();
      for (Json& row : t.nested) column.push_back(std::move(row[0]));
      t.nested = std::move(column);
    }
    dict[t.name] = std::move(t.nested);
  }
  return dict.dump();
}

// Shape of a rectangular nested list; nullopt when ragged.
std::optional<std::vector<int64_t>> ShapeOf(const Json& v) {
  if (!v.is_array()) return std::vector<int64_t>{};
  std::optional<std::vector<int64_t>> inner;
  for (const Json& x : v) {
    std::optional<std::vector<int64_t>> s = ShapeOf(x);
    if (!s || (inner && *inner != *s)) return std::nullopt;
    inner = std::move(s);
  }
  std::vector<int64_t> shape{static_cast<int64_t>(v.size())};
  if (inner) shape.insert(shape.end(), inner->begin(), inner->end());
  return shape;
}

struct OutputTensor {
  std::string name;
  std::string datatype;
  std::vector<int64_t> shape;
  std::vector<Json> flat;
};

OutputTensor ToTensor(std::string name, const Json& value) {
  OutputTensor t{std::move(name), "", {}, {}};
  std::optional<std::vector<int64_t>> shape = ShapeOf(value);
  if (shape) {
    Flatten(value, &t.flat);
  } else if (value.is_array()) {  // ragged: one JSON text per row
    for (const Json& x : value) t.flat.push_back(x);
    shape = std::vector<int64_t>{static_cast<int64_t>(value.size())};
  } else {
    t.flat.push_back(value);
    shape = std::vector<int64_t>{};
  }
  t.shape = std::move(*shape);
  bool all_bool = true, all_int = true, all_num = true, all_str = true;
  for (const Json& x : t.flat) {
    all_bool = all_bool && x.is_boolean();
    all_int = all_int && x.is_number_integer();
    all_num = all_num && x.is_number();
    all_str = all_str && x.is_string();
  }
  if (t.flat.empty()) t.datatype = "FP64";
  else if (all_bool) t.datatype = "BOOL";
  else if (all_int) t.datatype = "INT64";
  else if (all_num) t.datatype = "FP64";
  else {
    t.datatype = "BYTES";
    if (!all_str) {
      for (Json& x : t.flat) x = x.is_string() ? x : Json(x.dump());
    }
  }
  return t;
}

void AppendBinary(const OutputTensor& t, std::string* out) {
  for (const Json& x : t.flat) {
    if (t.datatype == "BOOL") {
      out->push_back(x.get<bool>() ? 1 : 0);
    } else if (t.datatype == "INT64") {
      const int64_t v = x.get<int64_t>();
      out->append(reinterpret_cast<const char*>(&v), sizeof v);
    } else if (t.datatype == "FP64") {
      const double v = x.get<double>();
      out->append(reinterpret_cast<const char*>(&v), sizeof v);
    } else {
      const std::string& s = x.get_ref<const std::string&>();
      const uint32_t n = static_cast<uint32_t>(s.size());
      out->append(reinterpret_cast<const char*>(&n), sizeof n);
      out->append(s);
    }
  }
}

bool BoolParam(const Json& object, std::string_view key) {
  const Json* params = object.is_object() ? FindMember(object, "parameters") : nullptr;
  const Json* v = params != nullptr && params->is_object() ? FindMember(*params, key) : nullptr;
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

// The runtime's {"prediction": P} as output tensors: P is several outputs
// when it is a list of per-row lists (one per model output, as the ONNX
// runtime answers for a model with several outputs) and not itself rows.
Status WriteInferResponse(Call& call, const Json& request, const std::string& model_name, const EndpointInfo& info,
                          const Json& output_schema, const runtime::PredictResponse& response, int64_t rows) {
  Result<Json> doc = ParseJson(response.body, "the model's answer");
  if (!doc.ok()) return InternalError(doc.status().message());
  const Json* found = doc->is_object() ? FindMember(*doc, "prediction") : nullptr;
  const Json& p = found != nullptr ? *found : *doc;
  std::vector<std::string> names;
  for (const SchemaFeature& f : Features(output_schema)) names.push_back(f.name);
  bool several = p.is_array() && p.size() >= 2;
  for (size_t i = 0; several && i < p.size(); ++i) {
    several = p[i].is_array() && static_cast<int64_t>(p[i].size()) == rows;
  }
  if (several && static_cast<int64_t>(p.size()) == rows) several = names.size() == p.size();
  std::vector<OutputTensor> tensors;
  if (several) {
    for (size_t i = 0; i < p.size(); ++i) {
      tensors.push_back(ToTensor(names.size() == p.size() ? names[i] : "output_" + std::to_string(i), p[i]));
    }
  } else {
    tensors.push_back(ToTensor(names.size() == 1 ? names[0] : "output_0", p));
  }

  // Which outputs, and which of them as binary data.
  const bool all_binary = BoolParam(request, "binary_data_output");
  std::vector<std::pair<const OutputTensor*, bool>> chosen;
  const Json* wanted = FindMember(request, "outputs");
  if (wanted != nullptr && wanted->is_array() && !wanted->empty()) {
    for (const Json& w : *wanted) {
      const std::string name = StringMemberOr(w, "name");
      auto it = std::find_if(tensors.begin(), tensors.end(), [&](const OutputTensor& t) { return t.name == name; });
      if (it == tensors.end()) {
        std::string known;
        for (const OutputTensor& t : tensors) known += (known.empty() ? "" : ", ") + t.name;
        return InvalidArgumentError("the model has no output '" + name + "' (it has " + known + ")");
      }
      chosen.push_back({&*it, all_binary || BoolParam(w, "binary_data")});
    }
  } else {
    for (const OutputTensor& t : tensors) chosen.push_back({&t, all_binary});
  }

  Json out = Json::object();
  out["model_name"] = model_name;
  out["model_version"] = info.model_id;
  if (const Json* id = FindMember(request, "id"); id != nullptr && id->is_string()) out["id"] = *id;
  out["outputs"] = Json::array();
  std::string binary;
  for (const auto& [t, as_binary] : chosen) {
    Json o = Json::object();
    o["name"] = t->name;
    o["datatype"] = t->datatype;
    o["shape"] = t->shape;
    if (as_binary) {
      const size_t before = binary.size();
      AppendBinary(*t, &binary);
      o["parameters"] = Json{{"binary_data_size", binary.size() - before}};
    } else {
      o["data"] = t->flat;
    }
    out["outputs"].push_back(std::move(o));
  }
  std::string header = out.dump();
  if (binary.empty()) {
    call.response.SetJson(200, std::move(header));
    return OkStatus();
  }
  call.response.status = 200;
  call.response.headers["content-type"] = "application/octet-stream";
  call.response.headers["inference-header-content-length"] = std::to_string(header.size());
  call.response.body = std::move(header) + binary;
  return OkStatus();
}

// The KServe route family for one path prefix ("/v2/models/{name}" or
// "/v2/models/{name}/versions/{version}").
void AddKserveModelRoutes(Router& router, const std::shared_ptr<DataPlane>& plane, const std::string& prefix) {
  const bool signed_routes = plane->options().kserve_signed;
  // The endpoint named in the path, authorised; nullptr after writing a 404.
  auto resolve = [plane, signed_routes](Call& call, iam::Verb verb) -> std::shared_ptr<Endpoint> {
    const std::string& name = call.Param("name");
    std::shared_ptr<Endpoint> e = plane->endpoints().FindByName(name);
    const std::string missing = "model '" + name + "' is not found";
    if (!e || (signed_routes && !call.Authorize(verb, iam::kModelDeployments, e->info().compartment_id).ok())) {
      WriteKserveError(call, 404, missing, kMissingMessage);
      return nullptr;
    }
    const std::string& version = call.Param("version");
    if (!version.empty()) {
      const std::string model = e->info().model_id;
      if (version != model) {
        WriteKserveError(call, 404, "model '" + name + "' has no version '" + version + "' (it serves " + model + ")");
        return nullptr;
      }
    }
    return e;
  };
  const RouteOptions get_options{.body = BodyKind::kNone, .authenticate = signed_routes};

  router.Add("GET", prefix, get_options, [resolve](Call& call) -> Status {
    std::shared_ptr<Endpoint> e = resolve(call, iam::Verb::kRead);
    if (!e) return OkStatus();
    const EndpointInfo info = e->info();
    Json out = Json::object();
    out["name"] = call.Param("name");
    out["versions"] = Json::array({info.model_id});
    out["platform"] = info.runtime.empty() ? "ads" : "ads_" + info.runtime;
    out["inputs"] = InputSpecs(e->input_schema());
    out["outputs"] = OutputSpecs(e->output_schema());
    call.ReplyJson(200, out);
    return OkStatus();
  });
  router.Add("GET", prefix + "/ready", get_options, [resolve](Call& call) -> Status {
    std::shared_ptr<Endpoint> e = resolve(call, iam::Verb::kRead);
    if (!e) return OkStatus();
    Json out = Json::object();
    out["name"] = call.Param("name");
    out["ready"] = e->ready();
    call.ReplyJson(200, out);
    return OkStatus();
  });
  router.Add("POST", prefix + "/infer",
             RouteOptions{.body = BodyKind::kJson, .authenticate = signed_routes,
                          .max_json_body = plane->options().max_payload},
             [plane, resolve](Call& call) -> Status {
               const int64_t start = SteadyNs();
               std::shared_ptr<Endpoint> e = resolve(call, iam::Verb::kUse);
               if (!e) return OkStatus();
               const EndpointInfo info = e->info();
               DeploymentState& st = plane->StateFor(info.id);
               std::string error;
               Status s = [&]() -> Status {
                 std::string_view json_text = call.body, binary;
                 std::string_view header = call.request.Header("inference-header-content-length");
                 if (!header.empty()) {
                   uint64_t n = 0;
                   const auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), n);
                   if (ec != std::errc() || end != header.data() + header.size() || n > call.body.size()) {
                     return InvalidArgumentError("Inference-Header-Content-Length " + std::string(header) +
                                                 " is not a length within the " + std::to_string(call.body.size()) +
                                                 "-byte body");
                   }
                   json_text = json_text.substr(0, n);
                   binary = std::string_view(call.body).substr(n);
                 }
                 ADS_ASSIGN_OR_RETURN(Json request, ParseJson(json_text, "the inference request"));
                 if (!request.is_object()) return InvalidArgumentError("the inference request must be a JSON object");
                 int64_t rows = 0;
                 ADS_ASSIGN_OR_RETURN(std::string payload, InferPayload(request, binary, &rows));
                 ADS_ASSIGN_OR_RETURN(runtime::PredictResponse r,
                                      plane->Predict(*e, info, st, payload, "application/json"));
                 return WriteInferResponse(call, request, call.Param("name"), info, e->output_schema(), r, rows);
               }();
               if (!s.ok()) {
                 error = s.message();
                 const int status = KserveStatus(s);
                 if (status >= 500 && status != 503 && s.code() != StatusCode::kFailedPrecondition) {
                   WriteError(call.response, s, call.request_id);  // logs it, hides server details
                   error = s.ToString();
                 } else {
                   WriteKserveError(call, status, s.message());
                 }
               }
               plane->Finish(call, *e, info, st, start, error);
               return OkStatus();
             });
}

}  // namespace

void AddPredictRoutes(Router& router, serving::EndpointDirectory& endpoints, const PredictRouteOptions& options) {
  auto plane = std::make_shared<DataPlane>(endpoints, options);

  router.Add("POST", "/{deploymentId}/predict",
             RouteOptions{.body = BodyKind::kJson, .authenticate = true, .max_json_body = options.max_payload},
             [plane](Call& call) -> Status {
               const int64_t start = SteadyNs();
               std::shared_ptr<Endpoint> e = plane->endpoints().Find(call.Param("deploymentId"));
               if (!e) return NotFoundError("no such model deployment");
               const EndpointInfo info = e->info();
               ADS_RETURN_IF_ERROR(call.Authorize(iam::Verb::kUse, iam::kModelDeployments, info.compartment_id));
               DeploymentState& st = plane->StateFor(info.id);
               Result<runtime::PredictResponse> r =
                   plane->Predict(*e, info, st, call.body, ContentType(call.request));
               std::string error;
               if (r.ok()) {
                 call.response.status = 200;
                 call.response.headers["content-type"] = r->content_type;
                 call.response.body = std::move(r->body);
               } else {
                 error = r.status().message();
                 WritePredictError(call, r.status());
               }
               plane->Finish(call, *e, info, st, start, error);
               return OkStatus();
             });

  const RouteOptions open{.body = BodyKind::kNone, .authenticate = false};
  router.Add("GET", "/v2/health/live", open, [](Call& call) -> Status {
    call.ReplyJson(200, Json{{"live", true}});
    return OkStatus();
  });
  router.Add("GET", "/v2/health/ready", open, [plane](Call& call) -> Status {
    // Ready when every deployment meant to serve (ACTIVE) has its model up.
    bool ready = true;
    for (const std::shared_ptr<Endpoint>& e : plane->endpoints().All()) {
      if (e && e->info().lifecycle_state == "ACTIVE" && !e->ready()) ready = false;
    }
    call.ReplyJson(ready ? 200 : 503, Json{{"ready", ready}});
    return OkStatus();
  });
  router.Add("GET", "/v2", open, [](Call& call) -> Status {
    Json out = Json::object();
    out["name"] = "ads";
    out["version"] = std::string(kAdsVersion);
    out["extensions"] = Json::array({"binary_tensor_data"});
    call.ReplyJson(200, out);
    return OkStatus();
  });
  AddKserveModelRoutes(router, plane, "/v2/models/{name}");
  AddKserveModelRoutes(router, plane, "/v2/models/{name}/versions/{version}");

  router.Add("GET", "/metrics", open, [plane](Call& call) -> Status {
    call.response.status = 200;
    call.response.headers["content-type"] = "text/plain; version=0.0.4; charset=utf-8";
    call.response.body = RenderMetrics(plane->endpoints());
    return OkStatus();
  });
}

}  // namespace ads::server
