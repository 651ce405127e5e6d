// Generates src/job/v2-job-fields.json: the field tree of the Cloud Run Admin API v2 Job
// message, which `job_patch` is validated against. Run it by hand when gcloud or
// @googleapis/run is upgraded (`node scripts/gen-run-v2-fields.mjs`); the output is committed,
// so neither the action nor its tests need gcloud.
//
// Sources, in order:
// 1. gcloud's generated apitools messages (run_v2_messages.py): every message, field, repeated
//    flag, enum value and "Output only." mark reachable from GoogleCloudRunV2Job.
// 2. @googleapis/run's build/v2.d.ts (the client the action ships): fields Google added after
//    the installed gcloud was generated (listed under `source.newerFields`, typed from the .d.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = 'GoogleCloudRunV2Job';
const out = fileURLToPath(new URL('../src/job/v2-job-fields.json', import.meta.url));
const dts = fileURLToPath(new URL('../node_modules/@googleapis/run/build/v2.d.ts', import.meta.url));
const runPackage = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../node_modules/@googleapis/run/package.json', import.meta.url)),
    'utf8',
  ),
);

const sdkRoot = execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], {
  encoding: 'utf8',
}).trim();
const sdkVersion = execFileSync('gcloud', ['version', '--format=value(core)'], { encoding: 'utf8' }).trim();
const MESSAGES_PATH = 'lib/googlecloudsdk/generated_clients/apis/run/v2/run_v2_messages.py';
const python = readFileSync(`${sdkRoot}/${MESSAGES_PATH}`, 'utf8').split('\n');

/** apitools messages: { name: { fields: {f: {kind, ref?, repeated, variant?}}, enums, maps, outputOnly } } */
function parseMessages(lines) {
  const messages = {};
  let top;
  let nested;
  let section;
  let docField;
  for (const line of lines) {
    let m = /^class (\w+)\(_messages\.Message\):/.exec(line);
    if (m) {
      top = { fields: {}, enums: {}, maps: new Set(), docs: {} };
      messages[m[1]] = top;
      nested = undefined;
      section = 'doc';
      continue;
    }
    if (/^\S/.test(line)) {
      top = undefined;
      continue;
    }
    if (!top) continue;
    m = /^ {2}class (\w+)\(_messages\.(Enum|Message)\):/.exec(line);
    if (m) {
      nested = { name: m[1], kind: m[2], values: [], additional: false };
      if (m[2] === 'Enum') top.enums[m[1]] = nested.values;
      section = 'nested';
      continue;
    }
    if (section === 'doc') {
      if (/^ {2}Fields:/.test(line)) docField = '';
      else if (docField !== undefined) {
        const f = /^ {4}(\w+): (.*)$/.exec(line);
        const more = /^ {6}(.*)$/.exec(line);
        if (f) {
          docField = f[1];
          top.docs[docField] = f[2];
        } else if (more && docField) top.docs[docField] += ` ${more[1]}`;
        else if (/"""/.test(line)) docField = undefined;
      }
    }
    if (nested && /^ {4}\w+ = \d+$/.test(line)) nested.values.push(line.trim().split(' ')[0]);
    if (nested && /^ {4}additionalProperties = /.test(line)) top.maps.add(nested.name);
    m = /^ {2}(\w+) = _messages\.(\w+)Field\((?:'([\w.]+)', )?\d+(.*)\)$/.exec(line);
    if (m) {
      section = 'fields';
      nested = undefined;
      top.fields[m[1]] = {
        kind: m[2],
        ref: m[3],
        repeated: /repeated=True/.test(m[4]),
        int32: /INT32/.test(m[4]),
      };
    }
  }
  return messages;
}

/** `export interface Schema$X { f?: T; }` blocks of the googleapis client typings. */
function parseTypings(text) {
  const types = {};
  const re = /export interface Schema\$(\w+) \{([\s\S]*?)\n {4}\}/g;
  for (const m of text.matchAll(re)) {
    const fields = {};
    for (const f of m[2].matchAll(/^ {8}(\w+)\?: (.+);$/gm)) fields[f[1]] = f[2];
    types[m[1]] = fields;
  }
  return types;
}

function fromTyping(t) {
  const ref = /^Schema\$(\w+)(\[\])?$/.exec(t);
  if (ref) return `${ref[1]}${ref[2] ?? ''}`;
  const base = t.replace(/ \| null$/, '');
  const scalar = { string: 'string', number: 'number', boolean: 'bool', 'string[]': 'string[]' }[base];
  if (scalar) return scalar;
  if (/^\{\s*\[key: string\]: string;?\s*\}$/.test(base)) return 'map';
  throw new Error(`unmapped typing ${t}`);
}

const messages = parseMessages(python);
const typings = parseTypings(readFileSync(dts, 'utf8'));
const tree = {};
const newerFields = [];
const queue = [ROOT];
while (queue.length) {
  const name = queue.shift();
  if (tree[name]) continue;
  // A message newer than gcloud comes from the typings alone.
  const msg = messages[name] ?? (typings[name] && { fields: {}, enums: {}, maps: new Set(), docs: {} });
  if (!msg) throw new Error(`message ${name} not found in ${MESSAGES_PATH} nor in the typings`);
  const fields = {};
  const outputOnly = [];
  for (const [field, f] of Object.entries(msg.fields)) {
    let type;
    if (f.kind === 'Message' && msg.maps.has(f.ref)) type = 'map';
    else if (f.kind === 'Message') {
      type = f.ref;
      queue.push(f.ref);
    } else if (f.kind === 'Enum') type = `enum:${msg.enums[f.ref].join('|')}`;
    else if (f.kind === 'String') type = 'string';
    else if (f.kind === 'Boolean') type = 'bool';
    else if (f.kind === 'Integer') type = f.int32 ? 'int' : 'int64';
    else if (f.kind === 'Float') type = 'number';
    else if (f.kind === 'Bytes') type = 'string';
    else throw new Error(`unmapped field kind ${f.kind} of ${name}.${field}`);
    fields[field] = f.repeated ? `${type}[]` : type;
    if (/\bOutput only\b/i.test(msg.docs[field] ?? '')) outputOnly.push(field);
  }
  for (const [field, t] of Object.entries(typings[name] ?? {})) {
    if (fields[field]) continue;
    fields[field] = fromTyping(t);
    const ref = fields[field].replace(/\[\]$/, '');
    if (messages[ref] || typings[ref]) queue.push(ref);
    newerFields.push(`${name}.${field}`);
  }
  tree[name] = outputOnly.length ? { fields, outputOnly } : { fields };
}

const doc = {
  source: {
    generatedBy: 'scripts/gen-run-v2-fields.mjs',
    messages: `Google Cloud SDK ${sdkVersion}, ${MESSAGES_PATH}`,
    typings: `@googleapis/run ${runPackage.version}, build/v2.d.ts`,
    newerFields,
    types:
      'string, bool, int (int32 JSON number), int64 (JSON string or number), number, map (string to string), enum:A|B, a message name; [] = repeated',
  },
  root: ROOT,
  messages: tree,
};
writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
// The repository's formatter decides the layout, so a re-run with the same sources is a no-op diff.
execFileSync('npx', ['biome', 'format', '--write', out], { stdio: 'ignore' });
console.log(
  `${out}: ${Object.keys(tree).length} messages, newer fields: ${newerFields.join(', ') || 'none'}`,
);
