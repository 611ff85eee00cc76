#include "cli/table.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iostream>

#include "cli/output.h"
#include "http/message.h"

namespace ads::cli {
namespace {

// Display width of UTF-8 text: continuation bytes do not advance the cursor.
size_t Width(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// One line of at most `max_width` characters (0: no limit).
std::string Cell(std::string s, size_t max_width) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\t', ' ');
  if (max_width == 0 || Width(s) <= max_width) return s;
  std::string out;
  size_t width = 0;
  for (char c : s) {
    const bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_char && width + 3 >= max_width) break;
    if (starts_char) ++width;
    out += c;
  }
  return out + "...";
}

std::string RenderRows(const std::vector<std::vector<std::string>>& rows, bool rule,
                       const std::string& indent) {
  if (rows.empty()) return "";
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], Width(row[i]));
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& row) {
    std::string text = indent;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string& cell = i < row.size() ? row[i] : std::string();
      text += cell;
      if (i + 1 < widths.size()) text += std::string(widths[i] - Width(cell) + 2, ' ');
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + '\n';
  };
  line(rows[0]);
  if (rule) {
    std::vector<std::string> dashes;
    for (size_t w : widths) dashes.emplace_back(w, '-');
    line(dashes);
  }
  for (size_t r = 1; r < rows.size(); ++r) line(rows[r]);
  return out;
}

bool IsArrayOfObjects(const Json& v) {
  return v.is_array() && !v.empty() &&
         std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_object(); });
}
bool IsArrayOfStrings(const Json& v) {
  return v.is_array() && !v.empty() &&
         std::all_of(v.begin(), v.end(), [](const Json& e) { return e.is_string(); });
}

// A table of objects whose columns are their keys, in order of first use.
std::string RenderObjects(const Json& items, const std::string& indent) {
  std::vector<std::string> keys;
  for (const Json& item : items) {
    for (auto it = item.begin(); it != item.end(); ++it) {
      if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) keys.push_back(it.key());
    }
  }
  std::vector<Column> columns;
  for (const std::string& key : keys) {
    std::string header;
    for (char c : key) {
      // camelCase -> CAMEL CASE
      if (std::isupper(static_cast<unsigned char>(c)) && !header.empty()) header += ' ';
      header += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    columns.push_back(FieldColumn(header, key, 60));
  }
  std::string table = RenderList(items, columns);
  std::string out;
  size_t start = 0;
  while (start < table.size()) {
    const size_t end = table.find('\n', start);
    out += indent + table.substr(start, end - start) + '\n';
    start = end + 1;
  }
  return out;
}

}  // namespace

OutputFormat ServerFlags::Format() const {
  if (output == "json") return OutputFormat::kJson;
  if (output == "table") return OutputFormat::kTable;
  return isatty(STDOUT_FILENO) != 0 ? OutputFormat::kTable : OutputFormat::kJson;
}

void AddServerFlags(CLI::App* cmd, ServerFlags* flags) {
  cmd->add_option("--config-file", flags->config_file,
                  "OCI config file (else $OCI_CONFIG_FILE, ~/.ads/config, ~/.oci/config)");
  cmd->add_option("--profile", flags->profile,
                  "Config profile (else $OCI_CONFIG_PROFILE, else DEFAULT)");
  cmd->add_option("--endpoint", flags->endpoint, "Server URL (else the profile's endpoint)");
  cmd->add_option("--output,-o", flags->output,
                  "table or json (default: table on a terminal, json otherwise)")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--no-retry", flags->no_retry, "Send each request once, without retries");
}

int RunWithClient(const ServerFlags& flags, const std::function<Status(client::Client&)>& body) {
  client::ClientOptions options;
  options.config_path = flags.config_file;
  options.profile = flags.profile;
  options.endpoint = flags.endpoint;
  // The SDKs' retries, shortened: on an ads server a 409 IncorrectState is
  // final, and a person at a terminal should not wait seconds to learn it.
  options.max_attempts = flags.no_retry ? 1 : 3;
  options.initial_backoff = std::chrono::milliseconds(250);
  auto c = client::Client::FromConfig(options);
  if (!c.ok()) {
    return ReportError(c.status(),
                       "`ads server` writes a config to ~/.ads/config; or set "
                       "OCI_CONFIG_FILE / --config-file and --profile");
  }
  const Status status = body(**c);
  if (status.ok()) return kExitOk;
  std::string hint;
  switch (status.code()) {
    case StatusCode::kUnauthenticated:
      hint = "check user, fingerprint and key_file of the profile in " +
             (flags.config_file.empty() ? std::string("your OCI config") : flags.config_file);
      break;
    case StatusCode::kNotFound:
      hint = "the OCID is wrong, or no policy lets this user see it";
      break;
    case StatusCode::kUnavailable:
      hint = "is `ads server` running at " + (*c)->endpoint() + "?";
      break;
    default:
      break;
  }
  return ReportError(status, hint);
}

