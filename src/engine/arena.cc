#include "engine/arena.h"

#include <algorithm>
#include <iterator>
#include <new>

namespace ads::engine {

namespace {
constexpr size_t kAlignment = 64;
}  // namespace

Arena::~Arena() {
  for (auto& [size, buffers] : free_) {
    for (const Buffer& b : buffers) ::operator delete(b.p, std::align_val_t(kAlignment));
  }
}

void* Arena::Allocate(size_t bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = free_.find(bytes);
    if (it != free_.end() && !it->second.empty()) {
      void* p = it->second.back().p;
      it->second.pop_back();
      stats_.in_use += bytes;
      stats_.peak_in_use = std::max(stats_.peak_in_use, stats_.in_use);
      return p;
    }
  }
  void* p = ::operator new(bytes, std::align_val_t(kAlignment), std::nothrow);
  if (p == nullptr) return nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  stats_.in_use += bytes;
  stats_.reserved += bytes;
  stats_.peak_in_use = std::max(stats_.peak_in_use, stats_.in_use);
  ++stats_.heap_allocations;
  return p;
}

void Arena::Free(void* p, size_t bytes) {
  std::lock_guard<std::mutex> lock(mu_);
  stats_.in_use -= bytes;
  free_[bytes].push_back({p, epoch_});
}

void Arena::EndRun() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = free_.begin(); it != free_.end();) {
    std::vector<Buffer>& buffers = it->second;
    size_t kept = 0;
    for (const Buffer& b : buffers) {
      if (b.epoch == epoch_) {
        buffers[kept++] = b;
      } else {
        ::operator delete(b.p, std::align_val_t(kAlignment));
        stats_.reserved -= it->first;
      }
    }
    buffers.resize(kept);
    it = buffers.empty() ? free_.erase(it) : std::next(it);
  }
  ++epoch_;
}

Arena::Stats Arena::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

std::shared_ptr<Arena> ArenaPool::CheckOut() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      std::shared_ptr<Arena> a = std::move(idle_.back());
      idle_.pop_back();
      return a;
    }
  }
  return std::make_shared<Arena>();
}

void ArenaPool::CheckIn(std::shared_ptr<Arena> arena) {
  arena->EndRun();
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(std::move(arena));
}

std::vector<std::shared_ptr<Arena>> ArenaPool::Idle() const {
  std::lock_guard<std::mutex> lock(mu_);
  return idle_;
}

}  // namespace ads::engine
