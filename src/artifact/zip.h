// Artifact archives: packing an artifact directory into the zip that ADS
// uploads (members at the archive root, '/' separators, ZIP_STORED, plus a
// model_artifact_manifest.json), listing members, and extracting an archive
// safely (see docs/artifact-zip.md for every rule).
//
//   ADS_ASSIGN_OR_RETURN(PackResult packed, PackArtifact(env, "art", "art.zip"));
//   ExtractOptions limits;
//   limits.max_total_bytes = 4ULL << 30;
//   ADS_ASSIGN_OR_RETURN(ExtractResult out,
//                        ExtractArtifact(env, "art.zip", "restored", limits));
//
// The whole archive is held in memory while it is built or read (the Env has
// no streaming interface); artifacts above the 2 GiB small-upload limit
// travel through object storage multipart uploads instead.
//
// Thread-safety: free functions without shared state; concurrent calls on
// different paths are safe.
#ifndef ADS_ARTIFACT_ZIP_H_
#define ADS_ARTIFACT_ZIP_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"

namespace ads::artifact {

inline constexpr int kManifestVersion = 1;

struct PackOptions {
  // Writes model_artifact_manifest.json into the archive (ADS >= 2.15.0).
  bool write_manifest = true;
  // The manifest's "generated_by".
  std::string generated_by = "ads";
};

struct PackResult {
  Json manifest;                    // what was (or would have been) written
  std::vector<std::string> files;   // members, sorted, without the manifest
  uint64_t total_uncompressed_bytes = 0;  // sum of the packed file sizes
  uint64_t archive_bytes = 0;
};

// Zips the files ListArtifactFiles(env, dir) returns into `zip_path`,
// written atomically (temp file + rename).
Result<PackResult> PackArtifact(Env& env, const std::string& dir, const std::string& zip_path,
                                const PackOptions& options = {});

// Builds the manifest JSON for files (relative path -> content) at `now`.
Json BuildManifest(const std::vector<std::pair<std::string, std::string_view>>& files,
                   std::chrono::system_clock::time_point now, const std::string& generated_by);
// The manifest file text: json.dumps(manifest, indent=2, sort_keys=True).
std::string SerializeManifest(const Json& manifest);

struct ZipMember {
  std::string name;
  uint64_t size = 0;             // declared uncompressed size
  uint64_t compressed_size = 0;
  uint16_t compression_method = 0;  // 0 stored, 8 deflate, ...
  bool encrypted = false;
  bool is_directory = false;     // name ends with '/'
  bool is_symlink = false;       // unix mode in the external attributes
  uint32_t unix_mode = 0;        // full st_mode when made on unix, else 0
};

// The members of an archive, in central-directory order.
Result<std::vector<ZipMember>> ListZipMembers(Env& env, const std::string& zip_path);
Result<std::vector<ZipMember>> ListZipMembersInBuffer(std::string_view zip_bytes,
                                                      std::string_view what = "archive");

struct ExtractOptions {
  uint64_t max_total_bytes = 8ULL << 30;  // sum of expanded sizes
  uint64_t max_entries = 100000;
  // Rejects archives without model_artifact_manifest.json.
  bool require_manifest = false;
};

struct ExtractResult {
  std::vector<std::string> files;  // extracted files, sorted (manifest excluded)
  uint64_t total_bytes = 0;
  bool had_manifest = false;
  Json manifest;                   // null when absent
};

// Extracts safely into `target_dir`, which must not exist or be an empty
// directory. The archive is expanded into a temp dir beside the target and
// renamed into place, so a rejected archive leaves nothing visible. The
// manifest is verified, not extracted.
Result<ExtractResult> ExtractArtifact(Env& env, const std::string& zip_path,
                                      const std::string& target_dir,
                                      const ExtractOptions& options = {});
Result<ExtractResult> ExtractArtifactFromBuffer(Env& env, std::string_view zip_bytes,
                                                const std::string& target_dir,
                                                const ExtractOptions& options = {},
                                                std::string_view what = "archive");

}  // namespace ads::artifact

#endif  // ADS_ARTIFACT_ZIP_H_
