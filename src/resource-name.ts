// Google resource names (projects/P/locations/L/...) are paths: a part that holds "/", ".." or
// an escaped slash would name another resource than the one checked or granted. Every part
// that did not pass an input validator (API answers, error messages) goes through here.

/** Why `part` cannot be one segment of a resource name, or undefined when it can. */
export function segmentProblem(part: string): string | undefined {
  if (part === '') return 'is empty';
  if (part === '.' || part === '..') return `is ${JSON.stringify(part)}`;
  if (part.length > 1024) return 'is longer than 1024 characters';
  // "%" too: a percent-encoded slash (%2F) or dot is decoded by some servers before routing.
  if (/[/\\%?#\s\p{Cc}]/u.test(part))
    return `contains a character a name segment cannot hold (${JSON.stringify(part.slice(0, 200))})`;
  return undefined;
}

/** True when every part is a safe single segment. */
export function safeSegments(...parts: readonly string[]): boolean {
  return parts.every((p) => segmentProblem(p) === undefined);
}

/**
 * A resource name from a template whose every interpolated part is one checked segment:
 * resourceName`projects/${project}/secrets/${secret}`. Throws naming the bad part.
 */
export function resourceName(literals: TemplateStringsArray, ...parts: readonly string[]): string {
  let out = literals[0] ?? '';
  parts.forEach((part, i) => {
    const problem = segmentProblem(part);
    if (problem) throw new Error(`Refusing to build a resource name: segment ${i + 1} ${problem}`);
    out += part + (literals[i + 1] ?? '');
  });
  return out;
}

/** A whole name read from an API answer (a/b/c): every segment between slashes is safe. */
export function safeResourceName(name: string): boolean {
  return safeSegments(...name.split('/'));
}
