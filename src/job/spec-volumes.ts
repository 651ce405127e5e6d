// Volumes of the task and mounts of the managed (first) container: Cloud SQL connections,
// `volumes`/`volume_mounts` (matched by volume name and by mount path), and secrets mounted as
// files (one secret volume per directory, as Cloud Run requires). Under secrets_update_strategy
// overwrite, secret volumes the input does not name are unmounted from the managed container
// and dropped once no container mounts them.
import { createHash } from 'node:crypto';
import type { run_v2 } from '@googleapis/run/build/v2';
import { InputError } from '../job-rules/input-error.ts';
import type { Config } from '../model.ts';
import { secretName } from './spec-env.ts';

type V2Volume = run_v2.Schema$GoogleCloudRunV2Volume;
type V2Mount = run_v2.Schema$GoogleCloudRunV2VolumeMount;
type V2Container = run_v2.Schema$GoogleCloudRunV2Container;

/** Where Cloud Run mounts Cloud SQL sockets (/cloudsql/PROJECT:REGION:INSTANCE). */
export const CLOUDSQL_MOUNT = '/cloudsql';

export interface Where {
  project?: string;
  region: string;
}

/** INSTANCE -> PROJECT:REGION:INSTANCE in the job's project and region. */
export function cloudSqlName(instance: string, where: Where): string {
  return instance.includes(':') || !where.project ? instance : `${where.project}:${where.region}:${instance}`;
}

function uniqueName(base: string, volumes: V2Volume[]): string {
  let name = base;
  for (let i = 1; volumes.some((v) => v.name === name); i++) name = `${base}-${i}`;
  return name;
}

/** A stable volume name for the secret mounted at `dir`: re-deploying the same input changes nothing. */
function secretVolumeName(secret: string, dir: string): string {
  const id = (secret.split('/').pop() ?? secret)
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(dir).digest('hex').slice(0, 8);
  return `${id || 'secret'}-${hash}`;
}

function mountAt(mounts: V2Mount[], mount: V2Mount): void {
  const i = mounts.findIndex((m) => m.mountPath === mount.mountPath);
  if (i >= 0) mounts[i] = mount;
  else mounts.push(mount);
}

export interface VolumeResult {
  volumes: V2Volume[];
  mounts: V2Mount[];
}

/**
 * The task's volumes and the managed container's mounts after the inputs. `others` are the
 * job's other containers (their mounts keep volumes alive). Returns undefined when no input
 * touches volumes (both fields stay as they are).
 */
export function mergeVolumes(
  existingVolumes: V2Volume[] | undefined,
  main: V2Container,
  others: V2Container[],
  config: Config,
  where: Where,
): VolumeResult | undefined {
  const overwriteSecrets = config.secretsUpdateStrategy === 'overwrite';
  const secretFiles = Object.entries(config.secretFiles ?? {});
  if (
    !config.cloudSqlInstances &&
    !config.volumes &&
    !config.volumeMounts &&
    !secretFiles.length &&
    !overwriteSecrets
  )
    return undefined;
  const volumes = (existingVolumes ?? []).map((v) => structuredClone(v));
  const mounts = (main.volumeMounts ?? []).map((m) => ({ ...m }));
  const problems: string[] = [];

  if (config.cloudSqlInstances) {
    const instances = config.cloudSqlInstances.map((i) => cloudSqlName(i, where));
    let volume = volumes.find((v) => v.cloudSqlInstance);
    if (volume) volume.cloudSqlInstance = { instances };
    else {
      volume = { name: uniqueName('cloudsql', volumes), cloudSqlInstance: { instances } };
      volumes.push(volume);
    }
    if (!mounts.some((m) => m.name === volume.name))
      mountAt(mounts, { name: volume.name ?? 'cloudsql', mountPath: CLOUDSQL_MOUNT });
  }

  for (const input of config.volumes ?? []) {
    const i = volumes.findIndex((v) => v.name === input.name);
    const volume = structuredClone(input) as V2Volume;
    if (i >= 0) volumes[i] = volume;
    else volumes.push(volume);
  }

  // Secret files, grouped by directory: {dir -> secret, items}.
  const dirs = new Map<string, { secret: string; items: Array<{ path: string; version: string }> }>();
  for (const [file, ref] of secretFiles) {
    const dir = file.slice(0, file.lastIndexOf('/'));
    const entry = dirs.get(dir) ?? { secret: secretName(ref), items: [] };
    entry.items.push({ path: file.slice(dir.length + 1), version: ref.version });
    dirs.set(dir, entry);
  }
  const volumeOf = (name: string | null | undefined) => volumes.find((v) => v.name === name);
  for (const [dir, wanted] of dirs) {
    const mounted = mounts.find((m) => m.mountPath === dir);
    const current = mounted && volumeOf(mounted.name);
    if (current && !current.secret) {
      problems.push(
        `Input "secrets" mounts a secret at ${dir}, where volume ${current.name} (not a secret) is mounted; use another directory`,
      );
      continue;
    }
    const shared = others.some((c) => c.volumeMounts?.some((m) => m.name === current?.name));
    if (current?.secret && !shared) {
      const keep =
        current.secret.secret === wanted.secret && !overwriteSecrets
          ? (current.secret.items ?? []).filter((i) => !wanted.items.some((w) => w.path === i.path))
          : [];
      current.secret = { ...current.secret, secret: wanted.secret, items: [...keep, ...wanted.items] };
      continue;
    }
    const name = uniqueName(secretVolumeName(wanted.secret, dir), volumes);
    volumes.push({ name, secret: { secret: wanted.secret, items: wanted.items } });
    mountAt(mounts, { name, mountPath: dir });
  }

  for (const mount of config.volumeMounts ?? []) {
    if (!volumeOf(mount.name))
      problems.push(
        `Input "volume_mounts" mounts volume ${mount.name}, which neither "volumes" nor the job defines`,
      );
    else mountAt(mounts, { ...mount });
  }
  if (problems.length) throw new InputError(problems);

  let keptMounts = mounts;
  if (overwriteSecrets)
    keptMounts = mounts.filter((m) => !volumeOf(m.name)?.secret || dirs.has(m.mountPath ?? ''));
  const used = new Set([...keptMounts, ...others.flatMap((c) => c.volumeMounts ?? [])].map((m) => m.name));
  const keptVolumes = overwriteSecrets ? volumes.filter((v) => !v.secret || used.has(v.name)) : volumes;
  return { volumes: keptVolumes, mounts: keptMounts };
}
