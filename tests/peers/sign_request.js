// Signs requests with the official OCI TypeScript SDK (oci-common's
// DefaultRequestSigner, the signer every SDK client uses) and prints the
// resulting headers, so that ads' C++ signer and verifier can be checked
// against it (src/iam/sdk_interop_test.cc).
//
// usage: node sign_request.js CONFIG_FILE PROFILE REQUESTS_JSON
//   REQUESTS_JSON: [{"method": "POST", "uri": "http://host:port/path?q",
//                    "body": "..." | null, "binary": false,
//                    "xdate": "Thu, 05 Jan 2014 21:31:40 GMT"}]
// prints: [{"method": ..., "uri": ..., "headers": {lower-case name: value}}]
//
// Install once: npm ci --ignore-scripts --prefix tests/peers
"use strict";

const fs = require("fs");
const common = require("oci-common");

async function main() {
  const [configFile, profile, requestsFile] = process.argv.slice(2);
  if (!requestsFile) {
    throw new Error("usage: node sign_request.js CONFIG_FILE PROFILE REQUESTS_JSON");
  }
  const provider = new common.ConfigFileAuthenticationDetailsProvider(configFile, profile);
  const signer = new common.DefaultRequestSigner(provider);
  const requests = JSON.parse(fs.readFileSync(requestsFile, "utf8"));
  const out = [];
  for (const r of requests) {
    const headers = new Headers();
    // A fixed x-date makes the RSA signature reproducible by ads.
    if (r.xdate) headers.set("x-date", r.xdate);
    const request = { method: r.method, uri: r.uri, headers: headers };
    if (r.body !== null && r.body !== undefined) request.body = r.body;
    // forceExcludeBody is what the SDK passes for binary uploads.
    await signer.signHttpRequest(request, Boolean(r.binary));
    const printed = {};
    headers.forEach((value, name) => {
      printed[name] = value;
    });
    out.push({ method: r.method, uri: r.uri, headers: printed });
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  process.stderr.write("sign_request.js: " + (e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
