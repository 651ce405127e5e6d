// `volumes` and `volume_mounts`, one per line in gcloud's --add-volume / --add-volume-mount
// syntax: name=NAME,type=cloud-storage,bucket=B[,readonly=true][,mount-options=a;b] |
// type=nfs,location=SERVER:/PATH[,readonly=true] | type=in-memory[,size-limit=256Mi];
// volume=NAME,mount-path=/PATH. Keys gcloud does not know for a type are refused, as gcloud does.
import type { JobFeatures, VolumeInput } from '../model.ts';
import { type Bad, parseDict, splitLines } from './lists.ts';

/** Volume names join volumes to mounts; lowercase DNS labels keep them valid everywhere. */
const VOLUME_NAME = /^[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?$/;
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
const QUANTITY = /^\d+(?:\.\d+)?(?:Ki|Mi|Gi|Ti|k|M|G|T)?$/;
/** An absolute path with no `:` (Cloud Run refuses it in a mount path), no `.`/`..` segments. */
export const MOUNT_PATH = /^(?:\/(?!\.{1,2}(?:\/|$))[^/:\0]+)+$/;

const KEYS: Record<string, { required: string[]; optional: string[] }> = {
  'cloud-storage': { required: ['bucket'], optional: ['readonly', 'mount-options'] },
  nfs: { required: ['location'], optional: ['readonly'] },
  'in-memory': { required: [], optional: ['size-limit'] },
};
const VOLUME_FORM =
  'one volume per line: name=NAME,type=cloud-storage,bucket=BUCKET[,readonly=true] | name=NAME,type=nfs,location=SERVER:/PATH[,readonly=true] | name=NAME,type=in-memory[,size-limit=256Mi]';
const MOUNT_FORM = 'one mount per line: volume=NAME,mount-path=/PATH';

function readOnly(dict: Map<string, string>, entry: string, bad: Bad): boolean | undefined {
  const v = dict.get('readonly');
  if (v === undefined) return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  bad('volumes', 'readonly=true or readonly=false', entry);
  return undefined;
}

function parseVolume(entry: string, bad: Bad): VolumeInput | undefined {
  const dict = parseDict(entry);
  const name = dict?.get('name');
  const type = dict?.get('type') ?? '';
  const keys = KEYS[type];
  if (!dict || !name || !keys) return void bad('volumes', VOLUME_FORM, entry);
  if (!VOLUME_NAME.test(name))
    return void bad('volumes', 'a volume name of lowercase letters, digits and hyphens', entry);
  const allowed = new Set(['name', 'type', ...keys.required, ...keys.optional]);
  const unknown = [...dict.keys()].filter((k) => !allowed.has(k));
  const missing = keys.required.filter((k) => !dict.get(k));
  if (unknown.length || missing.length)
    return void bad(
      'volumes',
      `for type ${type}: ${keys.required.map((k) => `${k}=`).join(', ') || 'no required keys'}${keys.optional.length ? ` (optional: ${keys.optional.join(', ')})` : ''}${unknown.length ? `; unknown key ${unknown.join(', ')}` : ''}`,
      entry,
    );
  const ro = readOnly(dict, entry, bad);
  const volume: VolumeInput = { name };
  if (type === 'cloud-storage') {
    const bucket = dict.get('bucket') ?? '';
    if (!BUCKET.test(bucket)) return void bad('volumes', 'a Cloud Storage bucket name', entry);
    volume.gcs = { bucket, ...(ro !== undefined ? { readOnly: ro } : {}) };
    const options = dict.get('mount-options');
    if (options) volume.gcs.mountOptions = options.split(';').filter((o) => o !== '');
  } else if (type === 'nfs') {
    const location = dict.get('location') ?? '';
    const at = location.indexOf(':/');
    if (at <= 0) return void bad('volumes', 'location=SERVER:/PATH for an nfs volume', entry);
    volume.nfs = {
      server: location.slice(0, at),
      path: location.slice(at + 1),
      ...(ro !== undefined ? { readOnly: ro } : {}),
    };
  } else {
    const size = dict.get('size-limit');
    if (size && !QUANTITY.test(size))
      return void bad('volumes', 'size-limit as a quantity like 512Mi or 1G', entry);
    volume.emptyDir = { medium: 'MEMORY', ...(size ? { sizeLimit: size } : {}) };
  }
  return volume;
}

export function parseVolumes(
  get: (name: string) => string,
  bad: Bad,
  problem: (message: string) => void,
): Partial<JobFeatures> {
  const out: Partial<JobFeatures> = {};
  const volumes: VolumeInput[] = [];
  for (const entry of splitLines(get('volumes'))) {
    const volume = parseVolume(entry, bad);
    if (!volume) continue;
    if (volumes.some((v) => v.name === volume.name))
      problem(`Input "volumes" names volume ${volume.name} twice; keep one`);
    else volumes.push(volume);
  }
  if (volumes.length) out.volumes = volumes;

  const mounts: NonNullable<JobFeatures['volumeMounts']> = [];
  for (const entry of splitLines(get('volume_mounts'))) {
    const dict = parseDict(entry);
    const name = dict?.get('volume');
    const mountPath = dict?.get('mount-path');
    if (!dict || !name || !mountPath || dict.size !== 2) {
      bad('volume_mounts', MOUNT_FORM, entry);
      continue;
    }
    if (!MOUNT_PATH.test(mountPath)) {
      bad('volume_mounts', 'mount-path as an absolute path without ":" or ".."', entry);
      continue;
    }
    if (mounts.some((m) => m.mountPath === mountPath)) {
      problem(`Input "volume_mounts" mounts two volumes at ${mountPath}; keep one`);
      continue;
    }
    mounts.push({ name, mountPath });
  }
  if (mounts.length) out.volumeMounts = mounts;
  return out;
}
