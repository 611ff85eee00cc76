// The official OCI Object Storage SDK (oci-objectstorage 2.139.1) against
// ads: namespace, buckets, objects, multipart uploads (UploadManager, as ADS
// uploads large artifacts), and artifact export/import work requests.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const { clients, readAll, expectError, objectstorage, common } = require("./sdk_util");

const admin = clients();
const compartmentId = admin.tenancy;

async function namespace() {
  return (await admin.os.getNamespace({})).value;
}

test("buckets and objects", async () => {
  const ns = await namespace();
  assert.equal(typeof ns, "string");
  assert.ok(ns.length > 0);
  const bucketName = "b-" + Date.now();
  await admin.os.createBucket({ namespaceName: ns, createBucketDetails: { name: bucketName, compartmentId } });
  const body = crypto.randomBytes(123457);
  const objectName = "dir/sub/model.zip";
  const put = await admin.os.putObject({ namespaceName: ns, bucketName, objectName,
                                         putObjectBody: body, contentLength: body.length });
  assert.equal(put.opcContentMd5, crypto.createHash("md5").update(body).digest("base64"));
  const got = await admin.os.getObject({ namespaceName: ns, bucketName, objectName });
  assert.ok((await readAll(got.value)).equals(body));
  const range = await admin.os.getObject({ namespaceName: ns, bucketName, objectName, range: new common.Range(100, 199, null) });
  assert.ok((await readAll(range.value)).equals(body.subarray(100, 200)));
  const head = await admin.os.headObject({ namespaceName: ns, bucketName, objectName });
  assert.equal(Number(head.contentLength), body.length);

  for (const name of ["dir/a", "dir/b", "other"]) {
    await admin.os.putObject({ namespaceName: ns, bucketName, objectName: name,
                               putObjectBody: Buffer.from(name), contentLength: name.length });
  }
  const listed = await admin.os.listObjects({ namespaceName: ns, bucketName, prefix: "dir/", limit: 2 });
  assert.deepEqual(listed.listObjects.objects.map((o) => o.name), ["dir/a", "dir/b"]);
  assert.equal(listed.listObjects.nextStartWith, "dir/sub/model.zip");

  const notEmpty = await expectError(() => admin.os.deleteBucket({ namespaceName: ns, bucketName }));
  assert.equal(notEmpty.statusCode, 409);
  for (const name of ["dir/a", "dir/b", "other", objectName]) {
    await admin.os.deleteObject({ namespaceName: ns, bucketName, objectName: name });
  }
  const gone = await expectError(() => admin.os.getObject({ namespaceName: ns, bucketName, objectName }));
  assert.equal(gone.statusCode, 404);
  await admin.os.deleteBucket({ namespaceName: ns, bucketName });
});

test("multipart upload through UploadManager with parallel parts", async () => {
  const ns = await namespace();
  const bucketName = "mp-" + Date.now();
  await admin.os.createBucket({ namespaceName: ns, createBucketDetails: { name: bucketName, compartmentId } });
  const body = crypto.randomBytes(5 * 1024 * 1024 + 333);
  const manager = new objectstorage.UploadManager(admin.os, {
    partSize: 1024 * 1024, maxConcurrentUploads: 9, enforceMD5: true,
  });
  const res = await manager.upload({
    content: { blob: new Blob([body]) },
    requestDetails: { namespaceName: ns, bucketName, objectName: "big.zip" },
  });
  assert.ok(res.multipartMd5, "a multipart upload answers opc-multipart-md5");
  assert.match(res.multipartMd5, /-6$/);
  const got = await admin.os.getObject({ namespaceName: ns, bucketName, objectName: "big.zip" });
  assert.ok((await readAll(got.value)).equals(body));
});

