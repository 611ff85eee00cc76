// Counters and histograms of the predict path, per deployment, kept where
// both the control plane (which builds the batcher and sees its batches) and
// the data plane routes (which see each request) can reach them. The server
// renders them in the Prometheus text format (src/server/metrics.h).
//
//   std::shared_ptr<DeploymentMetrics> m = serving::MetricsFor(deployment_id);
//   m->latency.Observe(elapsed_ns);
//   options = serving::WithBatchMetrics(std::move(options), deployment_id);
//
// The hot path never takes a lock: every counter is split into shards (one
// cache line each), a thread adds to its own shard with a relaxed atomic add,
// and a reader sums the shards. Readers may see a request counted in one
// series before another; Prometheus tolerates that.
//
// Thread-safety: everything may be called from any thread.
#ifndef ADS_SERVING_METRICS_H_
#define ADS_SERVING_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "serving/batcher.h"

namespace ads::serving {

inline constexpr size_t kMetricShards = 8;

// The shard of the calling thread (stable for the thread's life).
size_t MetricShard();

class Counter {
 public:
  void Add(uint64_t n = 1) {
    shards_[MetricShard()].value.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t Value() const;

 private:
  struct alignas(64) Shard {
    std::atomic<uint64_t> value{0};
  };
  std::array<Shard, kMetricShards> shards_;
};

// Fixed buckets over integer observations (nanoseconds, rows): a value v
// falls in the first bucket with v <= bound. The last, implicit bucket is
// +Inf.
class Histogram {
 public:
  explicit Histogram(std::vector<uint64_t> bounds);
  void Observe(uint64_t value);

  struct Snapshot {
    std::vector<uint64_t> bounds;
    std::vector<uint64_t> cumulative;  // bounds.size() + 1 entries (+Inf last)
    uint64_t count = 0;
    uint64_t sum = 0;
  };
  Snapshot Read() const;
  const std::vector<uint64_t>& bounds() const { return bounds_; }

 private:
  static constexpr size_t kMaxBuckets = 24;
  struct alignas(64) Shard {
    std::array<std::atomic<uint64_t>, kMaxBuckets> buckets{};
    std::atomic<uint64_t> sum{0};
  };
  std::vector<uint64_t> bounds_;
  std::array<Shard, kMetricShards> shards_;
};

// Latency buckets in nanoseconds: 100 us ... 10 s.
std::vector<uint64_t> LatencyBucketsNs();
// Batch size buckets in rows: 1, 2, 4, ... 1024.
std::vector<uint64_t> BatchRowBuckets();

// HTTP status classes counted per deployment.
enum class StatusClass { k2xx, k4xx, k5xx, kOther };
StatusClass ClassOf(int http_status);

struct DeploymentMetrics {
  std::array<Counter, 4> requests;  // by StatusClass
  Histogram latency{LatencyBucketsNs()};          // whole predict call, ns
  Histogram batch_rows{BatchRowBuckets()};        // rows per inner batched call
  Histogram queue_wait{LatencyBucketsNs()};       // time in the batch queue, ns
  Counter bytes_in;
  Counter bytes_out;
  Counter throttled;  // 429s for bandwidth
};

// The metrics of one deployment (created on first use, kept for the
// process's life: a deleted deployment's few hundred bytes stay, and /metrics
// shows only deployments the directory still lists).
std::shared_ptr<DeploymentMetrics> MetricsFor(std::string_view deployment_id);

// `options` with on_batch / on_queue_wait feeding MetricsFor(deployment_id)
// (chained after any observers already set).
BatchOptions WithBatchMetrics(BatchOptions options, std::string_view deployment_id);

}  // namespace ads::serving

#endif  // ADS_SERVING_METRICS_H_
