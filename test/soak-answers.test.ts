// Soak, issue 16: answers that are HTTP 200 but not what the API promises (`{}`, wrong types,
// HTML, truncated, trailing junk, a huge body) and redirects (another host, another port), held
// for the whole run on one route: every kind of IAM policy read in check, fix and dry run, the job
// read of an update, the job create's answer, the token exchange and impersonation. After each
// run (test/helpers/soak-run.ts): no binding lost or added beyond `granted`, the job on its old or
// new spec with every setting kept, no token in anything the run wrote, nothing sent to a
// redirect's target; and here: the run says which API answered what.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FAULT_KINDS,
  type FaultKind,
  type FaultRule,
  GARBLE_KINDS,
  REDIRECT_KINDS,
} from './emulator/faults.ts';
import { ensureBuilt } from './helpers/run-action.ts';
import { type Mode, pool, ROUTES } from './helpers/soak.ts';
import { type Outcome, soakRun } from './helpers/soak-run.ts';
import { startTrap, type Trap } from './helpers/trap.ts';

const BAD = [...GARBLE_KINDS, ...REDIRECT_KINDS] as const;
/** For the whole run: a read retried is struck again. */
const ALWAYS = 1_000;

/**
 * Each kind of IAM policy the action reads: a world that reads it, and its getIamPolicy route. (A
 * job's own policy is never read by a run, which tests the caller's permissions on the job instead:
 * its decoder is proven by test/gcp-answers.test.ts.)
 */
const POLICY_READS: Record<string, [string, { methods?: readonly string[]; path: RegExp }]> = {
  serviceAccount: ['02-', { methods: ['POST'], path: /\/serviceAccounts\/[^/:]+:getIamPolicy$/ }],
  repository: ['06-', { methods: ['GET'], path: /\/repositories\/[^/:]+:getIamPolicy$/ }],
  secret: ['08-', { methods: ['GET'], path: /\/secrets\/[^/:]+:getIamPolicy$/ }],
  project: ['02-', { methods: ['POST'], path: /^\/v[13]\/projects\/[^/:]+:getIamPolicy$/ }],
  subnetwork: ['21-', { methods: ['GET'], path: /\/subnetworks\/[^/]+\/getIamPolicy$/ }],
  bucket: ['22-', { methods: ['GET'], path: /^\/storage\/v1\/b\/[^/]+\/iam$/ }],
  cryptoKey: ['22-', { methods: ['GET'], path: /\/cryptoKeys\/[^/:]+:getIamPolicy$/ }],
};

interface Case {
  name: string;
  mode: Mode;
  world?: string;
  kind: FaultKind;
  route: { methods?: readonly string[]; path: RegExp };
  /** The API the run must name. */
  api: RegExp;
}

const cases: Case[] = [];
let n = 0;
for (const mode of ['check', 'fix', 'dry-run'] as Mode[])
  for (const [kind, [world, route]] of Object.entries(POLICY_READS)) {
    const bad = BAD[n++ % BAD.length] as FaultKind;
    cases.push({
      name: `${mode}: ${kind} policy read, ${bad}`,
      mode,
      world,
      kind: bad,
      route,
      api: /googleapis\.com/,
    });
  }
// The job read before an update, and the answer of a create (an Operation without a name must not lead to :wait).
for (const kind of BAD) {
  cases.push({
    name: `update: job read, ${kind}`,
    mode: 'update',
    kind,
    route: ROUTES.jobRead,
    api: /run\.googleapis\.com/,
  });
  cases.push({
    name: `create: job create answer, ${kind}`,
    mode: 'create',
    kind,
    route: ROUTES.jobCreate,
    api: /run\.googleapis\.com/,
  });
  cases.push({
    name: `check: token exchange, ${kind}`,
    mode: 'check',
    world: '01-',
    kind,
    route: ROUTES.sts,
    api: /sts\.googleapis\.com/,
  });
  cases.push({
    name: `check: impersonation, ${kind}`,
    mode: 'check',
    world: '01-',
    kind,
    route: ROUTES.impersonate,
    api: /iamcredentials\.googleapis\.com/,
  });
}

let trap: Trap;
beforeAll(async () => {
  ensureBuilt();
  trap = await startTrap();
}, 120_000);
afterAll(() => trap.stop());

