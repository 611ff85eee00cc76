// Moving artifact bytes between files and an ads server (or OCI): streamed
// uploads of a file, parallel multipart uploads to Object Storage, verified
// downloads, and waiting on a work request.
//
//   ADS_ASSIGN_OR_RETURN(ObjectUri dest, ParseObjectUri("oci://b@ns/prefix/m.zip"));
//   MultipartOptions mp{.parallel = 9};
//   ADS_ASSIGN_OR_RETURN(MultipartResult up,
//       MultipartUploadFile(control, make_client, env, "/tmp/m.zip", dest, mp));
//   ADS_ASSIGN_OR_RETURN(DownloadResult got,
//       DownloadToFile(c, "/20190101/models/<id>/artifact/content", env, "/tmp/a.zip"));
//   ADS_RETURN_IF_ERROR(VerifyDownload(got, expected_size, expected_md5));
//
// Multipart: each part travels with its Content-MD5 (the server refuses a part
// whose bytes differ), parts are committed with the ETags the server gave,
// and any failure aborts the upload so no half-built object remains. Each
// worker uses its own Client because one Client serialises its requests.
//
// Thread-safety: free functions; MultipartUploadFile runs worker threads
// internally and calls `progress` from them (serialised by a mutex).
#ifndef ADS_CLIENT_TRANSFER_H_
#define ADS_CLIENT_TRANSFER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "client/client.h"

namespace ads::client {

// oci://bucket@namespace/object-or-prefix
struct ObjectUri {
  std::string bucket;
  std::string ns;
  std::string object;  // may be empty or end with '/' (a prefix)
};

// Errors name the expected form.
Result<ObjectUri> ParseObjectUri(std::string_view uri);
// "/n/<ns>/b/<bucket>/o/<object>" with each part percent-encoded as one path
// segment ('/' in object names becomes %2F, as the OCI SDKs send it).
std::string ObjectPath(const ObjectUri& uri);
// encodeURIComponent: everything but A-Z a-z 0-9 - _ . ! ~ * ' ( ) escaped.
std::string EncodePathSegment(std::string_view text);

// Called with (bytes done, bytes total) as a transfer advances.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;
// Makes a fresh Client for a worker thread.
using ClientFactory = std::function<Result<std::unique_ptr<Client>>()>;

// Incremental MD5 (OpenSSL), for Content-MD5 checks of streamed bodies.
class Md5 {
 public:
  Md5();
  ~Md5();
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void Update(std::string_view data);
  std::string DigestBase64();  // finishes; call once
 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Base64 MD5 of bytes [offset, offset + length) of a file.
Result<std::string> FileRangeMd5(Env& env, const std::string& path, uint64_t offset,
                                 uint64_t length);

// A BodySourceFactory streaming [offset, offset + length) of `path`, reopened
// for each attempt; `progress_bytes` (may be null) is told of each chunk read.
BodySourceFactory FileRangeSource(Env& env, const std::string& path, uint64_t offset,
                                  uint64_t length,
                                  std::function<void(uint64_t)> progress_bytes = nullptr);

// Streams the whole file as the body of `method path` (e.g. the artifact POST).
Result<Response> UploadFile(Client& client, std::string_view method, std::string_view path,
                            Env& env, const std::string& file, const HeaderMap& headers,
                            const ProgressFn& progress = nullptr);

struct MultipartOptions {
  int parallel = 9;                      // ADS's DEFAULT_PARALLEL_PROCESS_COUNT
  uint64_t part_size = 128ULL << 20;     // OCI's DEFAULT_PART_SIZE
  std::string content_type = "application/zip";
  ProgressFn progress;
};

struct MultipartResult {
  std::string upload_id;
  int parts = 0;
  uint64_t size = 0;
  std::string etag;
  std::string multipart_md5;  // opc-multipart-md5 ("<base64>-<parts>")
};

// Uploads `file` to `dest` (dest.object must name the object) through a
// multipart upload with up to options.parallel parts in flight. `control`
// creates, commits or aborts the upload; `make_client` supplies one Client per
// worker. On any failure the upload is aborted and the first error returned.
Result<MultipartResult> MultipartUploadFile(Client& control, const ClientFactory& make_client,
                                            Env& env, const std::string& file,
                                            const ObjectUri& dest,
                                            const MultipartOptions& options);

// OCI's opc-multipart-md5 for parts with these base64 MD5s.
Result<std::string> MultipartMd5(const std::vector<std::string>& part_md5s_base64);

struct DownloadResult {
  uint64_t size = 0;        // bytes written
  std::string md5_base64;   // of the bytes written
  HeaderMap headers;        // of the response
};

// GETs `path` into `file` (created or truncated, synced), hashing as it goes.
Result<DownloadResult> DownloadToFile(Client& client, std::string_view path, Env& env,
                                      const std::string& file,
                                      const ProgressFn& progress = nullptr,
                                      uint64_t expected_total = 0);

// DataLoss when the size differs from `expected_size` or, when
// `expected_md5_base64` is not empty, the MD5 differs.
Status VerifyDownload(const DownloadResult& got, uint64_t expected_size,
                      std::string_view expected_md5_base64);

struct WaitOptions {
  std::chrono::milliseconds first_poll{50};
  std::chrono::milliseconds max_poll{2000};
  std::chrono::milliseconds timeout{1200000};  // ADS waits up to 1200 s
};

// Polls GET /20190101/workRequests/{id} until SUCCEEDED (returns the work
// request), FAILED or CANCELED (an error carrying the work request's first
// error message), or the timeout (Unavailable).
Result<Json> WaitForWorkRequest(Client& client, const std::string& work_request_id,
                                const WaitOptions& options = {});

}  // namespace ads::client

#endif  // ADS_CLIENT_TRANSFER_H_
