// The CEL functions IAM allow-policy conditions support beyond comparisons
// (https://cloud.google.com/iam/docs/conditions-attribute-reference):
// - on request.time: getHours, getMinutes, getSeconds, getDayOfWeek (Sunday 0), getDayOfMonth
//   (first day 0), getDate (first day 1), getDayOfYear (first day 0), getMonth (January 0),
//   getFullYear, getMilliseconds, each with an optional time zone (an IANA name such as "Europe/Berlin", or a
//   UTC offset such as "+05:30"; UTC without one), as the CEL specification defines them;
// - on strings (resource.name): startsWith, endsWith, and extract('prefix/{name}/suffix'),
//   which answers what stands where the placeholder is, or "" when the name does not match;
// - on resource: matchTag('ORG_OR_PROJECT/KEY', 'VALUE'), matchTagId('tagKeys/N', 'tagValues/N'),
//   hasTagKey('ORG_OR_PROJECT/KEY'), hasTagKeyId('tagKeys/N'), over the tags the resource holds
//   or inherits (https://cloud.google.com/iam/docs/tags-access-control).
// Deny-rule conditions may use only the tag functions (with &&, ||, ! and parentheses): the
// DenyRule reference says "The condition can use CEL functions that evaluate resource tags.
// Other functions and operators are not supported." (google.iam.v2 DenyRule.denial_condition).
export class CelError extends Error {
  /** The expression does not parse (or uses what its kind of condition may not): refused when written. */
  readonly invalid: boolean;
  constructor(message: string, invalid = false) {
    super(message);
    this.invalid = invalid;
  }
}

/** A CEL timestamp (epoch ms), so comparisons know they compare instants. */
export class CelTime {
  readonly ms: number;
  constructor(ms: number) {
    this.ms = ms;
  }
}

/** A tag a resource holds or inherits: its namespaced key and short value, and their ids. */
export interface CelTag {
  key: string;
  value: string;
  keyId: string;
  valueId: string;
}

const TIME_FUNCTIONS = new Set([
  'getHours',
  'getMinutes',
  'getSeconds',
  'getMilliseconds',
  'getDayOfWeek',
  'getDayOfMonth',
  'getDate',
  'getDayOfYear',
  'getMonth',
  'getFullYear',
]);
export const TAG_FUNCTIONS = new Set(['matchTag', 'matchTagId', 'hasTagKey', 'hasTagKeyId']);

/** The wall-clock fields of `ms` in `zone`. */
function fields(
  ms: number,
  zone: string,
): { y: number; mo: number; d: number; h: number; mi: number; s: number; wd: number } {
  const offset = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (offset) {
    const sign = offset[1] === '-' ? -1 : 1;
    const shifted = new Date(ms + sign * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000);
    return {
      y: shifted.getUTCFullYear(),
      mo: shifted.getUTCMonth(),
      d: shifted.getUTCDate(),
      h: shifted.getUTCHours(),
      mi: shifted.getUTCMinutes(),
      s: shifted.getUTCSeconds(),
      wd: shifted.getUTCDay(),
    };
  }
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    }).formatToParts(new Date(ms));
  } catch {
    throw new CelError(`CEL: unknown time zone ${zone}`);
  }
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return {
    y: Number(get('year')),
    mo: Number(get('month')) - 1,
    d: Number(get('day')),
    h: Number(get('hour')),
    mi: Number(get('minute')),
    s: Number(get('second')),
    wd: days.indexOf(get('weekday')),
  };
}

/** A timestamp accessor; `args` holds the optional time zone. */
export function timeFunction(name: string, t: CelTime, args: unknown[]): number {
  if (!TIME_FUNCTIONS.has(name)) throw new CelError(`CEL: unsupported function ${name}() on a timestamp`);
  const zone = args[0] ?? 'UTC';
  if (args.length > 1 || typeof zone !== 'string')
    throw new CelError(`CEL: ${name}() takes one time zone string`);
  const f = fields(t.ms, zone);
  switch (name) {
    case 'getHours':
      return f.h;
    case 'getMinutes':
      return f.mi;
    case 'getSeconds':
      return f.s;
    case 'getMilliseconds':
      return t.ms % 1000;
    case 'getDayOfWeek':
      return f.wd;
    case 'getDayOfMonth':
      return f.d - 1;
    case 'getDate':
      return f.d;
    case 'getMonth':
      return f.mo;
    case 'getFullYear':
      return f.y;
    default: {
      // getDayOfYear: days since 1 January of the local year.
      return Math.round((Date.UTC(f.y, f.mo, f.d) - Date.UTC(f.y, 0, 1)) / 86_400_000);
    }
  }
}

/** resource.name.extract('projects/{p}/...'): the text at the placeholder, or "". */
export function extract(value: string, template: string): string {
  const m = /^([^{}]*)\{[^{}]+\}([^{}]*)$/.exec(template);
  if (!m) throw new CelError(`CEL: extract() needs a template with one {placeholder}: ${template}`);
  const [, before = '', after = ''] = m;
  const start = value.indexOf(before);
  if (start < 0) return '';
  const rest = value.slice(start + before.length);
  if (after === '') return rest;
  const end = rest.indexOf(after);
  return end < 0 ? '' : rest.slice(0, end);
}

/** A string method: startsWith, endsWith, contains, extract. */
export function stringFunction(name: string, value: string, args: unknown[]): string | boolean {
  const [arg] = args;
  if (args.length !== 1 || typeof arg !== 'string') throw new CelError(`CEL: ${name}() needs one string`);
  if (name === 'startsWith') return value.startsWith(arg);
  if (name === 'endsWith') return value.endsWith(arg);
  if (name === 'contains') return value.includes(arg);
  if (name === 'extract') return extract(value, arg);
  throw new CelError(`CEL: unsupported function ${name}()`);
}

/** A tag function on `resource`, over the tags it holds or inherits. */
export function tagFunction(name: string, tags: readonly CelTag[], args: unknown[]): boolean {
  if (!args.every((a) => typeof a === 'string')) throw new CelError(`CEL: ${name}() takes strings`);
  const [a = '', b = ''] = args as string[];
  const want = name === 'matchTag' || name === 'matchTagId' ? 2 : 1;
  if (args.length !== want) throw new CelError(`CEL: ${name}() takes ${want} argument(s)`);
  if (name === 'matchTag') return tags.some((t) => t.key === a && t.value === b);
  if (name === 'matchTagId') return tags.some((t) => t.keyId === a && t.valueId === b);
  if (name === 'hasTagKey') return tags.some((t) => t.key === a);
  return tags.some((t) => t.keyId === a);
}
