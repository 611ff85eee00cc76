// What the commands that talk to a server (`ads project|model|model-version-set
// |iam ...`) share: their common flags, the connection, error reporting, paged
// lists, and printing resources as JSON or as aligned tables.
//
//   ServerFlags flags;
//   AddServerFlags(cmd, &flags);
//   cmd->callback([&] {
//     *exit_code = RunWithClient(flags, [&](client::Client& c) -> Status {
//       ADS_ASSIGN_OR_RETURN(client::Response r, c.Call("GET", "/20190101/projects/" + id));
//       ADS_ASSIGN_OR_RETURN(Json project, r.ParseJson());
//       PrintOne(project, flags.Format());
//       return OkStatus();
//     });
//   });
//
// Output: `--output json` prints the server's JSON as is (a bare array for
// lists); `--output table` prints a table whose columns each command chooses
// (lists) or one `FIELD  VALUE` line per field (single resources). Without
// --output: table when stdout is a terminal, json otherwise, so that pipes
// and scripts get the parseable form.
//
// Thread-safety: functions only; the flags belong to one command invocation.
#ifndef ADS_CLI_TABLE_H_
#define ADS_CLI_TABLE_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "client/client.h"

namespace ads::cli {

enum class OutputFormat { kTable, kJson };

// Flags on every server command.
struct ServerFlags {
  std::string config_file;  // else $OCI_CONFIG_FILE, ~/.ads/config, ~/.oci/config
  std::string profile;      // else $OCI_CONFIG_PROFILE, else DEFAULT
  std::string endpoint;     // else the profile's `endpoint`
  std::string output;       // "table", "json" or empty (see the header comment)
  bool no_retry = false;    // one attempt per request (the OCI CLI's --no-retry)

  OutputFormat Format() const;
};
void AddServerFlags(CLI::App* cmd, ServerFlags* flags);

// Connects with `flags` and runs `body`. A failed Status is printed as
// `error: <OCI code> (<status>): <message>` with a hint, and gives
// kExitFailed; success gives kExitOk.
int RunWithClient(const ServerFlags& flags, const std::function<Status(client::Client&)>& body);

// Prints `error: <message>` and a usage hint; returns kExitUsage. For flag
// combinations CLI11 cannot check itself.
int UsageError(const std::string& message);

// Builds "path?name=value&..." with values percent-encoded; empty values are
// left out.
class PathWithQuery {
 public:
  explicit PathWithQuery(std::string path) : text_(std::move(path)) {}
  PathWithQuery& Add(std::string_view name, std::string_view value);
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

// A list, page after page. limit <= 0: every page. Otherwise at most `limit`
// items, starting at `page` (a token from an earlier call); when more remain,
// *next_page is the token to continue from (else empty).
Result<Json> ListPages(client::Client& c, const std::string& path_and_query, int limit,
                       const std::string& page, std::string* next_page);

// A JSON call; the parsed body (null when empty). *etag receives the etag
// header when asked.
Result<Json> CallJson(client::Client& c, std::string_view method, const std::string& path,
                      const std::optional<Json>& body = std::nullopt, const HeaderMap& headers = {},
                      std::string* etag = nullptr);

// One column of a list table.
struct Column {
  std::string header;
  std::function<std::string(const Json& item)> value;
  size_t max_width = 0;  // longer cells are cut with "..."; 0: never (OCIDs)
};
// The string (or compact JSON) of a top-level field; "" when absent or null.
std::string FieldText(const Json& item, std::string_view name);
// A column showing field `name` as FieldText does.
Column FieldColumn(std::string header, std::string name, size_t max_width = 0);
// A column showing an RFC 3339 time field as "YYYY-MM-DD HH:MM:SS".
Column TimeColumn(std::string header, std::string name);

// Aligned columns, a header line and a rule; one row per item of `items`.
std::string RenderList(const Json& items, const std::vector<Column>& columns);
// One resource: `FIELD  VALUE` per top-level field (objects and arrays as
// compact JSON, long values cut), then each non-empty array of objects (e.g.
// customMetadataList) as its own table under the field's name.
std::string RenderOne(const Json& resource);

// Print to stdout in the chosen format.
void PrintList(const Json& items, const std::vector<Column>& columns, OutputFormat format);
void PrintOne(const Json& resource, OutputFormat format);
// A resource after a write: a one-row table with the list's columns, or its JSON.
void PrintRow(const Json& resource, const std::vector<Column>& columns, OutputFormat format);

}  // namespace ads::cli

#endif  // ADS_CLI_TABLE_H_
