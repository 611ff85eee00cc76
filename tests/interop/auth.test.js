// Authentication and authorisation as the official SDKs meet them: an
// unknown key is 401 NotAuthenticated; a user whose policies cover one
// compartment gets 404 NotAuthorizedOrNotFound everywhere else, exactly as
// for a resource that does not exist. Users, groups, keys and policies are
// made with the official Identity SDK (oci-identity) against ads.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { clients, expectError, configFile } = require("./sdk_util");

const admin = clients();
const tenancy = admin.tenancy;
const work = process.env.ADS_WORK_DIR;

function newKeyPair() {
  return crypto.generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
}

function fingerprint(publicPem) {
  const der = crypto.createPublicKey(publicPem).export({ type: "spki", format: "der" });
  return crypto.createHash("md5").update(der).digest("hex").match(/../g).join(":");
}

// Writes a config file with one profile and returns its path.
function writeProfile(name, { user, keyPem, fp }) {
  const keyFile = path.join(work, `${name}.pem`);
  fs.writeFileSync(keyFile, keyPem, { mode: 0o600 });
  const file = path.join(work, `${name}.config`);
  fs.writeFileSync(file, `[DEFAULT]\nuser=${user}\ntenancy=${tenancy}\nfingerprint=${fp}\n` +
                         `key_file=${keyFile}\nregion=us-ashburn-1\n`);
  return file;
}

test("an unknown signing key is 401 NotAuthenticated", async () => {
  const { privateKey, publicKey } = newKeyPair();
  const adminUser = admin.provider.getUser();
  const file = writeProfile("stranger", { user: adminUser, keyPem: privateKey, fp: fingerprint(publicKey) });
  const stranger = clients("DEFAULT", file);
  const err = await expectError(() => stranger.ds.listProjects({ compartmentId: tenancy }));
  assert.equal(err.statusCode, 401);
  assert.equal(err.serviceCode, "NotAuthenticated");
  const os = await expectError(() => stranger.os.getNamespace({}));
  assert.equal(os.statusCode, 401);
});

test("a user allowed in one compartment only sees 404 elsewhere", async () => {
  const suffix = Date.now();
  const team = (await admin.iam.createCompartment({
    createCompartmentDetails: { compartmentId: tenancy, name: `team-${suffix}`, description: "team" },
  })).compartment;
  const user = (await admin.iam.createUser({
    createUserDetails: { compartmentId: tenancy, name: `bob-${suffix}`, description: "bob" },
  })).user;
  const group = (await admin.iam.createGroup({
    createGroupDetails: { compartmentId: tenancy, name: `team-ds-${suffix}`, description: "team" },
  })).group;
  await admin.iam.addUserToGroup({ addUserToGroupDetails: { userId: user.id, groupId: group.id } });
  await admin.iam.createPolicy({
    createPolicyDetails: {
      compartmentId: tenancy, name: `team-ds-${suffix}`, description: "team",
      statements: [`allow group team-ds-${suffix} to manage data-science-family in compartment team-${suffix}`],
    },
  });
  const { privateKey, publicKey } = newKeyPair();
  const key = (await admin.iam.uploadApiKey({ userId: user.id, createApiKeyDetails: { key: publicKey } })).apiKey;
  assert.equal(key.fingerprint, fingerprint(publicKey));
  const bob = clients("DEFAULT", writeProfile("bob", { user: user.id, keyPem: privateKey, fp: key.fingerprint }));

  // Allowed: his compartment.
  const mine = (await bob.ds.createProject({ createProjectDetails: { compartmentId: team.id } })).project;
  assert.equal(mine.compartmentId, team.id);
  assert.equal(mine.createdBy, user.id);

  // Refused: the root compartment, reads and writes alike, with the same
  // answer as for a project that does not exist.
  const rootProject = (await admin.ds.createProject({ createProjectDetails: { compartmentId: tenancy } })).project;
  const read = await expectError(() => bob.ds.getProject({ projectId: rootProject.id }));
  assert.equal(read.statusCode, 404);
  assert.equal(read.serviceCode, "NotAuthorizedOrNotFound");
  const missing = await expectError(() => bob.ds.getProject({
    projectId: rootProject.id.slice(0, -4) + "zzzz",
  }));
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.message, read.message);
  const write = await expectError(() => bob.ds.createProject({ createProjectDetails: { compartmentId: tenancy } }));
  assert.equal(write.statusCode, 404);
  const list = await expectError(() => bob.ds.listModels({ compartmentId: tenancy }));
  assert.equal(list.statusCode, 404);
  // Object Storage is not in his policy at all.
  const bucket = await expectError(() => bob.os.createBucket({
    namespaceName: "x", createBucketDetails: { name: `b-${suffix}`, compartmentId: team.id },
  }));
  assert.equal(bucket.statusCode, 404);
});
