#include "client/transfer.h"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <thread>
#include <vector>

#include "base/hash.h"

namespace ads::client {
namespace {

constexpr size_t kChunk = 1 << 20;

// Serialises progress reports from several workers and sums their bytes.
class ProgressCounter {
 public:
  ProgressCounter(const ProgressFn& fn, uint64_t total) : fn_(fn), total_(total) {}
  void Add(uint64_t n) {
    if (!fn_) return;
    std::lock_guard<std::mutex> lock(mu_);
    done_ += n;
    fn_(std::min(done_, total_), total_);
  }

 private:
  const ProgressFn& fn_;
  const uint64_t total_;
  std::mutex mu_;
  uint64_t done_ = 0;  // GUARDED_BY(mu_)
};

std::string StatusOf(const Json& wr) {
  auto it = wr.find("status");
  return it != wr.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

struct Md5::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Md5::Md5() : impl_(std::make_unique<Impl>()) {
  impl_->ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(impl_->ctx, EVP_md5(), nullptr);
}
Md5::~Md5() { EVP_MD_CTX_free(impl_->ctx); }
void Md5::Update(std::string_view data) {
  EVP_DigestUpdate(impl_->ctx, data.data(), data.size());
}
std::string Md5::DigestBase64() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, digest, &len);
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

Result<ObjectUri> ParseObjectUri(std::string_view uri) {
  const auto bad = [&uri] {
    return InvalidArgumentError("`" + std::string(uri) +
                                "` is not an Object Storage URI of the form "
                                "oci://<bucket_name>@<namespace>/prefix/");
  };
  constexpr std::string_view kScheme = "oci://";
  if (uri.substr(0, kScheme.size()) != kScheme) return bad();
  std::string_view rest = uri.substr(kScheme.size());
  const size_t at = rest.find('@');
  if (at == std::string_view::npos || at == 0) return bad();
  ObjectUri out;
  out.bucket = std::string(rest.substr(0, at));
  rest = rest.substr(at + 1);
  const size_t slash = rest.find('/');
  out.ns = std::string(rest.substr(0, slash));
  if (slash != std::string_view::npos) out.object = std::string(rest.substr(slash + 1));
  if (out.ns.empty() || out.bucket.find('/') != std::string::npos) return bad();
  return out;
}

std::string EncodePathSegment(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || std::string_view("-_.!~*'()").find(static_cast<char>(ch)) !=
                                std::string_view::npos) {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

std::string ObjectPath(const ObjectUri& uri) {
  return "/n/" + EncodePathSegment(uri.ns) + "/b/" + EncodePathSegment(uri.bucket) + "/o/" +
         EncodePathSegment(uri.object);
}

Result<std::string> FileRangeMd5(Env& env, const std::string& path, uint64_t offset,
                                 uint64_t length) {
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env.NewRandomAccessFile(path));
  Md5 md5;
  std::string buf(kChunk, '\0');
  uint64_t done = 0;
  while (done < length) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, length - done));
    ADS_ASSIGN_OR_RETURN(size_t got, file->Read(offset + done, want, buf.data()));
    if (got == 0) return DataLossError(path + " is shorter than expected.");
    md5.Update(std::string_view(buf.data(), got));
    done += got;
  }
  return md5.DigestBase64();
}

BodySourceFactory FileRangeSource(Env& env, const std::string& path, uint64_t offset,
                                  uint64_t length, std::function<void(uint64_t)> progress_bytes) {
  return [&env, path, offset, length, progress_bytes]() -> Result<http::BodySource> {
    ADS_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env.NewRandomAccessFile(path));
    std::shared_ptr<RandomAccessFile> shared(std::move(file));
    auto pos = std::make_shared<uint64_t>(0);
    return http::BodySource([shared, pos, offset, length, progress_bytes,
                             path](char* buf, size_t n) -> Result<size_t> {
      if (*pos >= length) return size_t{0};
      const size_t want = static_cast<size_t>(std::min<uint64_t>(n, length - *pos));
      ADS_ASSIGN_OR_RETURN(size_t got, shared->Read(offset + *pos, want, buf));
      if (got == 0) return DataLossError(path + " shrank while it was being sent.");
      *pos += got;
      if (progress_bytes) progress_bytes(got);
      return got;
    });
  };
}

Result<Response> UploadFile(Client& client, std::string_view method, std::string_view path,
                            Env& env, const std::string& file, const HeaderMap& headers,
                            const ProgressFn& progress) {
  ADS_ASSIGN_OR_RETURN(FileInfo info, env.Stat(file));
  // A retried attempt restarts the count.
  auto done = std::make_shared<uint64_t>(0);
  const uint64_t total = info.size;
  std::function<void(uint64_t)> on_bytes;
  if (progress) {
    on_bytes = [done, total, &progress](uint64_t n) {
      *done += n;
      progress(std::min(*done, total), total);
    };
  }
  BodySourceFactory inner = FileRangeSource(env, file, 0, info.size, on_bytes);
  BodySourceFactory factory = [inner, done]() {
    *done = 0;
    return inner();
  };
  return client.Upload(method, path, factory, info.size, headers);
}

