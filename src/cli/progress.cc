#include "cli/progress.h"

#include <unistd.h>

#include <cstdio>

namespace ads::cli {

std::string FormatBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof(buf), "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(buf, sizeof(buf), "%.1f %s", value, kUnits[unit]);
  }
  return buf;
}

ProgressBar::ProgressBar(std::string label, uint64_t total)
    : label_(std::move(label)),
      enabled_(total >= kProgressMinBytes && isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  std::lock_guard<std::mutex> lock(mu_);
  // An abandoned bar (a failed transfer) still ends its line so the error
  // message starts on a fresh one.
  if (enabled_ && !finished_) std::fputs("\n", stderr);
}

void ProgressBar::Update(uint64_t done, uint64_t total) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  const auto now = std::chrono::steady_clock::now();
  // Redrawing more than ~10 times a second only costs terminal time.
  if (done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  last_done_ = done;
  last_total_ = total;
  Draw(done, total);
}

void ProgressBar::Finish() {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  finished_ = true;
  Draw(last_total_, last_total_);
  std::fputs("\n", stderr);
}

void ProgressBar::Draw(uint64_t done, uint64_t total) {
  constexpr int kWidth = 30;
  const double fraction = total == 0 ? 1.0 : static_cast<double>(done) / total;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const uint64_t rate = seconds > 0 ? static_cast<uint64_t>(done / seconds) : 0;
  std::fprintf(stderr, "\r%s [%s] %3d%%  %s / %s  %s/s   ", label_.c_str(), bar.c_str(),
               static_cast<int>(fraction * 100), FormatBytes(done).c_str(),
               FormatBytes(total).c_str(), FormatBytes(rate).c_str());
  std::fflush(stderr);
}

}  // namespace ads::cli
