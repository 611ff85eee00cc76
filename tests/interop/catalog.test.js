// The official OCI Data Science SDK (oci-datascience 2.139.1) against ads:
// projects, models, metadata, artifacts, provenance, version sets, paging,
// activate/deactivate, and work requests.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const { clients, readAll, expectError, common } = require("./sdk_util");

const admin = clients();
const compartmentId = admin.tenancy;

async function newProject(name) {
  const res = await admin.ds.createProject({
    createProjectDetails: { compartmentId, displayName: name, description: "interop" },
  });
  return res.project;
}

test("project create, get, list, update, delete", async () => {
  const project = await newProject("interop-project");
  assert.match(project.id, /^ocid1\.datascienceproject\./);
  assert.equal(project.lifecycleState, "ACTIVE");
  const got = await admin.ds.getProject({ projectId: project.id });
  assert.equal(got.project.displayName, "interop-project");
  assert.ok(got.etag);
  const updated = await admin.ds.updateProject({
    projectId: project.id, ifMatch: got.etag,
    updateProjectDetails: { displayName: "renamed", freeformTags: { team: "ml" } },
  });
  assert.equal(updated.project.displayName, "renamed");
  assert.deepEqual(updated.project.freeformTags, { team: "ml" });
  const stale = await expectError(() => admin.ds.updateProject({
    projectId: project.id, ifMatch: got.etag, updateProjectDetails: { displayName: "x" },
  }));
  assert.equal(stale.statusCode, 412);
  const listed = await admin.ds.listProjects({ compartmentId, displayName: "renamed" });
  assert.ok(listed.items.some((p) => p.id === project.id));
  await admin.ds.deleteProject({ projectId: project.id });
  const after = await admin.ds.getProject({ projectId: project.id });
  assert.ok(["DELETING", "DELETED"].includes(after.project.lifecycleState));
});

test("model metadata and schemas round-trip; artifact upload, head, download, immutability", async () => {
  const project = await newProject("models");
  const inputSchema = JSON.stringify({ schema: [{ name: "x", dtype: "float64", feature_type: "Continuous", order: 0 }] });
  const details = {
    compartmentId, projectId: project.id, displayName: "iris-rf", description: "a model",
    freeformTags: { owner: "me" },
    customMetadataList: [
      { key: "EvaluationMetric", value: "0.97", description: "acc", category: "Performance" },
      { key: "notes", value: "hello", category: "Other" },
    ],
    definedMetadataList: [
      { key: "Framework", value: "scikit-learn" }, { key: "UseCaseType", value: "multinomial_classification" },
    ],
    inputSchema, outputSchema: "{}",
  };
  const created = await admin.ds.createModel({ createModelDetails: details });
  const model = created.model;
  assert.match(model.id, /^ocid1\.datasciencemodel\./);
  assert.equal(model.lifecycleState, "ACTIVE");
  assert.equal(model.inputSchema, inputSchema);
  assert.equal(model.customMetadataList.find((m) => m.key === "notes").value, "hello");
  assert.equal(model.definedMetadataList.find((m) => m.key === "Framework").value, "scikit-learn");
  assert.ok(model.createdBy.startsWith("ocid1.user."));

  const bytes = crypto.randomBytes(300 * 1024 + 17);
  await admin.ds.createModelArtifact({
    modelId: model.id, modelArtifact: bytes, contentLength: bytes.length,
    contentDisposition: `attachment; filename="${model.id}.zip"`,
  });
  const head = await admin.ds.headModelArtifact({ modelId: model.id });
  assert.equal(Number(head.contentLength), bytes.length);
  assert.equal(head.contentMd5, crypto.createHash("md5").update(bytes).digest("base64"));
  assert.match(head.contentDisposition, /filename="ocid1\.datasciencemodel/);
  const content = await admin.ds.getModelArtifactContent({ modelId: model.id });
  assert.ok((await readAll(content.value)).equals(bytes));
  const part = await admin.ds.getModelArtifactContent({ modelId: model.id, range: new common.Range(10, 19, null) });
  assert.ok((await readAll(part.value)).equals(bytes.subarray(10, 20)));

  const again = await expectError(() => admin.ds.createModelArtifact({
    modelId: model.id, modelArtifact: Buffer.from("other"), contentLength: 5,
    contentDisposition: "attachment; filename=\"x.zip\"",
  }));
  assert.equal(again.statusCode, 409);
  assert.notEqual(again.serviceCode, "IncorrectState");

  await admin.ds.createModelProvenance({
    modelId: model.id,
    createModelProvenanceDetails: { repositoryUrl: "https://example.com/r.git", gitBranch: "main", gitCommit: "abc123", trainingScript: "train.py" },
  });
  const prov = await admin.ds.getModelProvenance({ modelId: model.id });
  assert.equal(prov.modelProvenance.gitCommit, "abc123");

  const deactivated = await admin.ds.deactivateModel({ modelId: model.id });
  assert.equal(deactivated.model.lifecycleState, "INACTIVE");
  const activated = await admin.ds.activateModel({ modelId: model.id });
  assert.equal(activated.model.lifecycleState, "ACTIVE");

  const updated = await admin.ds.updateModel({
    modelId: model.id, updateModelDetails: { displayName: "iris-rf-2", versionLabel: "v2" },
  });
  assert.equal(updated.model.displayName, "iris-rf-2");
  assert.equal(updated.model.inputSchema, inputSchema);
});

test("metadata limits are enforced by the server", async () => {
  const project = await newProject("limits");
  const err = await expectError(() => admin.ds.createModel({
    createModelDetails: {
      compartmentId, projectId: project.id,
      customMetadataList: [{ key: "big", value: "x".repeat(40000), category: "Other" }],
    },
  }));
  assert.equal(err.statusCode, 400);
});

test("model version sets number their models sequentially; lists page", async () => {
  const project = await newProject("mvs");
  const mvs = (await admin.ds.createModelVersionSet({
    createModelVersionSetDetails: { compartmentId, projectId: project.id, name: "churn-" + Date.now() },
  })).modelVersionSet;
  const ids = [];
  for (let i = 0; i < 5; i++) {
    const m = (await admin.ds.createModel({
      createModelDetails: { compartmentId, projectId: project.id, displayName: `churn-${i}`,
                            modelVersionSetId: mvs.id, versionLabel: `label-${i}` },
    })).model;
    assert.equal(m.versionId, i + 1);
    assert.equal(m.modelVersionSetName, mvs.name);
    ids.push(m.id);
  }
  const seen = [];
  let page;
  do {
    const res = await admin.ds.listModels({ compartmentId, modelVersionSetName: mvs.name, limit: 2, page,
                                            sortBy: "timeCreated", sortOrder: "ASC" });
    assert.ok(Array.isArray(res.items));
    assert.ok(res.items.length <= 2);
    seen.push(...res.items.map((m) => m.id));
    page = res.opcNextPage;
  } while (page);
  assert.deepEqual(seen, ids);
  const byLabel = await admin.ds.listModels({ compartmentId, versionLabel: "label-3" });
  assert.deepEqual(byLabel.items.map((m) => m.id), [ids[3]]);
  const dup = await expectError(() => admin.ds.createModelVersionSet({
    createModelVersionSetDetails: { compartmentId, projectId: project.id, name: mvs.name },
  }));
  assert.equal(dup.statusCode, 409);
});
