// /metrics: the Prometheus text exposition format (version 0.0.4) of the
// predict path (serving/metrics.h, per deployment) and of the process.
//
//   server::MetricsText text;
//   text.Family("ads_predict_requests_total", "counter", "Predict calls by status class.");
//   text.Sample("ads_predict_requests_total", {{"deployment", id}, {"code", "2xx"}}, 12);
//   std::string page = RenderMetrics(directory);   // what GET /metrics answers
//
// Every family is written whole (HELP, TYPE, then all of its samples), as the
// format requires; label values are escaped. `promtool check metrics` accepts
// the result (predict_routes_test runs it).
//
// Thread-safety: MetricsText is not shared; RenderMetrics may run from any
// thread (it only reads atomic counters).
#ifndef ADS_SERVER_METRICS_H_
#define ADS_SERVER_METRICS_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "serving/endpoint.h"
#include "serving/metrics.h"

namespace ads::server {

using MetricLabels = std::vector<std::pair<std::string_view, std::string_view>>;

class MetricsText {
 public:
  // The # HELP and # TYPE lines ("counter", "gauge", "histogram").
  void Family(std::string_view name, std::string_view type, std::string_view help);
  void Sample(std::string_view name, const MetricLabels& labels, double value);
  // name_bucket{le=...} (cumulative, +Inf last), name_sum, name_count;
  // observations are divided by `scale` (1e9 for nanoseconds -> seconds).
  void HistogramSamples(std::string_view name, const MetricLabels& labels,
                        const serving::Histogram::Snapshot& snapshot, double scale);
  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

// "\\" -> "\\\\", "\"" -> "\\\"", newline -> "\\n".
std::string EscapeLabelValue(std::string_view value);
// Prometheus' number syntax: shortest round-trip decimal, +Inf, -Inf, NaN.
std::string FormatMetricValue(double value);

// Per deployment (every one `endpoints` lists): requests and errors by status
// class, latency, batch sizes, queue time, bandwidth refusals, bytes, worker
// restarts, model swaps, readiness; and process basics (CPU, memory, fds,
// threads, start time).
std::string RenderMetrics(serving::EndpointDirectory& endpoints);

}  // namespace ads::server

#endif  // ADS_SERVER_METRICS_H_
