// The unix-cron schedules Cloud Scheduler accepts, parsed once: the same parse validates the
// `schedule` input, describes it in words and lists its next run times in the trigger's time
// zone. Written here rather than taken from a library: the grammar is five small fields, and
// the report needs only the next few runs, which a day-by-day walk finds at once.
// Facts (https://cloud.google.com/scheduler/docs/configuring/cron-job-schedules): five fields
// in this order: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or JAN-DEC, day of week
// 0-6 or SUN-SAT (7 is Sunday too); `*` matches every value; day of month and day of week are
// ORed unless one of them is `*`; `L` (last day of the month) is not supported; month and day
// names are the first three letters in capitals.

export interface Cron {
  /** The five fields as written (whitespace normalised). */
  text: string;
  minutes: number[];
  hours: number[];
  days: number[];
  months: number[];
  /** 0 (Sunday) to 6; a 7 in the input is folded into 0. */
  weekdays: number[];
  /** Whether day of month / day of week were `*` (decides the OR rule). */
  anyDay: boolean;
  anyWeekday: boolean;
  /** The minute field was `*` or `*\/N` (described as a frequency). */
  minuteStep?: number;
  hourStep?: number;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTH_WORDS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAY_WORDS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Offset of names[0] (months are 1-based, weekdays 0-based). */
  base?: number;
}

const FIELDS: readonly FieldRule[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, base: 1 },
  { name: 'day of week', min: 0, max: 7, names: WEEKDAYS, base: 0 },
];

function value(token: string, rule: FieldRule): number | undefined {
  if (/^\d{1,2}$/.test(token)) {
    const n = Number(token);
    return n >= rule.min && n <= rule.max ? n : undefined;
  }
  const i = rule.names?.indexOf(token) ?? -1;
  return i >= 0 ? i + (rule.base ?? 0) : undefined;
}

/** One field's values, or the problem with it. */
function parseField(text: string, rule: FieldRule): { values: number[]; step?: number } | string {
  const out = new Set<number>();
  let step: number | undefined;
  for (const part of text.split(',')) {
    const m = /^(\*|[A-Z0-9]+(?:-[A-Z0-9]+)?)(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) return `its ${rule.name} field ${JSON.stringify(text)} is not a value, range, list or step`;
    const [, range = '', stepText] = m;
    const every = stepText === undefined ? 1 : Number(stepText);
    if (every < 1) return `its ${rule.name} field has a step of 0`;
    let lo = rule.min;
    let hi = rule.name === 'day of week' ? 6 : rule.max;
    if (range !== '*') {
      const [a = '', b] = range.split('-');
      const from = value(a, rule);
      const to = b === undefined ? (stepText === undefined ? from : hi) : value(b, rule);
      if (from === undefined || to === undefined)
        return `its ${rule.name} field ${JSON.stringify(text)} is outside ${rule.min}-${rule.max}${rule.names ? ` (or ${rule.names[0]}-${rule.names.at(-1)})` : ''}`;
      if (from > to) return `its ${rule.name} field has a range that runs backwards (${range})`;
      lo = from;
      hi = to;
    } else if (text === part && stepText !== undefined) step = every;
    for (let v = lo; v <= hi; v += every) out.add(rule.name === 'day of week' ? v % 7 : v);
  }
  const values = [...out].sort((a, b) => a - b);
  return step === undefined ? { values } : { values, step };
}

/** A schedule, or the problem with it in words that complete "the schedule ...". */
export function parseCron(input: string): Cron | string {
  const fields = input.trim().split(/\s+/);
  if (fields.length !== 5)
    return `must have five fields (minute hour day-of-month month day-of-week), it has ${fields.length}`;
  const parsed: Array<{ values: number[]; step?: number }> = [];
  for (const [i, rule] of FIELDS.entries()) {
    const f = parseField(fields[i] ?? '', rule);
    if (typeof f === 'string') return f;
    parsed.push(f);
  }
  const [minute, hour, day, month, weekday] = parsed as [
    { values: number[]; step?: number },
    { values: number[]; step?: number },
    { values: number[] },
    { values: number[] },
    { values: number[] },
  ];
  const cron: Cron = {
    text: fields.join(' '),
    minutes: minute.values,
    hours: hour.values,
    days: day.values,
    months: month.values,
    weekdays: weekday.values,
    anyDay: fields[2] === '*',
    anyWeekday: fields[4] === '*',
  };
  if (fields[0] === '*') cron.minuteStep = 1;
  else if (minute.step) cron.minuteStep = minute.step;
  if (fields[1] === '*') cron.hourStep = 1;
  else if (hour.step) cron.hourStep = hour.step;
  // A day of month that no chosen month has (31 in February only) never runs.
  if (cron.anyWeekday && !cron.anyDay) {
    const longest = Math.max(...cron.months.map((m) => (m === 2 ? 29 : [4, 6, 9, 11].includes(m) ? 30 : 31)));
    if ((cron.days[0] ?? 32) > longest) return 'never runs: no chosen month has that day';
  }
  return cron;
}

