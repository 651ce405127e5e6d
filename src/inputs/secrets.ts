// `secrets`: NAME=SECRET:VERSION entries become secret env vars; /dir/file=SECRET:VERSION
// entries (a key starting with /, as gcloud's --set-secrets takes it) become files mounted
// from a secret volume at /dir. Cloud Run mounts one secret per directory.
import { ENV_NAME, SECRET_ID, SECRET_VERSION } from '../job-rules/names.ts';
import type { SecretInput } from '../model.ts';
import { type Bad, splitList, splitPair } from './lists.ts';

export { ENV_NAME, SECRET_ID, SECRET_VERSION } from '../job-rules/names.ts';

/** An absolute file path in a directory: /dir/file, no `:`, no empty, `.` or `..` segments. */
const FILE_PATH = /^(?:\/(?!\.{1,2}(?:\/|$))[^/:\0]+){2,}$/;
/**
 * The project part of projects/PROJECT/secrets/S: a project number, or a project id (6 to 30
 * lowercase letters, digits or hyphens, a letter first, no hyphen last:
 * https://cloud.google.com/sdk/gcloud/reference/projects/create), optionally domain-scoped
 * (example.com:my-project). Never `..` or anything else that would change the path.
 */
const SECRET_PROJECT = /^(?:\d+|(?:[a-z0-9-]+(?:\.[a-z0-9-]+)+:)?[a-z][a-z0-9-]{4,28}[a-z0-9])$/;

const EXPECTED =
  'NAME=SECRET:VERSION (env var) or /DIR/FILE=SECRET:VERSION (file) entries, SECRET optionally projects/PROJECT/secrets/SECRET (VERSION: a number or latest)';

export interface ParsedSecrets {
  secrets: Record<string, SecretInput>;
  secretFiles: Record<string, SecretInput>;
}

function parseRef(value: string): SecretInput | undefined {
  const m = /^(?:projects\/([^/]+)\/secrets\/)?([^/:]+):([^:/]+)$/.exec(value);
  const [, project, secret, version] = m ?? [];
  if (!secret || !version || !SECRET_ID.test(secret) || !SECRET_VERSION.test(version)) return undefined;
  if (project !== undefined && !SECRET_PROJECT.test(project)) return undefined;
  return project ? { project, secret, version } : { secret, version };
}

const full = (ref: SecretInput) =>
  ref.project ? `projects/${ref.project}/secrets/${ref.secret}` : ref.secret;

export function parseSecrets(raw: string, bad: Bad, problem: (message: string) => void): ParsedSecrets {
  const out: ParsedSecrets = { secrets: {}, secretFiles: {} };
  const byDir = new Map<string, string>();
  for (const entry of splitList(raw)) {
    const pair = splitPair(entry);
    const ref = pair && parseRef(pair[1]);
    if (!pair || !ref) {
      bad('secrets', EXPECTED, entry);
      continue;
    }
    const [key] = pair;
    if (!key.startsWith('/')) {
      if (ENV_NAME.test(key)) out.secrets[key] = ref;
      else bad('secrets', EXPECTED, entry);
      continue;
    }
    if (!FILE_PATH.test(key)) {
      bad(
        'secrets',
        `a file path like /secrets/db/password (absolute, in a directory, no ":" or ".."); ${EXPECTED}`,
        entry,
      );
      continue;
    }
    if (out.secretFiles[key]) {
      problem(`Input "secrets" mounts ${key} twice; keep one entry`);
      continue;
    }
    const dir = key.slice(0, key.lastIndexOf('/'));
    const other = byDir.get(dir);
    if (other !== undefined && other !== full(ref)) {
      problem(
        `Input "secrets" mounts secrets ${other} and ${full(ref)} in the same directory ${dir}; Cloud Run mounts one secret per directory, so use another directory for one of them`,
      );
      continue;
    }
    byDir.set(dir, full(ref));
    out.secretFiles[key] = ref;
  }
  return out;
}
