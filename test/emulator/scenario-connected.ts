// Scenario keys for what jobs connect to (SCENARIO.md, "Cloud SQL, VPC, buckets and keys"):
// Cloud SQL instances, subnetworks with their IAM policies, Serverless VPC Access connectors,
// Cloud Storage buckets and KMS keys with theirs, and the log lines an image's tasks print.
import type { Policy, WorldConnected } from './contract.ts';
import { fail, list, type Obj, obj } from './scenario-read.ts';

const named = (v: unknown, where: string, pattern: RegExp, form: string): string => {
  if (typeof v !== 'string' || !pattern.test(v)) fail(where, `expected ${form}`);
  return v;
};

/** `policy` parses an IAM policy the way the rest of the scenario does. */
export function connectedFromObject(raw: Obj, policy: (v: unknown, where: string) => Policy): WorldConnected {
  const out: WorldConnected = {
    sqlInstances: [],
    subnetworks: [],
    connectors: {},
    buckets: [],
    cryptoKeys: {},
    keyRings: {},
    imageLogs: {},
    logEntries: [],
    tasks: {},
  };
  list(raw.sqlInstances, 'sqlInstances').forEach((v, i) => {
    const o = obj(v, `sqlInstances[${i}]`);
    const where = `sqlInstances[${i}]`;
    out.sqlInstances.push({
      name: named(o.name, `${where}.name`, /^projects\/[^/]+\/instances\/[^/]+$/, 'projects/P/instances/I'),
      region: typeof o.region === 'string' ? o.region : fail(`${where}.region`, 'expected a region'),
      databaseVersion: typeof o.databaseVersion === 'string' ? o.databaseVersion : 'POSTGRES_16',
    });
  });
  list(raw.subnetworks, 'subnetworks').forEach((v, i) => {
    const o = obj(v, `subnetworks[${i}]`);
    const where = `subnetworks[${i}]`;
    const name = named(
      o.name,
      `${where}.name`,
      /^projects\/[^/]+\/regions\/[^/]+\/subnetworks\/[^/]+$/,
      'projects/P/regions/R/subnetworks/S',
    );
    const project = name.split('/')[1] ?? '';
    const network =
      o.network === undefined
        ? `projects/${project}/global/networks/${name.split('/').pop()}`
        : named(
            o.network,
            `${where}.network`,
            /^projects\/[^/]+\/global\/networks\/[^/]+$/,
            'projects/P/global/networks/N',
          );
    out.subnetworks.push({ name, network, policy: policy(o.policy, `${where}.policy`) });
  });
  list(raw.connectors, 'connectors').forEach((v, i) => {
    const o = obj(v, `connectors[${i}]`);
    const name = named(
      o.name,
      `connectors[${i}].name`,
      /^projects\/[^/]+\/locations\/[^/]+\/connectors\/[^/]+$/,
      'projects/P/locations/L/connectors/C',
    );
    out.connectors[name] = typeof o.network === 'string' ? o.network : 'default';
  });
  list(raw.buckets, 'buckets').forEach((v, i) => {
    const o = obj(v, `buckets[${i}]`);
    out.buckets.push({
      name: named(o.name, `buckets[${i}].name`, /^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$/, 'a bucket name'),
      project:
        typeof o.project === 'string' ? o.project : fail(`buckets[${i}].project`, 'expected a project id'),
      policy: policy(o.policy, `buckets[${i}].policy`),
    });
  });
  list(raw.cryptoKeys, 'cryptoKeys').forEach((v, i) => {
    const o = obj(v, `cryptoKeys[${i}]`);
    const name = named(
      o.name,
      `cryptoKeys[${i}].name`,
      /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+$/,
      'projects/P/locations/L/keyRings/R/cryptoKeys/K',
    );
    out.cryptoKeys[name] = { policy: policy(o.policy, `cryptoKeys[${i}].policy`) };
  });
  list(raw.keyRings, 'keyRings').forEach((v, i) => {
    const o = obj(v, `keyRings[${i}]`);
    const name = named(
      o.name,
      `keyRings[${i}].name`,
      /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+$/,
      'projects/P/locations/L/keyRings/R',
    );
    out.keyRings[name] = { policy: policy(o.policy, `keyRings[${i}].policy`) };
  });
  for (const [image, lines] of Object.entries(obj(raw.imageLogs, 'imageLogs')))
    out.imageLogs[image] = list(lines, `imageLogs.${image}`).map(String);
  return out;
}
