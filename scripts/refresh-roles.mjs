// `npm run refresh-roles` (needs network and a logged-in gcloud; run by hand, never in CI):
// re-reads every predefined role in test/emulator/data/roles.json with
// `gcloud iam roles describe ROLE --format=json` and rewrites its title, stage and
// includedPermissions. Roles listed in "filteredRoles" (viewer, editor, owner: thousands of
// permissions) keep only the services named there. The file's provenance says when and with
// which gcloud it was refreshed, after where it first came from.
//
//   node scripts/refresh-roles.mjs [--file PATH] [--gcloud PATH] [--check]
//
// --check only reports which roles differ and exits 1 if any does (nothing is written).
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const DEFAULT_FILE = fileURLToPath(new URL('../test/emulator/data/roles.json', import.meta.url));
const PARALLEL = 4;

/** Permissions of a filtered role that belong to the listed services ("iam, run, ..."). */
export function filterPermissions(permissions, services) {
  const keep = new Set(services.split(',').map((s) => s.trim()));
  return permissions.filter((p) => keep.has(p.split('.')[0]));
}

/** The new file: every role replaced by what gcloud described, provenance extended. */
export function refreshed(data, described, note) {
  const roles = {};
  for (const [name, old] of Object.entries(data.roles)) {
    const d = described[name];
    if (!d) throw new Error(`no description for ${name}`);
    const filter = data.filteredRoles?.[name];
    const perms = [...(d.includedPermissions ?? [])].sort();
    roles[name] = {
      ...old,
      title: d.title ?? old.title,
      ...(d.stage ? { stage: d.stage } : {}),
      includedPermissions: filter ? filterPermissions(perms, filter) : perms,
    };
  }
  const source = String(data.source ?? '').replace(/; refreshed .*$/, '');
  return { ...data, source: `${source}; refreshed ${note}`, roles };
}

async function describe(gcloud, role) {
  try {
    const { stdout } = await run(gcloud, ['iam', 'roles', 'describe', role, '--format=json'], {
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    });
    return JSON.parse(stdout);
  } catch (e) {
    throw new Error(`gcloud iam roles describe ${role} failed: ${e.stderr?.trim() || e.message}`);
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      file: { type: 'string', default: DEFAULT_FILE },
      gcloud: { type: 'string', default: 'gcloud' },
      check: { type: 'boolean', default: false },
    },
  });
  const data = JSON.parse(await readFile(values.file, 'utf8'));
  const names = Object.keys(data.roles);
  const described = {};
  for (let i = 0; i < names.length; i += PARALLEL)
    await Promise.all(
      names.slice(i, i + PARALLEL).map(async (n) => {
        described[n] = await describe(values.gcloud, n);
      }),
    );
  const { stdout: version } = await run(values.gcloud, ['version', '--format=value(core)']).catch(() => ({
    stdout: 'unknown',
  }));
  const note = `with gcloud iam roles describe (gcloud ${version.trim() || 'unknown'}) on ${new Date().toISOString().slice(0, 10)}`;
  const next = refreshed(data, described, note);
  const changed = names.filter((n) => JSON.stringify(next.roles[n]) !== JSON.stringify(data.roles[n]));
  for (const n of changed) console.log(`changed: ${n}`);
  if (values.check) {
    console.log(changed.length ? `${changed.length} role(s) differ from Google's` : 'every role matches');
    process.exit(changed.length ? 1 : 0);
  }
  await writeFile(values.file, `${JSON.stringify(next, null, 2)}\n`);
  console.log(`${values.file}: ${names.length} roles refreshed, ${changed.length} changed`);
}

if (process.argv[1] === fileURLToPath(import.meta.url))
  main().catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
