// Arena: the reusable buffers of one run, and ArenaPool: the arenas of one
// executor, checked out one per concurrent Run.
//
//   ArenaPool pool;
//   std::shared_ptr<Arena> arena = pool.CheckOut();
//   auto t = Tensor::MakeUninitialized(DataType::kFloat, {64, 256}, arena);
//   ...                                    // t dropped: its buffer is free again
//   pool.CheckIn(std::move(arena));        // trims buffers this run did not use
//
// The executor frees every intermediate value after its last reader (the
// lifetimes computed over the topological order at load), and a kernel's
// output buffer is taken from the arena's free list of that exact size when
// one is there. So a run reuses the buffers of values that are already dead,
// the arena grows to the peak of live bytes of the plan (a chain of N
// same-size ops needs ~2 buffers, not N), and from the second run with the
// same input shapes on, a run allocates nothing from the heap and touches no
// fresh pages. When the input shapes change, CheckIn frees the buffers the
// last run did not use, so an arena holds at most what its last two runs
// needed at their peaks.
//
// Thread-safety: Arena's methods lock a mutex (a tensor may be dropped on any
// thread, e.g. by a kernel's worker); one Run uses one arena at a time.
// ArenaPool is safe to use from many threads.
#ifndef ADS_ENGINE_ARENA_H_
#define ADS_ENGINE_ARENA_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/tensor.h"

namespace ads::engine {

class Arena : public BufferAllocator {
 public:
  struct Stats {
    size_t in_use = 0;            // bytes handed out and not yet freed
    size_t peak_in_use = 0;       // the maximum of in_use since the arena was made
    size_t reserved = 0;          // bytes held from the heap (in use + free)
    size_t heap_allocations = 0;  // buffers taken from the heap so far
  };

  Arena() = default;
  ~Arena() override;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  void* Allocate(size_t bytes) override;
  void Free(void* p, size_t bytes) override;

  // Ends a run: frees the free buffers no allocation asked for since the
  // previous EndRun.
  void EndRun();
  Stats stats() const;

 private:
  struct Buffer {
    void* p = nullptr;
    uint64_t epoch = 0;  // the run that last used it
  };
  mutable std::mutex mu_;
  std::map<size_t, std::vector<Buffer>> free_;  // by size
  uint64_t epoch_ = 1;
  Stats stats_;
};

class ArenaPool {
 public:
  // An idle arena, or a new one.
  std::shared_ptr<Arena> CheckOut();
  // Returns an arena after its run (EndRun is called here).
  void CheckIn(std::shared_ptr<Arena> arena);
  // Arenas idle in the pool (for tests).
  std::vector<std::shared_ptr<Arena>> Idle() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Arena>> idle_;
};

}  // namespace ads::engine

#endif  // ADS_ENGINE_ARENA_H_
