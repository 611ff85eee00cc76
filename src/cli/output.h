// Console output shared by the commands: errors as one sentence plus a hint,
// and plain-text tables.
#ifndef ADS_CLI_OUTPUT_H_
#define ADS_CLI_OUTPUT_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "base/status.h"

namespace ads::cli {

// Exit statuses of the `ads` command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the command ran and failed (or a check failed)
inline constexpr int kExitUsage = 2;   // bad flags or arguments

// Prints "error: <message>" and, when known, "hint: <hint>" to stderr; returns kExitFailed.
int ReportError(const Status& status, const std::string& default_hint = {});

// Renders rows under a header with column widths fitted to the content; cells
// longer than `max_cell` characters are cut with "...".
std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows, size_t max_cell = 80);

}  // namespace ads::cli

#endif  // ADS_CLI_OUTPUT_H_
