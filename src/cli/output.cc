#include "cli/output.h"

#include <algorithm>
#include <iostream>

namespace ads::cli {
namespace {

// Display width of UTF-8 text: continuation bytes do not advance the cursor.
size_t Width(const std::string& s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string Cut(const std::string& s, size_t max_cell) {
  std::string one_line = s;
  std::replace(one_line.begin(), one_line.end(), '\n', ' ');
  if (Width(one_line) <= max_cell) return one_line;
  std::string out;
  size_t width = 0;
  for (char c : one_line) {
    const bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_char && width + 3 >= max_cell) break;
    if (starts_char) ++width;
    out += c;
  }
  return out + "...";
}

}  // namespace

int ReportError(const Status& status, const std::string& default_hint) {
  std::cerr << "error: " << status.message() << "\n";
  const std::string& hint = status.hint().empty() ? default_hint : status.hint();
  if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
  return kExitFailed;
}

std::string RenderTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows, size_t max_cell) {
  std::vector<std::vector<std::string>> cells;
  cells.push_back(header);
  for (const auto& row : rows) {
    std::vector<std::string> cut;
    for (const auto& cell : row) cut.push_back(Cut(cell, max_cell));
    cells.push_back(std::move(cut));
  }
  std::vector<size_t> widths(header.size(), 0);
  for (const auto& row : cells) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], Width(row[i]));
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string cell = i < row.size() ? row[i] : "";
      out += cell;
      if (i + 1 < widths.size()) out += std::string(widths[i] - Width(cell) + 2, ' ');
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  };
  line(cells[0]);
  std::vector<std::string> rule;
  for (size_t w : widths) rule.emplace_back(w, '-');
  line(rule);
  for (size_t r = 1; r < cells.size(); ++r) line(cells[r]);
  return out;
}

}  // namespace ads::cli
