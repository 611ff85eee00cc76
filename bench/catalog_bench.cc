// catalog_bench: load figures for an ads server's model catalog, measured
// through the signing C++ client exactly as an SDK user would see them.
//
//   catalog_bench --config F [--endpoint URL] [--threads 4] [--ops 500]
//                 [--models 100000] [--list-ops 200] [--artifact FILE]
//
// Prints creates/s, gets/s and filtered lists/s (1 and N client threads,
// each thread with its own client::Client), list latencies over a seeded
// compartment (target p99 <= 10 ms: PASS/MISS), and artifact upload and
// download throughput as a ratio to `cp` of the same file on the same disk
// (both timed the same way, page cache left as it is).
//
// Thread-safety: single-process tool; every worker thread owns its Client.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "base/env.h"
#include "base/json.h"
#include "base/status.h"
#include "client/client.h"
#include "iam/oci_config.h"

namespace ads {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string config;
  std::string endpoint;
  int threads = 4;
  int ops = 300;
  int models = 100000;
  int list_ops = 200;    // requests per list row (its p99 rests on ops/100 samples)
  std::string artifact;  // empty: skip the transfer part
};

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * (v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

std::unique_ptr<client::Client> NewClient(const Options& o) {
  auto c = client::Client::FromConfig({.config_path = o.config, .endpoint = o.endpoint});
  if (!c.ok()) {
    std::cerr << "catalog_bench: " << c.status().ToString() << "\n";
    std::exit(2);
  }
  return std::move(*c);
}

// Runs `op(client, thread, i)` `per_thread` times on each of `threads`
// threads; returns per-op latencies in ms and the wall time.
template <typename Op>
std::pair<std::vector<double>, double> Run(const Options& o, int threads, int per_thread, Op op) {
  std::vector<std::unique_ptr<client::Client>> clients;
  for (int t = 0; t < threads; ++t) clients.push_back(NewClient(o));
  std::vector<std::vector<double>> lat(threads);
  std::atomic<int> errors{0};
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto a = Clock::now();
        Status s = op(*clients[t], t, i);
        if (!s.ok() && errors.fetch_add(1) < 3) std::cerr << "error: " << s.ToString() << "\n";
        lat[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
      }
    });
  }
  for (auto& th : pool) th.join();
  double wall = Seconds(start, Clock::now());
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  if (errors > 0) std::cerr << errors << " errors\n";
  return {all, wall};
}

void Report(const std::string& name, const std::pair<std::vector<double>, double>& r) {
  std::printf("%-44s %9.0f ops/s  p50 %7.2f ms  p99 %7.2f ms\n", name.c_str(),
              r.first.size() / r.second, Percentile(r.first, 0.5), Percentile(r.first, 0.99));
}

void ReportTarget(const std::string& name, const std::pair<std::vector<double>, double>& r) {
  double p99 = Percentile(r.first, 0.99);
  std::printf("%-44s p50 %7.2f ms  p99 %7.2f ms  target p99<=10ms %s\n", name.c_str(),
              Percentile(r.first, 0.5), p99, p99 <= 10.0 ? "PASS" : "MISS");
}

Result<std::string> CreateProject(client::Client& c, const std::string& comp,
                                  const std::string& n) {
  ADS_ASSIGN_OR_RETURN(
      client::Response r,
      c.Call("POST", "/20190101/projects", Json{{"compartmentId", comp}, {"displayName", n}}));
  ADS_ASSIGN_OR_RETURN(Json j, r.ParseJson());
  return j.value("id", std::string());
}

Result<std::string> CreateModel(client::Client& c, const std::string& comp,
                                const std::string& project, const std::string& n) {
  ADS_ASSIGN_OR_RETURN(
      client::Response r,
      c.Call("POST", "/20190101/models",
             Json{{"compartmentId", comp}, {"projectId", project}, {"displayName", n}}));
  ADS_ASSIGN_OR_RETURN(Json j, r.ParseJson());
  return j.value("id", std::string());
}

Status Ignore(const Result<client::Response>& r) { return r.ok() ? Status() : r.status(); }