Result<std::string> MultipartMd5(const std::vector<std::string>& part_md5s_base64) {
  std::string concatenated;
  for (const std::string& b64 : part_md5s_base64) {
    std::string raw;
    if (!Base64Decode(b64, &raw)) return InvalidArgumentError("A part MD5 is not base64.");
    concatenated += raw;
  }
  return Md5Base64(concatenated) + "-" + std::to_string(part_md5s_base64.size());
}

namespace {

struct PartPlan {
  int number = 0;  // 1-based
  uint64_t offset = 0;
  uint64_t length = 0;
  std::string md5;
  std::string etag;
};

// Uploads the parts whose index `next` hands out, until none remain or
// `failed` is set; records the first error in *error.
void PartWorker(Client& c, Env& env, const std::string& file, const std::string& upload_path,
                std::vector<PartPlan>& parts, std::atomic<size_t>& next,
                std::atomic<bool>& failed, std::mutex& error_mu, Status* error,
                ProgressCounter& progress) {
  for (;;) {
    if (failed.load()) return;
    const size_t i = next.fetch_add(1);
    if (i >= parts.size()) return;
    PartPlan& part = parts[i];
    Status s = [&]() -> Status {
      ADS_ASSIGN_OR_RETURN(part.md5, FileRangeMd5(env, file, part.offset, part.length));
      const std::string target = upload_path + "&uploadPartNum=" + std::to_string(part.number);
      ADS_ASSIGN_OR_RETURN(
          Response r,
          c.Upload("PUT", target,
                   FileRangeSource(env, file, part.offset, part.length,
                                   [&progress](uint64_t n) { progress.Add(n); }),
                   part.length, {{"Content-MD5", part.md5}}));
      part.etag = std::string(r.Header("etag"));
      if (part.etag.empty()) {
        return DataLossError("The server gave no etag for part " + std::to_string(part.number) +
                             ".");
      }
      return OkStatus();
    }();
    if (!s.ok()) {
      std::lock_guard<std::mutex> lock(error_mu);
      if (error->ok()) {
        *error = Status(s.code(), "part " + std::to_string(part.number) + ": " + s.message());
      }
      failed.store(true);
      return;
    }
  }
}

}  // namespace

Result<MultipartResult> MultipartUploadFile(Client& control, const ClientFactory& make_client,
                                            Env& env, const std::string& file,
                                            const ObjectUri& dest,
                                            const MultipartOptions& options) {
  if (dest.object.empty() || dest.object.back() == '/') {
    return InvalidArgumentError("The destination object name is missing.");
  }
  if (options.part_size == 0 || options.parallel < 1) {
    return InvalidArgumentError("The part size and the parallelism must be positive.");
  }
  ADS_ASSIGN_OR_RETURN(FileInfo info, env.Stat(file));
  const uint64_t parts_needed = std::max<uint64_t>(1, (info.size + options.part_size - 1) /
                                                          options.part_size);
  if (parts_needed > 10000) {
    return InvalidArgumentError("The file needs " + std::to_string(parts_needed) +
                                " parts; Object Storage allows 10000. Use a larger part size.");
  }
  std::vector<PartPlan> parts(parts_needed);
  for (uint64_t i = 0; i < parts_needed; ++i) {
    parts[i].number = static_cast<int>(i + 1);
    parts[i].offset = i * options.part_size;
    parts[i].length = std::min(options.part_size, info.size - parts[i].offset);
  }

  const std::string bucket_path =
      "/n/" + EncodePathSegment(dest.ns) + "/b/" + EncodePathSegment(dest.bucket) + "/u";
  Json create = {{"object", dest.object}};
  if (!options.content_type.empty()) create["contentType"] = options.content_type;
  const std::string where = "oci://" + dest.bucket + "@" + dest.ns + "/" + dest.object;
  Result<Response> created = control.Call("POST", bucket_path, create);
  if (!created.ok()) {
    return Status(created.status().code(),
                  "Multipart upload to " + where + " could not start: " +
                      created.status().message());
  }
  ADS_ASSIGN_OR_RETURN(Json upload, created->ParseJson());
  if (!upload.contains("uploadId") || !upload["uploadId"].is_string()) {
    return DataLossError("CreateMultipartUpload answered without an uploadId.");
  }
  MultipartResult result;
  result.upload_id = upload["uploadId"].get<std::string>();
  const std::string upload_path = bucket_path + "/" + EncodePathSegment(dest.object) +
                                  "?uploadId=" + EncodePathSegment(result.upload_id);

  // From here on, any failure aborts the upload so no parts linger.
  Status failure = [&]() -> Status {
    const int workers = static_cast<int>(std::min<uint64_t>(options.parallel, parts.size()));
    std::vector<std::unique_ptr<Client>> clients;
    for (int w = 0; w < workers; ++w) {
      ADS_ASSIGN_OR_RETURN(std::unique_ptr<Client> c, make_client());
      clients.push_back(std::move(c));
    }
    ProgressCounter progress(options.progress, info.size);
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex error_mu;
    Status error;
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        PartWorker(*clients[w], env, file, upload_path, parts, next, failed, error_mu, &error,
                   progress);
      });
    }
    for (std::thread& t : threads) t.join();
    ADS_RETURN_IF_ERROR(error);

    Json commit = {{"partsToCommit", Json::array()}};
    std::vector<std::string> md5s;
    for (const PartPlan& p : parts) {
      commit["partsToCommit"].push_back({{"partNum", p.number}, {"etag", p.etag}});
      md5s.push_back(p.md5);
    }
    ADS_ASSIGN_OR_RETURN(Response committed, control.Call("POST", upload_path, commit));
    result.etag = std::string(committed.Header("etag"));
    result.multipart_md5 = std::string(committed.Header("opc-multipart-md5"));
    ADS_ASSIGN_OR_RETURN(std::string expected_md5, MultipartMd5(md5s));
    if (!result.multipart_md5.empty() && result.multipart_md5 != expected_md5) {
      return DataLossError("The committed object's MD5 " + result.multipart_md5 +
                           " differs from the parts sent (" + expected_md5 + ").");
    }
    return OkStatus();
  }();
  if (!failure.ok()) {
    control.Call("DELETE", upload_path).status().IgnoreError();
    return Status(failure.code(),
                  "Multipart upload to " + where + " failed and was aborted: " + failure.message());
  }
  result.parts = static_cast<int>(parts.size());
  result.size = info.size;
  return result;
}

