#include "server/metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace ads::server {
namespace {

void AppendLabels(const MetricLabels& labels, std::string_view extra_name, std::string_view extra_value,
                  std::string* out) {
  if (labels.empty() && extra_name.empty()) return;
  out->push_back('{');
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out->push_back(',');
    first = false;
    out->append(name);
    out->append("=\"");
    out->append(EscapeLabelValue(value));
    out->push_back('"');
  }
  if (!extra_name.empty()) {
    if (!first) out->push_back(',');
    out->append(extra_name);
    out->append("=\"");
    out->append(extra_value);
    out->push_back('"');
  }
  out->push_back('}');
}

// Process figures from /proc (Linux); absent ones are skipped.
struct ProcessStats {
  double cpu_seconds = -1;
  double resident_bytes = -1;
  double virtual_bytes = -1;
  double start_time_seconds = -1;
  double threads = -1;
  double open_fds = -1;
};

ProcessStats ReadProcessStats() {
  ProcessStats s;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream stat("/proc/self/stat");
  std::string line;
  if (std::getline(stat, line)) {
    // Fields after the command name, which is in parentheses and may hold spaces.
    const size_t close = line.rfind(')');
    if (close != std::string::npos) {
      std::istringstream rest(line.substr(close + 2));
      std::vector<std::string> f;
      for (std::string field; rest >> field;) f.push_back(field);
      // f[0] is field 3 (state): field n is f[n - 3].
      if (f.size() > 21) {
        s.cpu_seconds = (std::stod(f[14 - 3]) + std::stod(f[15 - 3])) / ticks;
        s.threads = std::stod(f[20 - 3]);
        s.virtual_bytes = std::stod(f[23 - 3]);
        s.resident_bytes = std::stod(f[24 - 3]) * static_cast<double>(sysconf(_SC_PAGESIZE));
        std::ifstream proc_stat("/proc/stat");
        for (std::string l; std::getline(proc_stat, l);) {
          if (l.starts_with("btime ")) {
            s.start_time_seconds = std::stod(l.substr(6)) + std::stod(f[22 - 3]) / ticks;
            break;
          }
        }
      }
    }
  }
  if (DIR* dir = opendir("/proc/self/fd")) {
    int n = 0;
    while (dirent* e = readdir(dir)) {
      if (e->d_name[0] != '.') ++n;
    }
    closedir(dir);
    s.open_fds = n - 1;  // the directory being read
  }
  return s;
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 32> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  return std::string(buf.data(), end);
}

void MetricsText::Family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  out_ += help;
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void MetricsText::Sample(std::string_view name, const MetricLabels& labels, double value) {
  out_ += name;
  AppendLabels(labels, "", "", &out_);
  out_ += ' ';
  out_ += FormatMetricValue(value);
  out_ += '\n';
}

void MetricsText::HistogramSamples(std::string_view name, const MetricLabels& labels,
                                   const serving::Histogram::Snapshot& snapshot, double scale) {
  const std::string bucket = std::string(name) + "_bucket";
  for (size_t i = 0; i < snapshot.cumulative.size(); ++i) {
    const std::string le = i < snapshot.bounds.size()
                               ? FormatMetricValue(static_cast<double>(snapshot.bounds[i]) / scale)
                               : "+Inf";
    out_ += bucket;
    AppendLabels(labels, "le", le, &out_);
    out_ += ' ';
    out_ += FormatMetricValue(static_cast<double>(snapshot.cumulative[i]));
    out_ += '\n';
  }
  Sample(std::string(name) + "_sum", labels, static_cast<double>(snapshot.sum) / scale);
  Sample(std::string(name) + "_count", labels, static_cast<double>(snapshot.count));
}

