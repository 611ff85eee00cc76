// WithBatching: under concurrency every caller gets byte for byte the answer
// its own call gives (real iris ONNX and XGBoost predictors), batches of
// more than one row do form, and members of a failed batch still get their
// own answers. A small counting predictor stands in only where a behaviour
// (a failure inside a merged batch, an output without a row axis) cannot be
// provoked with a real model.
#include "serving/batcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include "runtime/test_artifact.h"
#include "serving/metrics.h"

namespace ads::serving {
namespace {

using runtime::testing_util::kSource;
using runtime::testing_util::TempDir;
using ::testing::HasSubstr;

std::shared_ptr<runtime::Predictor> LoadModel(const TempDir& dir, const std::string& from,
                                              const std::string& name) {
  runtime::testing_util::CopyFile(from, dir / name);
  auto p = runtime::LoadPredictor(*Env::Default(), dir.path(), {.threads = 1});
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::shared_ptr<runtime::Predictor>(std::move(*p)) : nullptr;
}

// Bodies of 1-3 rows of `cols` numbers, some as ADS's {"data", "data_type"}
// wrapper, some with integer-only rows.
std::vector<std::string> Bodies(int count, int cols, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> value(0.1, 7.5);
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    const int rows = 1 + static_cast<int>(rng() % 3);
    std::string list = "[";
    for (int r = 0; r < rows; ++r) {
      list += r ? ", [" : "[";
      for (int c = 0; c < cols; ++c) {
        if (c) list += ", ";
        if (i % 7 == 3) {
          list += std::to_string(1 + rng() % 6);
        } else {
          list += std::to_string(static_cast<int>(value(rng) * 10) / 10.0).substr(0, 3);
        }
      }
      list += "]";
    }
    list += "]";
    out.push_back(i % 5 == 1 ? R"({"data": )" + list + R"(, "data_type": "<class 'list'>"})" : list);
  }
  return out;
}

struct Observed {
  std::mutex mu;
  std::vector<int> batches;
  int waits = 0;
  int max_batch() {
    std::lock_guard lock(mu);
    int m = 0;
    for (int b : batches) m = std::max(m, b);
    return m;
  }
};

BatchOptions Options(Observed& seen, int max_batch = 16, int delay_us = 2000) {
  return {.max_batch_size = max_batch,
          .max_queue_delay = std::chrono::microseconds(delay_us),
          .on_batch = [&seen](int rows) {
            std::lock_guard lock(seen.mu);
            seen.batches.push_back(rows);
          },
          .on_queue_wait = [&seen](std::chrono::microseconds) {
            std::lock_guard lock(seen.mu);
            ++seen.waits;
          }};
}

// Sends every body from `threads` threads at once through `p`; each answer
// (body or error message) must equal `expected[i]`.
void Hammer(runtime::Predictor& p, const std::vector<std::string>& bodies,
            const std::vector<std::string>& expected, int threads) {
  std::atomic<size_t> next{0};
  std::atomic<int> wrong{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < bodies.size();) {
        auto r = p.Predict({.body = bodies[i]});
        const std::string got = r.ok() ? r->body : "error: " + r.status().message();
        if (got != expected[i]) {
          ADD_FAILURE() << "body " << bodies[i] << "\n got " << got << "\nwant " << expected[i];
          ++wrong;
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

std::vector<std::string> Unbatched(const runtime::Predictor& p, const std::vector<std::string>& bodies) {
  std::vector<std::string> out;
  for (const std::string& b : bodies) {
    auto r = p.Predict({.body = b});
    out.push_back(r.ok() ? r->body : "error: " + r.status().message());
  }
  return out;
}

TEST(BatcherTest, NoBatchingReturnsTheInnerPredictor) {
  TempDir dir;
  auto inner = LoadModel(dir, kSource + "/examples/iris/model.onnx", "model.onnx");
  ASSERT_TRUE(inner);
  EXPECT_EQ(WithBatching(inner, {.max_batch_size = 1}), inner);
  EXPECT_EQ(WithBatching(inner, {}), inner);
}

TEST(BatcherTest, IrisOnnxAnswersAreTheUnbatchedOnesAndBatchesForm) {
  TempDir dir;
  auto inner = LoadModel(dir, kSource + "/examples/iris/model.onnx", "model.onnx");
  ASSERT_TRUE(inner);
  const std::vector<std::string> bodies = Bodies(400, 4, 7);
  const std::vector<std::string> expected = Unbatched(*inner, bodies);
  ASSERT_THAT(expected[0], HasSubstr("\"prediction\""));
  Observed seen;
  auto batched = WithBatching(inner, Options(seen));
  ASSERT_NE(batched, inner);
  EXPECT_EQ(batched->kind(), runtime::RuntimeKind::kOnnx);
  Hammer(*batched, bodies, expected, 12);
  EXPECT_GT(seen.max_batch(), 1) << "no batch of more than one row formed";
  EXPECT_LE(seen.max_batch(), 16);
  EXPECT_GT(seen.waits, 0);
}

TEST(BatcherTest, XgboostAnswersAreTheUnbatchedOnes) {
  TempDir dir;
  auto inner = LoadModel(dir, kSource + "/tests/data/models/xgb_classifier.json", "model.json");
  ASSERT_TRUE(inner);
  const std::vector<std::string> bodies = Bodies(300, 6, 11);
  const std::vector<std::string> expected = Unbatched(*inner, bodies);
  ASSERT_THAT(expected[0], HasSubstr("\"prediction\""));
  Observed seen;
  auto batched = WithBatching(inner, Options(seen, 8));
  Hammer(*batched, bodies, expected, 12);
  EXPECT_GT(seen.max_batch(), 1);
  EXPECT_LE(seen.max_batch(), 8);
}

TEST(BatcherTest, BadAndUnmergeablePayloadsGetTheirOwnAnswers) {
  TempDir dir;
  auto inner = LoadModel(dir, kSource + "/examples/iris/model.onnx", "model.onnx");
  ASSERT_TRUE(inner);
  std::vector<std::string> bodies = Bodies(120, 4, 3);
  // Wrong widths, malformed JSON, a DataFrame dict and a flat list mixed in.
  for (size_t i = 0; i < bodies.size(); i += 6) bodies[i] = "[[1.0, 2.0, 3.0]]";
  for (size_t i = 2; i < bodies.size(); i += 11) bodies[i] = "[[1.0, 2.0, 3.0, 4.0]";
  for (size_t i = 4; i < bodies.size(); i += 13) {
    bodies[i] = R"({"sepal_length": [5.1], "sepal_width": [3.5], "petal_length": [1.4], "petal_width": [0.2]})";
  }
  const std::vector<std::string> expected = Unbatched(*inner, bodies);
  EXPECT_THAT(expected[0], HasSubstr("error"));
  EXPECT_THAT(expected[2], HasSubstr("error"));
  Observed seen;
  auto batched = WithBatching(inner, Options(seen));
  Hammer(*batched, bodies, expected, 10);
}

// Answers {"prediction": [row sums]} (or a scalar), failing on any 13.
class SumPredictor : public runtime::Predictor {
 public:
  explicit SumPredictor(bool scalar) : scalar_(scalar) {}
  runtime::RuntimeKind kind() const override { return runtime::RuntimeKind::kOnnx; }
  Result<runtime::PredictResponse> Predict(const runtime::PredictRequest& request) const override {
    calls_.fetch_add(1);
    ADS_ASSIGN_OR_RETURN(Json doc, ParseJson(request.body));
    if (scalar_) return runtime::PredictResponse{.body = R"({"prediction": 42})"};
    std::string out = R"({"prediction": [)";
    for (size_t r = 0; r < doc.size(); ++r) {
      double sum = 0;
      for (const Json& v : doc[r]) {
        if (v.get<double>() == 13) return InvalidArgumentError("unlucky row " + doc[r].dump());
        sum += v.get<double>();
      }
      out += (r ? ", " : "") + PythonFloatRepr(sum);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // a model that takes a while
    return runtime::PredictResponse{.body = out + "]}"};
  }
  mutable std::atomic<int> calls_{0};

 private:
  const bool scalar_;
};

TEST(BatcherTest, AFailedBatchLetsEveryMemberRunAlone) {
  auto inner = std::make_shared<SumPredictor>(false);
  std::vector<std::string> bodies;
  for (int i = 0; i < 200; ++i) {
    bodies.push_back(i % 9 == 0 ? "[[13, 1], [2, 2]]" : "[[" + std::to_string(i) + ", 0.5]]");
  }
  const std::vector<std::string> expected = Unbatched(*inner, bodies);
  EXPECT_EQ(expected[0], "error: unlucky row [13,1]");
  EXPECT_EQ(expected[1], R"({"prediction": [1.5]})");
  Observed seen;
  auto batched = WithBatching(inner, Options(seen, 32, 1000));
  Hammer(*batched, bodies, expected, 16);
  EXPECT_GT(seen.max_batch(), 1);
}

TEST(BatcherTest, AnOutputWithoutARowAxisStopsBatching) {
  auto inner = std::make_shared<SumPredictor>(true);
  std::vector<std::string> bodies(100, "[[1, 2]]");
  const std::vector<std::string> expected(100, R"({"prediction": 42})");
  Observed seen;
  auto batched = WithBatching(inner, Options(seen, 32, 1000));
  Hammer(*batched, bodies, expected, 8);
  // After the first merged answer shows no row axis, each call runs alone:
  // at most a handful of merged calls (those already queued) came first.
  EXPECT_GE(inner->calls_.load(), 100);
}

TEST(BatcherTest, MetricsObserversCountBatchesAndWaits) {
  // A model that takes a while, so that calls queue behind each other.
  auto inner = std::make_shared<SumPredictor>(false);
  auto batched = WithBatching(inner, WithBatchMetrics({.max_batch_size = 8,
                                                       .max_queue_delay = std::chrono::microseconds(1000)},
                                                      "ocid1.datasciencemodeldeployment.oc1..batchtest"));
  auto m = MetricsFor("ocid1.datasciencemodeldeployment.oc1..batchtest");
  const Histogram::Snapshot before = m->batch_rows.Read();
  const uint64_t waits_before = m->queue_wait.Read().count;
  std::vector<std::string> bodies;
  for (int i = 0; i < 100; ++i) bodies.push_back("[[" + std::to_string(i + 20) + ", 1]]");  // no 13
  Hammer(*batched, bodies, Unbatched(*inner, bodies), 8);
  const Histogram::Snapshot rows = m->batch_rows.Read();
  EXPECT_GT(rows.count, before.count);
  EXPECT_LT(rows.count - before.count, 100u) << "some calls were merged";
  EXPECT_EQ(rows.sum - before.sum, 100u);  // every request's row, once
  EXPECT_GT(m->queue_wait.Read().count, waits_before);
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Histogram h({10, 20, 30});
  for (uint64_t v : {5, 10, 11, 25, 31, 1000}) h.Observe(v);
  const Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 3, 4, 6}));
  EXPECT_EQ(s.count, 6u);
  EXPECT_EQ(s.sum, 5u + 10 + 11 + 25 + 31 + 1000);
  Counter c;
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t) pool.emplace_back([&] { for (int i = 0; i < 1000; ++i) c.Add(); });
  for (auto& t : pool) t.join();
  EXPECT_EQ(c.Value(), 4000u);
}

}  // namespace
}  // namespace ads::serving