Result<DownloadResult> DownloadToFile(Client& client, std::string_view path, Env& env,
                                      const std::string& file, const ProgressFn& progress,
                                      uint64_t expected_total) {
  ADS_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> out, env.NewWritableFile(file));
  Md5 md5;
  DownloadResult result;
  ADS_ASSIGN_OR_RETURN(
      Response r, client.Download(path, [&](std::string_view chunk) -> Status {
        ADS_RETURN_IF_ERROR(out->Append(chunk));
        md5.Update(chunk);
        result.size += chunk.size();
        if (progress) progress(result.size, std::max(expected_total, result.size));
        return OkStatus();
      }));
  ADS_RETURN_IF_ERROR(out->Sync());
  ADS_RETURN_IF_ERROR(out->Close());
  result.md5_base64 = md5.DigestBase64();
  result.headers = std::move(r.headers);
  return result;
}

Status VerifyDownload(const DownloadResult& got, uint64_t expected_size,
                      std::string_view expected_md5_base64) {
  if (got.size != expected_size) {
    return DataLossError("The download has " + std::to_string(got.size) +
                         " bytes; the server announced " + std::to_string(expected_size) + ".");
  }
  if (!expected_md5_base64.empty() && got.md5_base64 != expected_md5_base64) {
    return DataLossError("The download's MD5 " + got.md5_base64 +
                         " differs from the server's content-md5 " +
                         std::string(expected_md5_base64) + ".");
  }
  return OkStatus();
}

Result<Json> WaitForWorkRequest(Client& client, const std::string& work_request_id,
                                const WaitOptions& options) {
  const std::string path = "/20190101/workRequests/" + work_request_id;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  std::chrono::milliseconds poll = options.first_poll;
  for (;;) {
    ADS_ASSIGN_OR_RETURN(Response r, client.Call("GET", path));
    ADS_ASSIGN_OR_RETURN(Json wr, r.ParseJson());
    const std::string status = StatusOf(wr);
    if (status == "SUCCEEDED") return wr;
    if (status == "FAILED" || status == "CANCELED") {
      std::string why;
      auto errors = client.Call("GET", path + "/errors");
      if (errors.ok()) {
        auto list = errors->ParseJson();
        if (list.ok() && list->is_array() && !list->empty() && (*list)[0].contains("message")) {
          why = ": " + (*list)[0]["message"].dump();
          if ((*list)[0]["message"].is_string()) why = ": " + (*list)[0]["message"].get<std::string>();
        }
      }
      return FailedPreconditionError("Work request " + work_request_id + " " + status + why);
    }
    if (std::chrono::steady_clock::now() + poll > deadline) {
      return UnavailableError("Work request " + work_request_id + " still " + status +
                              " after " + std::to_string(options.timeout.count() / 1000) + " s.");
    }
    std::this_thread::sleep_for(poll);
    poll = std::min(poll * 2, options.max_poll);
  }
}

}  // namespace ads::client