std::string RenderMetrics(serving::EndpointDirectory& endpoints) {
  struct Row {
    serving::EndpointInfo info;
    bool ready = false;
    serving::EndpointStats stats;
    std::shared_ptr<serving::DeploymentMetrics> m;
  };
  std::vector<Row> rows;
  for (const std::shared_ptr<serving::Endpoint>& e : endpoints.All()) {
    if (!e) continue;
    Row row{e->info(), e->ready(), e->stats(), nullptr};
    row.m = serving::MetricsFor(row.info.id);
    rows.push_back(std::move(row));
  }

  MetricsText t;
  constexpr std::array<std::string_view, 4> kClasses = {"2xx", "4xx", "5xx", "other"};
  t.Family("ads_predict_requests_total", "counter",
           "Predict and KServe infer calls per deployment, by HTTP status class.");
  for (const Row& r : rows) {
    for (size_t c = 0; c < kClasses.size(); ++c) {
      t.Sample("ads_predict_requests_total", {{"deployment", r.info.id}, {"code", kClasses[c]}},
               static_cast<double>(r.m->requests[c].Value()));
    }
  }
  t.Family("ads_predict_errors_total", "counter",
           "Predict and KServe infer calls per deployment that failed, by HTTP status class.");
  for (const Row& r : rows) {
    for (size_t c : {size_t{1}, size_t{2}}) {
      t.Sample("ads_predict_errors_total", {{"deployment", r.info.id}, {"code", kClasses[c]}},
               static_cast<double>(r.m->requests[c].Value()));
    }
  }
  t.Family("ads_predict_throttled_total", "counter",
           "Calls refused with 429 because the deployment's bandwidth was used up.");
  for (const Row& r : rows) {
    t.Sample("ads_predict_throttled_total", {{"deployment", r.info.id}},
             static_cast<double>(r.m->throttled.Value()));
  }
  t.Family("ads_predict_request_bytes_total", "counter", "Request body bytes of predict calls.");
  for (const Row& r : rows) {
    t.Sample("ads_predict_request_bytes_total", {{"deployment", r.info.id}},
             static_cast<double>(r.m->bytes_in.Value()));
  }
  t.Family("ads_predict_response_bytes_total", "counter", "Response body bytes of predict calls.");
  for (const Row& r : rows) {
    t.Sample("ads_predict_response_bytes_total", {{"deployment", r.info.id}},
             static_cast<double>(r.m->bytes_out.Value()));
  }
  t.Family("ads_predict_latency_seconds", "histogram",
           "Time from a predict call's arrival (body read) to its answer.");
  for (const Row& r : rows) {
    t.HistogramSamples("ads_predict_latency_seconds", {{"deployment", r.info.id}}, r.m->latency.Read(), 1e9);
  }
  t.Family("ads_predict_batch_rows", "histogram",
           "Rows per call of the model when dynamic batching is on.");
  for (const Row& r : rows) {
    t.HistogramSamples("ads_predict_batch_rows", {{"deployment", r.info.id}}, r.m->batch_rows.Read(), 1);
  }
  t.Family("ads_predict_queue_wait_seconds", "histogram",
           "Time a predict call waited in the batching queue.");
  for (const Row& r : rows) {
    t.HistogramSamples("ads_predict_queue_wait_seconds", {{"deployment", r.info.id}}, r.m->queue_wait.Read(), 1e9);
  }
  t.Family("ads_deployment_worker_restarts_total", "counter", "Python score.py workers replaced.");
  for (const Row& r : rows) {
    t.Sample("ads_deployment_worker_restarts_total", {{"deployment", r.info.id}},
             static_cast<double>(r.stats.worker_restarts));
  }
  t.Family("ads_deployment_model_swaps_total", "counter", "Models swapped in while the deployment served.");
  for (const Row& r : rows) {
    t.Sample("ads_deployment_model_swaps_total", {{"deployment", r.info.id}},
             static_cast<double>(r.stats.model_swaps));
  }
  t.Family("ads_deployment_ready", "gauge", "1 when the deployment is ACTIVE with its model loaded.");
  for (const Row& r : rows) {
    t.Sample("ads_deployment_ready", {{"deployment", r.info.id}}, r.ready ? 1 : 0);
  }
  t.Family("ads_deployment_info", "gauge",
           "Constant 1, labelled with the deployment's name, model, runtime and lifecycle state.");
  for (const Row& r : rows) {
    t.Sample("ads_deployment_info",
             {{"deployment", r.info.id},
              {"display_name", r.info.display_name},
              {"model", r.info.model_id},
              {"runtime", r.info.runtime},
              {"state", r.info.lifecycle_state}},
             1);
  }

  const ProcessStats p = ReadProcessStats();
  auto process = [&](std::string_view name, std::string_view type, std::string_view help, double v) {
    if (v < 0) return;
    t.Family(name, type, help);
    t.Sample(name, {}, v);
  };
  process("process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.", p.cpu_seconds);
  process("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", p.resident_bytes);
  process("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", p.virtual_bytes);
  process("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
          p.start_time_seconds);
  process("process_open_fds", "gauge", "Number of open file descriptors.", p.open_fds);
  process("process_threads", "gauge", "Number of OS threads in the process.", p.threads);
  return t.text();
}

}  // namespace ads::server
