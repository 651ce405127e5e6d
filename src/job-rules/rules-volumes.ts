// Volumes and mounts: where a volume may be mounted, that every mount names a volume, the
// paths of secret items inside their volume, and Cloud SQL connection names.
import { quote } from './names.ts';
import type { JobView, MountView, VolumeView } from './view.ts';
import { type Violation, violation } from './violation.ts';

/**
 * "Cloud Run does not allow you to mount a volume at /dev, /proc, or /sys, or on their
 * subdirectories" (Disallowed paths, https://cloud.google.com/run/docs/configuring/jobs/cloud-storage-volume-mounts
 * and the other volume pages).
 */
const DISALLOWED = ['/dev', '/proc', '/sys'];
/** Cloud SQL volumes mount at /cloudsql (GoogleCloudRunV2VolumeMount.mountPath, gcloud's run v2 messages). */
const CLOUDSQL_PATH = '/cloudsql';
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** Absolute, no ':' (the v2 VolumeMount rule), no empty, '.' or '..' segment (gcloud's _ValidatedMountPoint, command_lib/run/flags.py). */
function mountPathProblem(path: string): string | undefined {
  if (path.length > 4096 || CONTROL.test(path))
    return `must be a path without control characters, got ${quote(path)}`;
  if (!path.startsWith('/')) return `must be an absolute path, got ${quote(path)}`;
  if (path.includes(':')) return `must not contain ":", got ${quote(path)}`;
  const segments = path.split('/').slice(1);
  if (segments.some((s) => s === '.' || s === '..' || (s === '' && path !== '/')))
    return `must not have empty, "." or ".." segments, got ${quote(path)}`;
  const under = DISALLOWED.find((d) => path === d || path.startsWith(`${d}/`));
  if (under)
    return `must not be ${under} or under it (Cloud Run does not mount volumes there), got ${quote(path)}`;
  if (path === '/') return 'must not be / (the container root)';
  return undefined;
}

function mountRules(mounts: MountView[], volumes: Map<string, VolumeView>, out: Violation[]): void {
  const paths = new Set<string>();
  for (const m of mounts) {
    const volume = volumes.get(m.name.value);
    // A Cloud SQL volume's mount path may be left empty (it is /cloudsql then).
    const path = volume?.kind === 'cloudsql' && m.mountPath.value === '' ? CLOUDSQL_PATH : m.mountPath.value;
    const problem = mountPathProblem(path);
    if (problem) out.push(violation('mount-path', m.mountPath.at, `mount path ${problem}`));
    else if (paths.has(path))
      out.push(
        violation('mount-path', m.mountPath.at, `two volumes are mounted at ${quote(path)}; keep one`),
      );
    paths.add(path);
    if (!volume)
      out.push(
        violation(
          'mount-volume',
          m.name.at,
          `mount names volume ${quote(m.name.value)}, which the job does not define`,
        ),
      );
    else if (volume.kind === 'cloudsql' && path !== CLOUDSQL_PATH && !problem)
      out.push(
        violation(
          'mount-path',
          m.mountPath.at,
          `a Cloud SQL volume mounts at ${CLOUDSQL_PATH}, got ${quote(path)}`,
        ),
      );
  }
}

/**
 * A secret item's path is relative to the mount (GoogleCloudRunV2VersionToPath.path); it must
 * stay inside it: not absolute, no '..' or empty segment, no control character, unique in its volume.
 */
function itemRules(volume: VolumeView, out: Violation[]): void {
  const seen = new Set<string>();
  for (const { path } of volume.items) {
    const p = path.value;
    const segments = p.split('/');
    let problem: string | undefined;
    if (p === '' || p.length > 4096) problem = `must be a relative file path, got ${quote(p)}`;
    else if (CONTROL.test(p)) problem = `must not contain control characters, got ${quote(p)}`;
    else if (p.startsWith('/')) problem = `must be relative to the mount, got ${quote(p)}`;
    else if (segments.some((s) => s === '..' || s === '' || s === '.'))
      problem = `must not have empty, "." or ".." segments (it would leave the mount), got ${quote(p)}`;
    else if (seen.has(p)) problem = `appears twice in the volume; keep one`;
    seen.add(p);
    if (problem)
      out.push(
        violation(
          'secret-item-path',
          path.at,
          `secret file path of volume ${quote(volume.name.value)} ${problem}`,
        ),
      );
  }
}

/**
 * PROJECT:REGION:INSTANCE (GoogleCloudRunV2CloudSqlInstance.instances in gcloud's run v2
 * messages; gcloud's CloudSQLChanges refuses any other number of parts than 1 or 3,
 * command_lib/run/config_changes.py). A domain-scoped project (example.com:proj) keeps its colon.
 */
const CLOUDSQL =
  /^(?:[a-z0-9.-]+\.[a-z]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]:[a-z]+(?:-[a-z]+)+\d+:[a-z](?:[a-z0-9-]{0,96}[a-z0-9])?$/;

export function volumeRules(view: JobView): Violation[] {
  const out: Violation[] = [];
  const volumes = new Map(view.volumes.map((v) => [v.name.value, v]));
  for (const c of view.containers) mountRules(c.mounts, volumes, out);
  for (const v of view.volumes) itemRules(v, out);
  for (const name of view.cloudSql)
    if (name.value.length > 300 || !CLOUDSQL.test(name.value))
      out.push(
        violation(
          'cloudsql-name',
          name.at,
          `Cloud SQL connection name must be PROJECT:REGION:INSTANCE, got ${quote(name.value)}`,
        ),
      );
  return out;
}
