// Shared set-up for the interop tests: the official OCI TypeScript SDK
// clients, pointed at the ads server that run.sh started, signing with the
// config file that server wrote on first start.
"use strict";

const common = require("oci-common");
const datascience = require("oci-datascience");
const objectstorage = require("oci-objectstorage");
const identity = require("oci-identity");

const endpoint = process.env.ADS_ENDPOINT;
const configFile = process.env.ADS_CONFIG_FILE;
if (!endpoint || !configFile) {
  throw new Error("run through tests/interop/run.sh (ADS_ENDPOINT and ADS_CONFIG_FILE unset)");
}

// No retries: a test must see the first answer, and a 409 or 5xx must not
// be hidden behind the SDK's 30-second back-off.
const clientConfiguration = { retryConfiguration: common.NoRetryConfigurationDetails };

function clients(profile = "DEFAULT", file = configFile) {
  const provider = new common.ConfigFileAuthenticationDetailsProvider(file, profile);
  const ds = new datascience.DataScienceClient({ authenticationDetailsProvider: provider },
                                               clientConfiguration);
  ds.endpoint = endpoint;
  const os = new objectstorage.ObjectStorageClient({ authenticationDetailsProvider: provider },
                                                  clientConfiguration);
  os.endpoint = endpoint;
  const iam = new identity.IdentityClient({ authenticationDetailsProvider: provider },
                                          clientConfiguration);
  iam.endpoint = endpoint;
  return { provider, ds, os, iam, tenancy: provider.getTenantId() };
}

async function readAll(value) {
  if (value == null) return Buffer.alloc(0);
  if (Buffer.isBuffer(value)) return value;
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
  if (typeof value.arrayBuffer === "function") return Buffer.from(await value.arrayBuffer());
  const parts = [];
  for await (const chunk of value) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
}

// Runs `fn` and returns the OCI error it threw (statusCode, serviceCode);
// fails when it succeeds.
async function expectError(fn) {
  try {
    await fn();
  } catch (e) {
    if (e.statusCode === undefined) throw e;
    return e;
  }
  throw new Error("expected the call to fail");
}

module.exports = { common, datascience, objectstorage, identity, clients, readAll, expectError,
                   endpoint, configFile };