int UsageError(const std::string& message) {
  std::cerr << "error: " << message << "\n"
            << "hint: add --help to the command for its flags\n";
  return kExitUsage;
}

PathWithQuery& PathWithQuery::Add(std::string_view name, std::string_view value) {
  if (value.empty()) return *this;
  text_ += text_.find('?') == std::string::npos ? '?' : '&';
  text_ += std::string(name) + "=" + http::PercentEncode(value);
  return *this;
}

Result<Json> ListPages(client::Client& c, const std::string& path_and_query, int limit,
                       const std::string& page, std::string* next_page) {
  next_page->clear();
  if (limit <= 0 && page.empty()) return c.ListAll(path_and_query);
  constexpr int kMaxPageSize = 1000;  // the server's (and OCI's) largest page
  Json all = Json::array();
  std::string token = page;
  while (true) {
    PathWithQuery target(path_and_query);
    if (limit > 0) {
      target.Add("limit",
                 std::to_string(std::min(limit - static_cast<int>(all.size()), kMaxPageSize)));
    }
    target.Add("page", token);
    ADS_ASSIGN_OR_RETURN(client::Response r, c.Call("GET", target.str()));
    ADS_ASSIGN_OR_RETURN(Json items, r.ParseJson());
    if (!items.is_array()) return InternalError("the server answered a list with a non-array");
    for (Json& item : items) all.push_back(std::move(item));
    const std::string next(r.Header("opc-next-page"));
    if (next.empty()) return all;
    if (next == token) return InternalError("the server returned the same opc-next-page twice");
    token = next;
    if (limit > 0 && static_cast<int>(all.size()) >= limit) {
      *next_page = token;
      return all;
    }
  }
}

Result<Json> CallJson(client::Client& c, std::string_view method, const std::string& path,
                      const std::optional<Json>& body, const HeaderMap& headers,
                      std::string* etag) {
  ADS_ASSIGN_OR_RETURN(client::Response r, c.Call(method, path, body, headers));
  if (etag != nullptr) *etag = std::string(r.Header("etag"));
  if (r.body.empty()) return Json(nullptr);
  return r.ParseJson();
}

std::string FieldText(const Json& item, std::string_view name) {
  const Json* v = FindMember(item, name);
  if (v == nullptr || v->is_null()) return "";
  return v->is_string() ? v->get<std::string>() : v->dump();
}

Column FieldColumn(std::string header, std::string name, size_t max_width) {
  return Column{std::move(header),
                [name = std::move(name)](const Json& item) { return FieldText(item, name); },
                max_width};
}

Column TimeColumn(std::string header, std::string name) {
  return Column{std::move(header), [name = std::move(name)](const Json& item) {
                  std::string t = FieldText(item, name);
                  // 2026-12-05T07:49:12.345Z -> 2026-12-05 07:49:12
                  if (t.size() >= 19 && t[10] == 'T') t = t.substr(0, 10) + " " + t.substr(11, 8);
                  return t;
                }};
}

std::string RenderList(const Json& items, const std::vector<Column>& columns) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  for (const Column& col : columns) header.push_back(col.header);
  rows.push_back(std::move(header));
  if (items.is_array()) {
    for (const Json& item : items) {
      std::vector<std::string> row;
      for (const Column& col : columns) row.push_back(Cell(col.value(item), col.max_width));
      rows.push_back(std::move(row));
    }
  }
  return RenderRows(rows, true, "");
}

std::string RenderOne(const Json& resource) {
  if (!resource.is_object()) return resource.dump() + "\n";
  constexpr size_t kMaxValue = 100;
  std::vector<std::vector<std::string>> rows;
  std::string sections;
  for (auto it = resource.begin(); it != resource.end(); ++it) {
    const Json& v = it.value();
    if (IsArrayOfObjects(v)) {
      sections += "\n" + it.key() + ":\n" + RenderObjects(v, "  ");
      continue;
    }
    if (IsArrayOfStrings(v)) {
      sections += "\n" + it.key() + ":\n";
      for (const Json& s : v) sections += "  " + Cell(s.get<std::string>(), 0) + "\n";
      continue;
    }
    std::string text = v.is_null() ? "" : v.is_string() ? v.get<std::string>() : v.dump();
    rows.push_back({it.key(), Cell(std::move(text), kMaxValue)});
  }
  // RenderRows takes the first row as the header.
  rows.insert(rows.begin(), {"FIELD", "VALUE"});
  return RenderRows(rows, true, "") + sections;
}

void PrintList(const Json& items, const std::vector<Column>& columns, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    std::cout << items.dump(2) << "\n";
  } else {
    std::cout << RenderList(items, columns);
  }
}

void PrintOne(const Json& resource, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    std::cout << resource.dump(2) << "\n";
  } else {
    std::cout << RenderOne(resource);
  }
}

void PrintRow(const Json& resource, const std::vector<Column>& columns, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    PrintOne(resource, format);
  } else {
    PrintList(Json::array({resource}), columns, format);
  }
}

}  // namespace ads::cli
