// Logging: leveled messages to stderr, or to a sink a test installs.
//
//   LogWarning("max_col_num exceeded; the schema is skipped");
//   ScopedLogCapture capture;   // in a test
//   ... EXPECT_THAT(capture.warnings(), Contains(HasSubstr("max_col_num")));
//
// Thread-safe.
#ifndef ADS_BASE_LOGGING_H_
#define ADS_BASE_LOGGING_H_

#include <string>
#include <string_view>
#include <vector>

namespace ads {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

void Log(LogLevel level, std::string_view message);
inline void LogDebug(std::string_view m) { Log(LogLevel::kDebug, m); }
inline void LogInfo(std::string_view m) { Log(LogLevel::kInfo, m); }
inline void LogWarning(std::string_view m) { Log(LogLevel::kWarning, m); }
inline void LogError(std::string_view m) { Log(LogLevel::kError, m); }

// Messages below this level are dropped by the stderr sink (default kWarning).
void SetMinLogLevel(LogLevel level);

// While alive, collects every message instead of printing it. Nests.
class ScopedLogCapture {
 public:
  ScopedLogCapture();
  ~ScopedLogCapture();
  ScopedLogCapture(const ScopedLogCapture&) = delete;
  ScopedLogCapture& operator=(const ScopedLogCapture&) = delete;

  std::vector<std::string> warnings() const;  // level >= kWarning
  std::vector<std::string> all() const;
  void Add(LogLevel level, std::string_view message);

 private:
  std::vector<std::pair<LogLevel, std::string>> messages_;
  ScopedLogCapture* previous_;
};

}  // namespace ads

#endif  // ADS_BASE_LOGGING_H_
