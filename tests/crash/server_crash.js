// Crash safety of the catalog server, end to end: uploads run against a real
// `ads server` (objects, multipart objects, model artifacts, through the
// official OCI SDKs) while the server is SIGKILLed at a random moment, many
// times in a row. After each kill:
//   - SQLite's integrity check passes on ads.db;
//   - after the restart, tmp/ holds no leftovers;
//   - every upload the server acknowledged is there, byte for byte;
//   - every object or artifact that is visible at all is complete: its
//     bytes are exactly what its name says they must be (no partial writes).
//
// usage: node server_crash.js ADS_BINARY [ROUNDS]
"use strict";

const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const net = require("node:net");
const { spawn, execFileSync } = require("node:child_process");
const common = require("oci-common");
const datascience = require("oci-datascience");
const objectstorage = require("oci-objectstorage");

const ads = process.argv[2];
const rounds = Number(process.argv[3] || 12);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "ads-crash-"));
const dataDir = path.join(work, "data");
const configFile = path.join(work, "config");

// The bytes an upload named `name` must have: a SHA-256 stream of the name,
// `size` bytes long (the size is the name's last field).
function contentFor(name) {
  const size = Number(name.split("-").pop());
  const out = Buffer.alloc(size);
  let offset = 0;
  for (let i = 0; offset < size; i++) {
    offset += crypto.createHash("sha256").update(`${name}/${i}`).digest().copy(out, offset);
  }
  return out;
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function startServer(port) {
  const child = spawn(ads, ["server", "--data-dir", dataDir, "--port", String(port), "--config-file", configFile],
                      { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", (d) => { log = (log + d).slice(-4000); });
  child.log = () => log;
  return child;
}

async function waitHealthy(port, child) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error("server exited: " + child.log());
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch (e) { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("server did not become healthy");
}

function clientsFor(port) {
  const provider = new common.ConfigFileAuthenticationDetailsProvider(configFile, "DEFAULT");
  const conf = { retryConfiguration: common.NoRetryConfigurationDetails };
  const ds = new datascience.DataScienceClient({ authenticationDetailsProvider: provider }, conf);
  ds.endpoint = `http://127.0.0.1:${port}`;
  const osc = new objectstorage.ObjectStorageClient({ authenticationDetailsProvider: provider }, conf);
  osc.endpoint = `http://127.0.0.1:${port}`;
  return { ds, os: osc, tenancy: provider.getTenantId() };
}

async function readAll(value) {
  if (typeof value.getReader === "function") {
    const reader = value.getReader();
    const parts = [];
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      parts.push(Buffer.from(chunk));
    }
    return Buffer.concat(parts);
  }
  const parts = [];
  for await (const chunk of value) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

function integrityCheck() {
  const out = execFileSync("/usr/bin/python3", ["-c",
    "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('pragma integrity_check').fetchone()[0])",
    path.join(dataDir, "ads.db")]).toString().trim();
  assert.equal(out, "ok", "SQLite integrity check");
}

// One upload of a random kind; resolves with what was acknowledged.
async function oneUpload(c, ns, bucket, projectId, round, i) {
  const kind = i % 3;
  if (kind === 0) {
    const name = `obj-${round}-${i}-${1 + crypto.randomInt(600 * 1024)}`;
    const body = contentFor(name);
    await c.os.putObject({ namespaceName: ns, bucketName: bucket, objectName: name, putObjectBody: body,
                           contentLength: body.length });
    return { kind: "object", name };
  }
  if (kind === 1) {
    const name = `mp-${round}-${i}-${2 * 1024 * 1024 + crypto.randomInt(1024 * 1024)}`;
    const manager = new objectstorage.UploadManager(c.os, { partSize: 1024 * 1024, maxConcurrentUploads: 3,
                                                             isDisableAutoAbort: true });
    await manager.upload({ content: { blob: new Blob([contentFor(name)]) },
                           requestDetails: { namespaceName: ns, bucketName: bucket, objectName: name } });
    return { kind: "object", name };
  }
  const name = `art-${round}-${i}-${1 + crypto.randomInt(1024 * 1024)}`;
  const model = (await c.ds.createModel({ createModelDetails: { compartmentId: c.tenancy, projectId,
                                                                displayName: name } })).model;
  const body = contentFor(name);
  await c.ds.createModelArtifact({ modelId: model.id, modelArtifact: body, contentLength: body.length,
                                   contentDisposition: `attachment; filename="${model.id}.zip"` });
  return { kind: "artifact", name, id: model.id };
}

async function verify(c, ns, bucket, acknowledged) {
  const seen = new Set();
  let start;
  do {
    const res = await c.os.listObjects({ namespaceName: ns, bucketName: bucket, start, limit: 100 });
    for (const o of res.listObjects.objects) {
      const got = await readAll((await c.os.getObject({ namespaceName: ns, bucketName: bucket,
                                                         objectName: o.name })).value);
      assert.ok(got.equals(contentFor(o.name)), `object ${o.name} is complete`);
      seen.add(o.name);
    }
    start = res.listObjects.nextStartWith;
  } while (start);
  let page;
  do {
    const res = await c.ds.listModels({ compartmentId: c.tenancy, limit: 100, page });
    for (const m of res.items) {
      if (!m.displayName.startsWith("art-")) continue;
      let got;
      try {
        got = await readAll((await c.ds.getModelArtifactContent({ modelId: m.id })).value);
      } catch (e) {
        if (e.statusCode === 404) continue;  // created, artifact never arrived
        throw e;
      }
      assert.ok(got.equals(contentFor(m.displayName)), `artifact of ${m.displayName} is complete`);
      seen.add(m.displayName);
    }
    page = res.opcNextPage;
  } while (page);
  for (const a of acknowledged) assert.ok(seen.has(a.name), `acknowledged upload ${a.name} survived`);
  return seen.size;
}

async function main() {
  const port = await freePort();
  let server = startServer(port);
  await waitHealthy(port, server);
  let c = clientsFor(port);
  const ns = (await c.os.getNamespace({})).value;
  const bucket = "crash";
  await c.os.createBucket({ namespaceName: ns, createBucketDetails: { name: bucket, compartmentId: c.tenancy } });
  const projectId = (await c.ds.createProject({ createProjectDetails: { compartmentId: c.tenancy } })).project.id;
  const acknowledged = [];
  for (let round = 0; round < rounds; round++) {
    let stop = false;
    const workers = [];
    for (let w = 0; w < 3; w++) {
      workers.push((async () => {
        for (let i = w; !stop; i += 3) {
          try {
            acknowledged.push(await oneUpload(c, ns, bucket, projectId, round, i));
          } catch (e) {
            if (!stop) throw e;
          }
        }
      })());
    }
    await new Promise((r) => setTimeout(r, 300 + crypto.randomInt(1500)));
    stop = true;
    server.kill("SIGKILL");
    await new Promise((r) => server.once("exit", r));
    await Promise.allSettled(workers);
    integrityCheck();
    server = startServer(port);
    await waitHealthy(port, server);
    const leftovers = fs.readdirSync(path.join(dataDir, "tmp"));
    assert.deepEqual(leftovers, [], "tmp/ is empty after recovery");
    c = clientsFor(port);
    const visible = await verify(c, ns, bucket, acknowledged);
    console.log(`round ${round + 1}/${rounds}: ${acknowledged.length} acknowledged, ${visible} visible and intact`);
  }
  server.kill("SIGTERM");
  await new Promise((r) => server.once("exit", r));
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