describe('soak: answers the action must not act on', () => {
  it(`keeps every invariant over ${cases.length} runs with a garbled answer or a redirect held on one route`, async () => {
    const outcomes = await pool(cases, 4, async (c): Promise<[Case, Outcome]> => {
      const rules: FaultRule[] = [
        { kind: c.kind, ...c.route, methods: [...(c.route.methods ?? [])], times: ALWAYS },
      ];
      const given = { world: c.world ?? (c.mode === 'check' || c.mode === 'fix' ? '02-' : '01-'), rules };
      return [c, await soakRun(c.mode, 1, given, { trapPort: trap.port })];
    });
    const struck = outcomes.filter(([, o]) => o.faults.length > 0);
    for (const [c, o] of struck) {
      const said = `${o.findings}\n${o.log}`;
      const why = `${c.name} (exit ${o.code}): ${said.slice(-4000)}`;
      // What came back, and from which API, is said (in a finding, or the log of the retried read).
      const refusal = new RegExp(
        `${c.api.source} answered HTTP (?:200 with a body that is (?:not|empty|HTML|JSON that|text)|307 with a redirect to)`,
      );
      expect(said, why).toMatch(refusal);
    }
    const byKind: Record<string, number> = {};
    for (const k of outcomes.flatMap(([, o]) => o.faults)) byKind[k] = (byKind[k] ?? 0) + 1;
    const sum = (f: (o: Outcome) => number) => outcomes.reduce((s, [, o]) => s + f(o), 0);
    console.log(
      `soak (answers): ${outcomes.length} runs, ${struck.length} struck, ${sum((o) => o.faults.length)} faults ${JSON.stringify(byKind)}, ` +
        `${outcomes.filter(([, o]) => o.code !== 0).length} failed, bindings lost ${sum((o) => o.bindingsLost)}, ` +
        `bindings added beyond granted ${sum((o) => o.bindingsUnreported)}, settings dropped ${sum((o) => o.settingsDropped)}, ` +
        `tokens leaked ${sum((o) => o.tokensLeaked)}, requests that reached a redirect's target ${trap.hits.length}`,
    );
    expect(trap.hits).toEqual([]);
    // Every route of the matrix was reached, with every bad kind.
    const notStruck = outcomes.filter(([, o]) => o.faults.length === 0).map(([c]) => c.name);
    expect(notStruck).toEqual([]);
    expect(new Set(outcomes.flatMap(([, o]) => o.faults))).toEqual(
      new Set(FAULT_KINDS.filter((k) => (BAD as readonly string[]).includes(k))),
    );
  }, 900_000);
});

describe('soak: Retry-After on the auth path', () => {
  it.each([
    ['the token exchange', ROUTES.sts],
    ['impersonation', ROUTES.impersonate],
  ])(
    '%s answered 429 with Retry-After is asked again no sooner than asked, and the run goes on',
    async (_, route) => {
      const rules: FaultRule[] = [
        { kind: 'throttle-retry-after', ...route, methods: [...route.methods], retryAfterS: 2 },
      ];
      const o = await soakRun('check', 1, { world: '01-', rules }, { trapPort: trap.port });
      expect(o.faults).toEqual(['throttle-retry-after']);
      expect(o.code, o.log.slice(-3000)).toBe(0);
      expect(o.retryAfterHonoured).toBe(1);
    },
    120_000,
  );
});

describe('soak: a job write whose answer was lost', () => {
  it.each([
    ['create', 'reset-after', ROUTES.jobCreate, 'created'],
    ['create', 'slow', ROUTES.jobCreate, 'created'],
    ['create', 'garbled-empty', ROUTES.jobCreate, 'created'],
    ['update', 'reset-after', ROUTES.jobUpdate, 'updated'],
    ['update', 'garbled-html', ROUTES.jobUpdate, 'updated'],
    ['replace', 'reset-after', ROUTES.v1Write, 'replaced'],
    ['replace', 'garbled-truncated', ROUTES.v1Write, 'replaced'],
  ] as const)(
    '%s answered %s is recognised by its deploy id, continued from, and said',
    async (mode, kind, route, action) => {
      const rules: FaultRule[] = [{ kind, ...route, methods: [...route.methods], delayMs: 2_500 }];
      const o = await soakRun(mode, 1, { world: '01-', rules }, { trapPort: trap.port });
      expect(o.faults).toEqual([kind]);
      expect(o.code, o.log.slice(-3000)).toBe(0);
      expect(o.log).toMatch(
        new RegExp(
          `The answer to the ${mode} of job \\S+ was lost \\(.+\\); reading job \\S+ shows this run's write in place`,
        ),
      );
      expect(o.log).toMatch(new RegExp(`Job \\S+ ${action}`));
    },
    120_000,
  );
});