int Main(const Options& o) {
  Env& env = *Env::Default();
  auto cfg = iam::LoadOciConfig(env, o.config);
  if (!cfg.ok()) {
    std::cerr << "catalog_bench: " << cfg.status().ToString() << "\n";
    return 2;
  }
  const std::string comp = cfg->tenancy;
  auto c0 = NewClient(o);
  auto proj = CreateProject(*c0, comp, "bench-project");
  if (!proj.ok()) {
    std::cerr << "catalog_bench: " << proj.status().ToString() << "\n";
    return 2;
  }
  const std::string project = *proj;
  std::printf("== 1. CRUD throughput (server %s)\n", c0->endpoint().c_str());
  std::vector<std::string> model_ids;
  for (int threads : {1, o.threads}) {
    int per = std::max(1, o.ops / threads);
    std::string tag = " [" + std::to_string(threads) + " client(s)]";
    Report("create project" + tag, Run(o, threads, per, [&](client::Client& c, int t, int i) {
             return CreateProject(c, comp, "p-" + std::to_string(t) + "-" + std::to_string(i))
                 .status();
           }));
    std::vector<std::vector<std::string>> ids(threads);
    Report("create model" + tag, Run(o, threads, per, [&](client::Client& c, int t, int i) {
             auto id =
                 CreateModel(c, comp, project, "m-" + std::to_string(t) + "-" + std::to_string(i));
             if (id.ok()) ids[t].push_back(*id);
             return id.status();
           }));
    for (auto& v : ids) model_ids.insert(model_ids.end(), v.begin(), v.end());
    Report("get project" + tag, Run(o, threads, per, [&](client::Client& c, int, int) {
             return Ignore(c.Call("GET", "/20190101/projects/" + project));
           }));
    Report("get model" + tag, Run(o, threads, per, [&](client::Client& c, int, int i) {
             return Ignore(c.Call("GET", "/20190101/models/" + model_ids[i % model_ids.size()]));
           }));
    Report("list projects (displayName=)" + tag,
           Run(o, threads, per, [&](client::Client& c, int, int) {
             return Ignore(c.Call("GET", "/20190101/projects?compartmentId=" + comp +
                                             "&displayName=bench-project&limit=100"));
           }));
    Report("list models (projectId=, limit=100)" + tag,
           Run(o, threads, per, [&](client::Client& c, int, int) {
             return Ignore(c.Call("GET", "/20190101/models?compartmentId=" + comp +
                                             "&projectId=" + project + "&limit=100"));
           }));
  }

  std::printf("== 2. list latency with %d models in one compartment\n", o.models);
  int have = static_cast<int>(model_ids.size());
  if (o.models > have) {
    int seed_threads = std::max(4, o.threads);
    int per = (o.models - have + seed_threads - 1) / seed_threads;
    auto r = Run(o, seed_threads, per, [&](client::Client& c, int t, int i) {
      return CreateModel(c, comp, project, "seed-" + std::to_string(t) + "-" + std::to_string(i))
          .status();
    });
    std::printf("seeding: %zu models in %.1f s = %.0f creates/s over %d clients\n", r.first.size(),
                r.second, r.first.size() / r.second, seed_threads);
  }
  const std::string base = "/20190101/models?compartmentId=" + comp + "&limit=100";
  auto list = [&](const std::string& q) {
    return Run(o, 1, o.list_ops,
               [&, q](client::Client& c, int, int) { return Ignore(c.Call("GET", q)); });
  };
  ReportTarget("list sortBy=timeCreated", list(base + "&sortBy=timeCreated&sortOrder=DESC"));
  ReportTarget("list sortBy=displayName", list(base + "&sortBy=displayName&sortOrder=ASC"));
  ReportTarget("list displayName=seed-1-7", list(base + "&displayName=seed-1-7"));
  ReportTarget("list lifecycleState=ACTIVE", list(base + "&lifecycleState=ACTIVE"));
  // Each page request on its own (deep pages must cost what the first
  // does) and the walk of 5 pages as a whole.
  std::vector<double> per_page;
  auto walks = Run(o, 1, std::max(20, o.list_ops / 5), [&](client::Client& c, int, int) {
    std::string page;
    for (int p = 0; p < 5; ++p) {
      auto a = Clock::now();
      auto r = c.Call("GET", base + (page.empty() ? "" : "&page=" + page));
      per_page.push_back(std::chrono::duration<double, std::milli>(Clock::now() - a).count());
      if (!r.ok()) return r.status();
      page = std::string(r->Header("opc-next-page"));
      if (page.empty()) break;
    }
    return Status();
  });
  ReportTarget("list pages 1-5 via opc-next-page, each", {per_page, walks.second});
  ReportTarget("list 5 pages via opc-next-page, total", walks);

  if (o.artifact.empty()) return 0;
  std::printf("== 3. artifact transfer (%s)\n", o.artifact.c_str());
  struct stat st {};
  if (stat(o.artifact.c_str(), &st) != 0) {
    std::perror(o.artifact.c_str());
    return 2;
  }
  const uint64_t size = st.st_size;
  const double mib = size / 1048576.0;
  // cp of the same file on the same disk, timed like the transfers below
  // (nothing dropped from caches in either case).
  std::string copy = o.artifact + ".cp";
  auto a = Clock::now();
  if (std::system(("cp '" + o.artifact + "' '" + copy + "'").c_str()) != 0) return 2;
  double cp_s = Seconds(a, Clock::now());
  std::remove(copy.c_str());
  const std::string& model = model_ids.front();
  int fd = open(o.artifact.c_str(), O_RDONLY);
  a = Clock::now();
  auto up = c0->Upload("POST", "/20190101/models/" + model + "/artifact",
                       http::BodySource([fd](char* buf, size_t n) -> Result<size_t> {
                         ssize_t got = read(fd, buf, n);
                         if (got < 0) return Status(StatusCode::kInternal, "read failed");
                         return static_cast<size_t>(got);
                       }),
                       size,
                       {{"content-type", "application/octet-stream"},
                        {"content-disposition", "attachment; filename=artifact.zip"}});
  double up_s = Seconds(a, Clock::now());
  close(fd);
  if (!up.ok()) std::cerr << "upload: " << up.status().ToString() << "\n";
  std::string out = o.artifact + ".down";
  int ofd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  a = Clock::now();
  auto down = c0->Download(
      "/20190101/models/" + model + "/artifact/content", [ofd](std::string_view chunk) {
        if (write(ofd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size()))
          return Status(StatusCode::kInternal, "write failed");
        return Status();
      });
  double down_s = Seconds(a, Clock::now());
  close(ofd);
  std::remove(out.c_str());
  if (!down.ok()) std::cerr << "download: " << down.status().ToString() << "\n";
  std::printf("cp:       %8.1f MiB/s (%.2f s)\n", mib / cp_s, cp_s);
  std::printf("upload:   %8.1f MiB/s (%.2f s)  ratio to cp %.2f  target>=0.5 %s\n", mib / up_s,
              up_s, cp_s / up_s, up.ok() && cp_s / up_s >= 0.5 ? "PASS" : "MISS");
  std::printf("download: %8.1f MiB/s (%.2f s)  ratio to cp %.2f  target>=0.5 %s\n", mib / down_s,
              down_s, cp_s / down_s, down.ok() && cp_s / down_s >= 0.5 ? "PASS" : "MISS");
  return 0;
}

}  // namespace
}  // namespace ads

int main(int argc, char** argv) {
  ads::Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--config")
      o.config = v;
    else if (k == "--endpoint")
      o.endpoint = v;
    else if (k == "--threads")
      o.threads = std::atoi(v.c_str());
    else if (k == "--ops")
      o.ops = std::atoi(v.c_str());
    else if (k == "--models")
      o.models = std::atoi(v.c_str());
    else if (k == "--list-ops")
      o.list_ops = std::atoi(v.c_str());
    else if (k == "--artifact")
      o.artifact = v;
    else {
      std::cerr << "catalog_bench: unknown flag " << k << "\n";
      return 2;
    }
  }
  if (o.config.empty() || o.threads < 1 || o.ops < 1 || o.list_ops < 1) {
    std::cerr << "usage: catalog_bench --config F [--endpoint URL] [--threads N] [--ops N]"
                 " [--models N] [--list-ops N] [--artifact FILE]\n";
    return 2;
  }
  return ads::Main(o);
}