// ---- in words ----

/** 1,2,3,5 -> [[1,3],[5,5]] */
function runs(values: readonly number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const v of values) {
    const last = out.at(-1);
    if (last && v === last[1] + 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

function list(values: readonly number[], word: (n: number) => string): string {
  const parts = runs(values).map(([a, b]) =>
    a === b ? word(a) : b === a + 1 ? `${word(a)}, ${word(b)}` : `${word(a)} to ${word(b)}`,
  );
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : (parts[0] ?? '');
}

const pad = (n: number) => String(n).padStart(2, '0');

function timesOf(c: Cron): string {
  if (c.minuteStep === 1 && c.hourStep === 1) return 'every minute';
  if (c.minuteStep && c.hourStep === 1) return `every ${c.minuteStep} minutes`;
  if (c.minuteStep === 1) return `every minute during hour ${list(c.hours, String)}`;
  if (c.hourStep && c.minutes.length === 1)
    return c.hourStep === 1
      ? `at minute ${c.minutes[0]} of every hour`
      : `every ${c.hourStep} hours at minute ${c.minutes[0]}`;
  if (c.minutes.length * c.hours.length <= 6)
    return `at ${list(
      c.hours.flatMap((h) => c.minutes.map((m) => h * 60 + m)),
      (t) => `${pad(Math.floor(t / 60))}:${pad(t % 60)}`,
    ).replace(/ to /g, ', ')}`;
  return `at minute ${list(c.minutes, String)} of hour ${list(c.hours, String)}`;
}

function daysOf(c: Cron): string {
  const dom = `on day ${list(c.days, String)} of the month`;
  const dow = `on ${list(c.weekdays, (d) => WEEKDAY_WORDS[d] ?? '')}`;
  if (c.anyDay && c.anyWeekday) return 'every day';
  if (c.anyWeekday) return dom;
  if (c.anyDay) return dow;
  return `${dom} and ${dow}`;
}

/** "at 02:00 every day", "every 15 minutes on Monday to Friday in January" */
export function describeCron(c: Cron): string {
  const months = c.months.length === 12 ? '' : ` in ${list(c.months, (m) => MONTH_WORDS[m - 1] ?? '')}`;
  return `${timesOf(c)} ${daysOf(c)}${months}`;
}

// ---- next runs ----

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether Node's time zone data knows the name (the tz database names Cloud Scheduler takes). */
export function knownTimeZone(tz: string): boolean {
  try {
    wallClock(tz);
    return true;
  } catch {
    return false;
  }
}

function wallClock(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The wall-clock minute at `t` in `tz`, as if it were UTC (epoch ms). */
function localAsUtc(t: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of wallClock(tz).formatToParts(new Date(t)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
  );
}

/** The first instant showing this wall-clock minute in `tz`; undefined in a daylight-saving gap. */
function instantOf(wall: number, tz: string): number | undefined {
  const found = [wall - 12 * 3_600_000, wall + 12 * 3_600_000]
    .map((probe) => wall - (localAsUtc(probe, tz) - probe))
    .filter((t) => localAsUtc(t, tz) === wall);
  return found.length ? Math.min(...found) : undefined;
}

const DAY_MS = 86_400_000;

function dayMatches(c: Cron, day: Date): boolean {
  if (!c.months.includes(day.getUTCMonth() + 1)) return false;
  const dom = c.days.includes(day.getUTCDate());
  const dow = c.weekdays.includes(day.getUTCDay());
  if (c.anyDay && c.anyWeekday) return true;
  if (c.anyWeekday) return dom;
  if (c.anyDay) return dow;
  return dom || dow;
}

/** The next `count` run times after `from`, walking the calendar of `tz` day by day (at most 8 years). */
export function nextRuns(c: Cron, tz: string, from: Date, count = 3): Date[] {
  const out: Date[] = [];
  const start = localAsUtc(from.getTime(), tz);
  let day = start - (start % DAY_MS);
  for (let i = 0; i < 366 * 8 && out.length < count; i++, day += DAY_MS) {
    if (!dayMatches(c, new Date(day))) continue;
    for (const h of c.hours)
      for (const m of c.minutes) {
        if (out.length >= count) return out;
        const t = instantOf(day + h * 3_600_000 + m * 60_000, tz);
        if (t !== undefined && t > from.getTime()) out.push(new Date(t));
      }
  }
  return out;
}

/** A run time as the trigger's zone shows it: 2026-12-08 02:00 (Europe/Paris). */
export function formatInZone(t: Date, tz: string): string {
  const wall = new Date(localAsUtc(t.getTime(), tz));
  return `${wall.toISOString().slice(0, 10)} ${wall.toISOString().slice(11, 16)} (${tz})`;
}
