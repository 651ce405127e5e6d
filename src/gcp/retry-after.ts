// Retry-After (RFC 9110 10.2.3): delta-seconds or an HTTP date. A leaf module: the error model
// (errors.ts) reads it from Google's answers, and the entry point's prefetches read it before the
// error model is loaded.

/** Retry-After in ms; undefined when absent or unreadable. A repeated header counts by its first value. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (typeof first !== 'string' || first.trim() === '') return undefined;
  const v = first.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
