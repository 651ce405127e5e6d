// The cron grammar Cloud Scheduler documents, its words and its next runs in a time zone,
// including daylight-saving days (a wall time that does not exist is skipped; one that exists
// twice runs once, at its first occurrence).
import { describe, expect, it } from 'vitest';
import {
  type Cron,
  describeCron,
  formatInZone,
  knownTimeZone,
  nextRuns,
  parseCron,
} from '../src/schedule/cron.ts';

const cron = (text: string): Cron => {
  const c = parseCron(text);
  if (typeof c === 'string') throw new Error(c);
  return c;
};
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('parseCron', () => {
  it('reads values, ranges, lists, steps and names', () => {
    const c = cron('*/15 9-17 * JAN,JUL MON-FRI');
    expect(c.minutes).toEqual([0, 15, 30, 45]);
    expect(c.hours).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(c.months).toEqual([1, 7]);
    expect(c.weekdays).toEqual([1, 2, 3, 4, 5]);
  });
  it('folds 7 into Sunday', () => {
    expect(cron('0 0 * * 7').weekdays).toEqual([0]);
  });
  it.each([
    ['0 3 * *', /five fields/],
    ['60 3 * * *', /minute field/],
    ['0 24 * * *', /hour field/],
    ['0 3 L * *', /day of month field/],
    ['0 3 * 13 *', /month field/],
    ['0 3 * jan *', /month field/],
    ['0 3 * * 8', /day of week field/],
    ['0 5-3 * * *', /backwards/],
    ['0 3 31 2 *', /never runs/],
    ['*/0 * * * *', /step of 0/],
  ])('refuses %s', (text, why) => {
    expect(parseCron(text)).toMatch(why);
  });
});

describe('describeCron', () => {
  it.each([
    ['0 3 * * *', 'at 03:00 every day'],
    ['*/15 * * * *', 'every 15 minutes every day'],
    ['30 8 * * MON-FRI', 'at 08:30 on Monday to Friday'],
    ['0 0 1 * *', 'at 00:00 on day 1 of the month'],
    ['0 6,18 * JAN *', 'at 06:00 and 18:00 every day in January'],
    ['* * * * *', 'every minute every day'],
  ])('%s reads "%s"', (text, words) => {
    expect(describeCron(cron(text))).toBe(words);
  });
});

describe('nextRuns', () => {
  const from = new Date('2026-12-07T12:00:00Z');
  it('walks the calendar of the time zone', () => {
    expect(iso(nextRuns(cron('0 3 * * *'), 'Europe/Paris', from))).toEqual([
      '2026-12-08T02:00:00.000Z',
      '2026-12-09T02:00:00.000Z',
      '2026-12-10T02:00:00.000Z',
    ]);
    expect(iso(nextRuns(cron('0 3 * * *'), 'Etc/UTC', from, 1))).toEqual(['2026-12-08T03:00:00.000Z']);
  });
  it('ORs day of month and day of week when both are set', () => {
    expect(iso(nextRuns(cron('0 0 1 * SAT'), 'Etc/UTC', from))).toEqual([
      '2026-12-12T00:00:00.000Z',
      '2026-12-19T00:00:00.000Z',
      '2026-12-26T00:00:00.000Z',
    ]);
  });
  it('skips a wall time that daylight saving removes, and runs a doubled one once', () => {
    // Europe/Paris: 2027-03-28 02:00 -> 03:00 (02:30 does not exist); 2027-10-31 03:00 -> 02:00.
    const spring = iso(nextRuns(cron('30 2 * * *'), 'Europe/Paris', new Date('2027-03-27T12:00:00Z'), 2));
    expect(spring).toEqual(['2027-03-29T00:30:00.000Z', '2027-03-30T00:30:00.000Z']);
    const autumn = iso(nextRuns(cron('30 2 * * *'), 'Europe/Paris', new Date('2027-10-30T12:00:00Z'), 2));
    expect(autumn).toEqual(['2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z']);
  });
  it('finds a leap day years away', () => {
    expect(iso(nextRuns(cron('0 12 29 2 *'), 'Etc/UTC', from, 1))).toEqual(['2028-02-29T12:00:00.000Z']);
  });
  it('formats a run in its zone', () => {
    expect(formatInZone(new Date('2026-12-08T02:00:00Z'), 'Europe/Paris')).toBe(
      '2026-12-08 03:00 (Europe/Paris)',
    );
  });
  it('knows tz database names only', () => {
    expect(knownTimeZone('America/New_York')).toBe(true);
    expect(knownTimeZone('Mars/Olympus')).toBe(false);
  });
});
