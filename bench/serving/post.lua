-- wrk script: POST the bench payload with the headers run.sh computed (for ads, an OCI
-- signature over a fixed date, valid for the server's 5-minute clock skew window), and
-- print one machine-readable line at the end.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
for _, name in ipairs({"Host", "date", "x-content-sha256", "Authorization"}) do
  local v = os.getenv("BENCH_H_" .. name:gsub("-", "_"))
  if v and v ~= "" then wrk.headers[name] = v end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d rps=%.1f p50_us=%d p99_us=%d socket_errors=%d non2xx=%d\n",
      summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50),
      latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
