#include "base/logging.h"

#include <cstdio>
#include <mutex>

namespace ads {
namespace {

std::mutex g_mu;
ScopedLogCapture* g_capture = nullptr;  // GUARDED_BY(g_mu)
LogLevel g_min_level = LogLevel::kWarning;

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "log";
}

}  // namespace

void Log(LogLevel level, std::string_view message) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (g_capture != nullptr) {
    g_capture->Add(level, message);
    return;
  }
  if (level < g_min_level) return;
  std::fprintf(stderr, "%s: %.*s\n", LevelName(level), static_cast<int>(message.size()),
               message.data());
}

void SetMinLogLevel(LogLevel level) {
  std::lock_guard<std::mutex> lock(g_mu);
  g_min_level = level;
}

ScopedLogCapture::ScopedLogCapture() {
  std::lock_guard<std::mutex> lock(g_mu);
  previous_ = g_capture;
  g_capture = this;
}

ScopedLogCapture::~ScopedLogCapture() {
  std::lock_guard<std::mutex> lock(g_mu);
  g_capture = previous_;
}

void ScopedLogCapture::Add(LogLevel level, std::string_view message) {
  messages_.emplace_back(level, std::string(message));
}

std::vector<std::string> ScopedLogCapture::warnings() const {
  std::lock_guard<std::mutex> lock(g_mu);
  std::vector<std::string> out;
  for (const auto& [level, text] : messages_) {
    if (level >= LogLevel::kWarning) out.push_back(text);
  }
  return out;
}

std::vector<std::string> ScopedLogCapture::all() const {
  std::lock_guard<std::mutex> lock(g_mu);
  std::vector<std::string> out;
  for (const auto& entry : messages_) out.push_back(entry.second);
  return out;
}

}  // namespace ads