test("multipart commit with a wrong part etag is refused; abort removes the upload", async () => {
  const ns = await namespace();
  const bucketName = "mp2-" + Date.now();
  await admin.os.createBucket({ namespaceName: ns, createBucketDetails: { name: bucketName, compartmentId } });
  const upload = (await admin.os.createMultipartUpload({
    namespaceName: ns, bucketName, createMultipartUploadDetails: { object: "x" },
  })).multipartUpload;
  const part = await admin.os.uploadPart({ namespaceName: ns, bucketName, objectName: "x", uploadId: upload.uploadId,
                                           uploadPartNum: 1, uploadPartBody: Buffer.from("hello"), contentLength: 5 });
  assert.ok(part.eTag);
  const bad = await expectError(() => admin.os.commitMultipartUpload({
    namespaceName: ns, bucketName, objectName: "x", uploadId: upload.uploadId,
    commitMultipartUploadDetails: { partsToCommit: [{ partNum: 1, etag: "nope" }] },
  }));
  assert.equal(bad.statusCode, 400);
  const parts = await admin.os.listMultipartUploadParts({ namespaceName: ns, bucketName, objectName: "x",
                                                          uploadId: upload.uploadId });
  assert.equal(parts.items.length, 1);
  await admin.os.abortMultipartUpload({ namespaceName: ns, bucketName, objectName: "x", uploadId: upload.uploadId });
  const missing = await expectError(() => admin.os.getObject({ namespaceName: ns, bucketName, objectName: "x" }));
  assert.equal(missing.statusCode, 404);
});

async function waitWorkRequest(id) {
  for (let i = 0; i < 200; i++) {
    const wr = (await admin.ds.getWorkRequest({ workRequestId: id })).workRequest;
    if (["SUCCEEDED", "FAILED", "CANCELED"].includes(wr.status)) return wr;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("work request did not finish");
}

test("export an object into a model artifact and import it back out, as work requests", async () => {
  const ns = await namespace();
  const bucketName = "wr-" + Date.now();
  await admin.os.createBucket({ namespaceName: ns, createBucketDetails: { name: bucketName, compartmentId } });
  const body = crypto.randomBytes(2 * 1024 * 1024);
  await admin.os.putObject({ namespaceName: ns, bucketName, objectName: "in.zip", putObjectBody: body,
                             contentLength: body.length });
  const project = (await admin.ds.createProject({ createProjectDetails: { compartmentId } })).project;
  const model = (await admin.ds.createModel({ createModelDetails: { compartmentId, projectId: project.id } })).model;
  const exp = await admin.ds.exportModelArtifact({
    modelId: model.id,
    exportModelArtifactDetails: { artifactExportType: "OBJECT_STORAGE", namespace: ns, sourceBucket: bucketName,
                                  sourceObjectName: "in.zip", sourceRegion: "us-ashburn-1" },
  });
  assert.ok(exp.opcWorkRequestId);
  assert.equal((await waitWorkRequest(exp.opcWorkRequestId)).status, "SUCCEEDED");
  const content = await admin.ds.getModelArtifactContent({ modelId: model.id });
  assert.ok((await readAll(content.value)).equals(body));

  const imp = await admin.ds.importModelArtifact({
    modelId: model.id,
    importModelArtifactDetails: { artifactImportType: "OBJECT_STORAGE", namespace: ns, destinationBucket: bucketName,
                                  destinationObjectName: "out.zip", destinationRegion: "us-ashburn-1" },
  });
  assert.equal((await waitWorkRequest(imp.opcWorkRequestId)).status, "SUCCEEDED");
  const out = await admin.os.getObject({ namespaceName: ns, bucketName, objectName: "out.zip" });
  assert.ok((await readAll(out.value)).equals(body));

  const other = (await admin.ds.createModel({ createModelDetails: { compartmentId, projectId: project.id } })).model;
  const failing = await admin.ds.exportModelArtifact({
    modelId: other.id,
    exportModelArtifactDetails: { artifactExportType: "OBJECT_STORAGE", namespace: ns, sourceBucket: bucketName,
                                  sourceObjectName: "missing.zip", sourceRegion: "us-ashburn-1" },
  });
  assert.equal((await waitWorkRequest(failing.opcWorkRequestId)).status, "FAILED");
  const errors = await admin.ds.listWorkRequestErrors({ workRequestId: failing.opcWorkRequestId });
  assert.ok(errors.items.length >= 1);
});
