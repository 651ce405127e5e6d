// The `metadata` input names a file the action reads: it must be a regular file inside the
// workspace (after symlinks are resolved), of bounded size. /etc/passwd, /proc/self/environ, a
// symlink out of the checkout or /dev/zero are refused before anything is read.
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/** A job.yaml is a few KiB; 1 MiB leaves room and keeps memory bounded. */
export const MAX_METADATA_BYTES = 1024 * 1024;

const NAME = 'Input "metadata"';

function inside(root: string, full: string): boolean {
  const rel = relative(root, full);
  return rel === '' ? false : !rel.startsWith('..') && !isAbsolute(rel);
}

/** The file's real path, or the problem (naming the input) that refuses it. */
export function checkMetadataPath(path: string, workspace: string): { full: string } | { problem: string } {
  const shown = JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}…` : path);
  const expected = 'the path of a job.yaml inside the workspace (relative to it)';
  let root: string;
  try {
    root = realpathSync(workspace);
  } catch {
    return {
      problem: `${NAME} must be ${expected}; the workspace ${JSON.stringify(workspace)} does not exist`,
    };
  }
  const given = isAbsolute(path) ? path : resolve(root, path);
  if (!inside(root, resolve(given)))
    return { problem: `${NAME} must be ${expected}; ${shown} is outside the workspace` };
  let full: string;
  try {
    full = realpathSync(given);
  } catch {
    return { problem: `${NAME} must be ${expected}; ${shown} does not exist` };
  }
  if (!inside(root, full))
    return {
      problem: `${NAME} must be ${expected}; ${shown} resolves (through a symlink) outside the workspace`,
    };
  const stat = statSync(full);
  if (!stat.isFile()) return { problem: `${NAME} must be ${expected}; ${shown} is not a regular file` };
  if (stat.size > MAX_METADATA_BYTES)
    return {
      problem: `${NAME} must be a job.yaml of at most ${MAX_METADATA_BYTES} bytes; ${shown} has ${stat.size}`,
    };
  return { full };
}

/** Read the checked file, never more than the bound (it could change between check and read). */
export function readMetadataFile(path: string, workspace: string): { full: string; text: string } {
  const checked = checkMetadataPath(path, workspace);
  if ('problem' in checked) throw new MetadataFileError(checked.problem);
  const fd = openSync(checked.full, 'r');
  try {
    if (!fstatSync(fd).isFile())
      throw new MetadataFileError(`${NAME}: ${JSON.stringify(path)} is not a regular file`);
    const buf = Buffer.alloc(MAX_METADATA_BYTES + 1);
    let n = 0;
    for (let got = 1; got > 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, n);
    if (n > MAX_METADATA_BYTES)
      throw new MetadataFileError(`${NAME} must be a job.yaml of at most ${MAX_METADATA_BYTES} bytes`);
    return { full: checked.full, text: buf.subarray(0, n).toString('utf8') };
  } finally {
    closeSync(fd);
  }
}

export class MetadataFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataFileError';
  }
}
