// A one-line progress bar on stderr for artifact transfers:
//   uploading  [##########..........]  52%  1.1 GiB / 2.1 GiB  48.3 MiB/s
// Shown only when stderr is a terminal and the transfer is large enough to be
// worth watching; otherwise every call is a no-op, so pipes and tests see
// nothing.
//
//   ProgressBar bar("uploading", total);
//   bar.Update(done, total);   // from any thread
//   bar.Finish();
//
// Thread-safety: Update and Finish may be called from several threads.
#ifndef ADS_CLI_PROGRESS_H_
#define ADS_CLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace ads::cli {

// Transfers smaller than this get no bar.
inline constexpr uint64_t kProgressMinBytes = 4ULL << 20;

class ProgressBar {
 public:
  ProgressBar(std::string label, uint64_t total);
  ~ProgressBar();
  void Update(uint64_t done, uint64_t total);
  // Draws 100% and ends the line (once).
  void Finish();
  bool enabled() const { return enabled_; }

 private:
  void Draw(uint64_t done, uint64_t total);

  const std::string label_;
  const bool enabled_;
  const std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::chrono::steady_clock::time_point last_draw_;  // GUARDED_BY(mu_)
  uint64_t last_done_ = 0;                           // GUARDED_BY(mu_)
  uint64_t last_total_ = 0;                          // GUARDED_BY(mu_)
  bool finished_ = false;                            // GUARDED_BY(mu_)
};

// "512 B", "3.4 MiB", "1.1 GiB".
std::string FormatBytes(uint64_t bytes);

}  // namespace ads::cli

#endif  // ADS_CLI_PROGRESS_H_
