// The list and pair syntaxes inputs share (one entry per line, or comma separated on one line;
// gcloud's KEY=VALUE,... dictionaries), and the reporter every parser speaks to.

/** Report one bad input: its name, the expected form and what was received. */
export type Bad = (name: string, expected: string, got: string) => void;

/** `value` when it matches `re`; when set but not matching, reported to `bad` (undefined either way). */
export function matching(
  value: string,
  re: RegExp,
  bad: Bad,
  name: string,
  expected: string,
): string | undefined {
  if (!value) return undefined;
  if (re.test(value)) return value;
  bad(name, expected, value);
  return undefined;
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * Split a list input: one entry per line, or comma separated when it is one line. A comma
 * inside a value on a single line can be escaped as `\,`.
 */
export function splitList(raw: string): string[] {
  const text = raw.trim();
  if (!text) return [];
  const parts = text.includes('\n')
    ? text.split('\n')
    : text.split(/(?<!\\),/).map((p) => p.replace(/\\,/g, ','));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Split a multi-line input whose entries are themselves comma separated (gcloud's dict flags): one per line. */
export function splitLines(raw: string): string[] {
  return raw
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export function splitPair(entry: string): [string, string] | undefined {
  const at = entry.indexOf('=');
  if (at <= 0) return undefined;
  return [entry.slice(0, at).trim(), entry.slice(at + 1).trim()];
}

/** gcloud's `key=value,key=value` dictionary syntax; undefined when an item is not a pair or repeats a key. */
export function parseDict(entry: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const item of entry.split(',')) {
    const pair = splitPair(item);
    if (!pair || out.has(pair[0])) return undefined;
    out.set(pair[0], pair[1]);
  }
  return out;
}

/** Duration like 90s, 10m, 1h30m or a bare number of seconds -> "Ns" (Google's Duration JSON form). */
export function toSeconds(raw: string): string | undefined {
  if (/^\d+$/.test(raw)) return `${Number(raw)}s`;
  const m = DURATION.exec(raw);
  if (!m || raw === '') return undefined;
  const [, h = '0', min = '0', s = '0'] = m;
  return `${Number(h) * 3600 + Number(min) * 60 + Number(s)}s`;
}
