#include "engine/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <memory>

namespace ads::engine {

int ThreadPool::DefaultThreadCount() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

ThreadPool::ThreadPool(int threads) : threads_(threads <= 0 ? DefaultThreadCount() : threads) {
  for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

bool ThreadPool::RunOneQueued() {
  std::function<void()> task;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.empty()) return false;
    task = std::move(queue_.front());
    queue_.pop_front();
  }
  task();
  return true;
}

void ThreadPool::ParallelFor(int64_t n, int64_t min_chunk,
                             const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  min_chunk = std::max<int64_t>(min_chunk, 1);
  const int64_t max_chunks = std::min<int64_t>(threads_, (n + min_chunk - 1) / min_chunk);
  if (max_chunks <= 1 || workers_.empty()) {
    fn(0, n);
    return;
  }
  const int64_t chunk = (n + max_chunks - 1) / max_chunks;
  struct Shared {
    std::atomic<int64_t> remaining{0};
    std::mutex mu;
    std::condition_variable done;
  };
  auto shared = std::make_shared<Shared>();
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (int64_t b = 0; b < n; b += chunk) ranges.emplace_back(b, std::min(n, b + chunk));
  shared->remaining = static_cast<int64_t>(ranges.size()) - 1;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 1; i < ranges.size(); ++i) {
      const int64_t b = ranges[i].first, e = ranges[i].second;  // clang 14: no captured bindings
      queue_.emplace_back([shared, &fn, b, e] {
        fn(b, e);
        if (shared->remaining.fetch_sub(1) == 1) {
          std::lock_guard<std::mutex> l(shared->mu);
          shared->done.notify_all();
        }
      });
    }
  }
  cv_.notify_all();
  fn(ranges[0].first, ranges[0].second);
  while (shared->remaining.load() > 0) {
    if (RunOneQueued()) continue;
    std::unique_lock<std::mutex> l(shared->mu);
    shared->done.wait_for(l, std::chrono::milliseconds(1),
                          [&] { return shared->remaining.load() == 0; });
  }
}

}  // namespace ads::engine
