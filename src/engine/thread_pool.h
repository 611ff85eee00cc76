// ThreadPool: a small fixed pool for intra-op parallelism in kernels.
//
//   ThreadPool pool(4);
//   pool.ParallelFor(rows, /*min_chunk=*/64, [&](int64_t begin, int64_t end) {
//     for (int64_t r = begin; r < end; ++r) Work(r);
//   });
//
// ParallelFor splits [0, n) into chunks, runs them on the workers and on the
// calling thread, and returns when all are done. The caller helps run queued
// chunks while it waits, so nested or concurrent ParallelFor calls cannot
// deadlock. A pool of 1 thread has no workers and runs everything inline.
//
// Thread-safety: ParallelFor may be called from many threads at once.
#ifndef ADS_ENGINE_THREAD_POOL_H_
#define ADS_ENGINE_THREAD_POOL_H_

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ads::engine {

class ThreadPool {
 public:
  // `threads` <= 0 means one per hardware thread.
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int threads() const { return threads_; }

  // Runs fn(begin, end) over disjoint ranges covering [0, n). Ranges have at
  // least `min_chunk` items (except the last), so tiny loops stay inline.
  void ParallelFor(int64_t n, int64_t min_chunk,
                   const std::function<void(int64_t, int64_t)>& fn);

  static int DefaultThreadCount();

 private:
  void WorkerLoop();
  bool RunOneQueued();  // runs one queued task if any; true if it did

  int threads_;
  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // GUARDED_BY(mu_)
  bool stop_ = false;                        // GUARDED_BY(mu_)
};

}  // namespace ads::engine

#endif  // ADS_ENGINE_THREAD_POOL_H_
