#include "serving/metrics.h"

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

namespace ads::serving {

size_t MetricShard() {
  // Hashing the thread id once per thread spreads connection threads over
  // the shards without a shared counter.
  thread_local const size_t shard = std::hash<std::thread::id>{}(std::this_thread::get_id()) % kMetricShards;
  return shard;
}

uint64_t Counter::Value() const {
  uint64_t total = 0;
  for (const Shard& s : shards_) total += s.value.load(std::memory_order_relaxed);
  return total;
}

Histogram::Histogram(std::vector<uint64_t> bounds) : bounds_(std::move(bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  if (bounds_.size() + 1 > kMaxBuckets) bounds_.resize(kMaxBuckets - 1);
}

void Histogram::Observe(uint64_t value) {
  // A handful of bounds: a linear scan beats a binary search's branches.
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  Shard& s = shards_[MetricShard()];
  s.buckets[i].fetch_add(1, std::memory_order_relaxed);
  s.sum.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snap;
  snap.bounds = bounds_;
  snap.cumulative.assign(bounds_.size() + 1, 0);
  for (const Shard& s : shards_) {
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      snap.cumulative[i] += s.buckets[i].load(std::memory_order_relaxed);
    }
    snap.sum += s.sum.load(std::memory_order_relaxed);
  }
  for (size_t i = 1; i < snap.cumulative.size(); ++i) snap.cumulative[i] += snap.cumulative[i - 1];
  snap.count = snap.cumulative.back();
  return snap;
}

std::vector<uint64_t> LatencyBucketsNs() {
  constexpr uint64_t kUs = 1000;
  return {100 * kUs,       250 * kUs,        500 * kUs,        1000 * kUs,
          2500 * kUs,      5000 * kUs,       10000 * kUs,      25000 * kUs,
          50000 * kUs,     100000 * kUs,     250000 * kUs,     500000 * kUs,
          1000000 * kUs,   2500000 * kUs,    5000000 * kUs,    10000000 * kUs};
}

std::vector<uint64_t> BatchRowBuckets() { return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}; }

StatusClass ClassOf(int http_status) {
  if (http_status >= 200 && http_status < 300) return StatusClass::k2xx;
  if (http_status >= 400 && http_status < 500) return StatusClass::k4xx;
  if (http_status >= 500 && http_status < 600) return StatusClass::k5xx;
  return StatusClass::kOther;
}

namespace {

struct MetricsMap {
  std::shared_mutex mu;
  std::map<std::string, std::shared_ptr<DeploymentMetrics>, std::less<>> by_id;
};

MetricsMap& Map() {
  static MetricsMap* map = new MetricsMap;  // never destroyed: used until exit
  return *map;
}

}  // namespace

std::shared_ptr<DeploymentMetrics> MetricsFor(std::string_view deployment_id) {
  MetricsMap& map = Map();
  {
    std::shared_lock lock(map.mu);
    auto it = map.by_id.find(deployment_id);
    if (it != map.by_id.end()) return it->second;
  }
  std::unique_lock lock(map.mu);
  auto [it, inserted] = map.by_id.try_emplace(std::string(deployment_id));
  if (inserted) it->second = std::make_shared<DeploymentMetrics>();
  return it->second;
}

BatchOptions WithBatchMetrics(BatchOptions options, std::string_view deployment_id) {
  std::shared_ptr<DeploymentMetrics> m = MetricsFor(deployment_id);
  options.on_batch = [m, next = std::move(options.on_batch)](int rows) {
    m->batch_rows.Observe(static_cast<uint64_t>(std::max(rows, 0)));
    if (next) next(rows);
  };
  options.on_queue_wait = [m, next = std::move(options.on_queue_wait)](std::chrono::microseconds waited) {
    m->queue_wait.Observe(static_cast<uint64_t>(std::max<int64_t>(waited.count(), 0)) * 1000);
    if (next) next(waited);
  };
  return options;
}

}  // namespace ads::serving
