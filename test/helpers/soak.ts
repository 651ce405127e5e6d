// The soak's pieces: seeded fault plans per mode, the invariants every run must keep, and a
// small pool that runs the bundled action a few processes at a time.
import type { FaultKind, FaultRule } from '../emulator/faults.ts';
import { GARBLE_KINDS, prng, REDIRECT_KINDS } from '../emulator/faults.ts';
import type { RequestLogEntry } from '../emulator/server.ts';

export type Mode = 'check' | 'fix' | 'dry-run' | 'create' | 'update' | 'replace' | 'execute';

/** Routes by what they are, as the action calls them (paths include the :verb). */
export const ROUTES = {
  oidc: { methods: ['GET'], path: /^\/_github\/oidc\/token$/ },
  sts: { methods: ['POST'], path: /^\/v1\/token$/ },
  impersonate: { methods: ['POST'], path: /:generateAccessToken$/ },
  project: { methods: ['GET'], path: /^\/v[13]\/projects\/[^/:]+$/ },
  getPolicy: { methods: ['GET', 'POST'], path: /:getIamPolicy$/ },
  // Cloud Storage writes a bucket's policy with PUT b/{bucket}/iam, Compute with POST .../setIamPolicy.
  setPolicy: {
    methods: ['POST', 'PUT'],
    path: /(?::setIamPolicy|^\/compute\/v1\/.+\/setIamPolicy|^\/storage\/v1\/b\/[^/]+\/iam)$/,
  },
  testPermissions: { methods: ['POST'], path: /:testIamPermissions$/ },
  serviceAccount: { methods: ['GET'], path: /^\/v1\/projects\/[^/]+\/serviceAccounts\/[^/:]+$/ },
  role: { methods: ['GET'], path: /^\/v1\/(?:projects\/[^/]+\/|organizations\/[^/]+\/)?roles\/[^/:]+$/ },
  jobRead: { methods: ['GET'], path: /^\/v2\/projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/:]+$/ },
  jobCreate: { methods: ['POST'], path: /^\/v2\/projects\/[^/]+\/locations\/[^/]+\/jobs$/ },
  jobUpdate: { methods: ['PATCH'], path: /^\/v2\/projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/:]+$/ },
  v1Read: { methods: ['GET'], path: /^\/apis\/run\.googleapis\.com\/v1\/namespaces\/[^/]+\/jobs\/[^/]+$/ },
  v1Write: {
    methods: ['POST', 'PUT'],
    path: /^\/apis\/run\.googleapis\.com\/v1\/namespaces\/[^/]+\/jobs(?:\/[^/]+)?$/,
  },
  operation: { methods: ['GET', 'POST'], path: /\/operations\/[^/]+(?::wait)?$/ },
  run: { methods: ['POST'], path: /\/jobs\/[^/:]+:run$/ },
  execution: { methods: ['GET'], path: /\/executions\/[^/:]+$/ },
  comments: { methods: ['GET'], path: /^\/_github\/api\/repos\/[^/]+\/[^/]+\/issues\/\d+\/comments$/ },
} as const;

type Route = keyof typeof ROUTES;

const COMMON: Route[] = ['oidc', 'sts', 'impersonate', 'project', 'jobRead'];
/** What each mode does beyond the common calls; faults land there most of the time. */
const ROUTES_BY_MODE: Record<Mode, Route[]> = {
  check: ['getPolicy', 'testPermissions', 'serviceAccount', 'role', 'jobCreate', 'operation', 'comments'],
  fix: ['setPolicy', 'setPolicy', 'getPolicy', 'testPermissions'],
  'dry-run': ['getPolicy', 'getPolicy', 'testPermissions', 'serviceAccount'],
  create: ['jobCreate', 'operation'],
  update: ['jobUpdate', 'operation'],
  replace: ['v1Read', 'v1Write'],
  execute: ['run', 'operation', 'execution'],
};

const ALWAYS: FaultKind[] = [
  'throttle',
  'throttle-retry-after',
  'internal',
  'unavailable',
  'reset-before',
  'silence',
  'slow',
  // Answers that are not what the API promises, and redirects (issue 16): on every route too.
  ...GARBLE_KINDS,
  ...REDIRECT_KINDS,
];
/** Kinds only a write (or the run) meets: the answer lost after it applied, a concurrent writer, a run that never ends. */
function writeKinds(route: Route): FaultKind[] {
  if (route === 'setPolicy') return ['reset-after', 'slow', 'concurrent-writer'];
  if (route === 'run') return ['reset-after', 'slow', 'lro-stuck'];
  if (['jobCreate', 'jobUpdate', 'v1Write'].includes(route)) return ['reset-after', 'slow'];
  return [];
}

/** One or two faults for a run, from its seed. */
export function faultPlan(mode: Mode, seed: number, slowMs: number): FaultRule[] {
  const random = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const rules: FaultRule[] = [];
  const count = random() < 0.3 ? 2 : 1;
  for (let i = 0; i < count; i++) {
    const route = random() < 0.75 ? pick(ROUTES_BY_MODE[mode]) : pick(COMMON);
    const special = writeKinds(route);
    const kind = special.length && random() < 0.5 ? pick(special) : pick(ALWAYS);
    const rule: FaultRule = { kind, ...ROUTES[route], methods: [...ROUTES[route].methods] };
    rule.skip = random() < 0.25 ? 1 : 0;
    rule.times = kind === 'lro-stuck' || kind === 'concurrent-writer' ? 1 : random() < 0.2 ? 2 : 1;
    if (kind === 'throttle-retry-after') rule.retryAfterS = 1 + Math.floor(random() * 3);
    if (kind === 'slow') rule.delayMs = slowMs;
    rules.push(rule);
  }
  return rules;
}

/** Writes to the job and starts of an execution that the server applied (answered or not). */
export function appliedWrites(log: readonly RequestLogEntry[]): { job: number; run: number } {
  const applied = (r: RequestLogEntry) => r.handled === true && r.status < 300;
  const isJobWrite = (r: RequestLogEntry) =>
    (ROUTES.jobCreate.path.test(r.path) && r.method === 'POST') ||
    (ROUTES.jobUpdate.path.test(r.path) && r.method === 'PATCH') ||
    (ROUTES.v1Write.path.test(r.path) && (r.method === 'POST' || r.method === 'PUT'));
  return {
    job: log.filter((r) => isJobWrite(r) && applied(r)).length,
    run: log.filter((r) => ROUTES.run.path.test(r.path) && applied(r)).length,
  };
}

/** Run `work` over `items`, at most `limit` at a time. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (let i = next++; i < items.length; i = next++) out[i] = await work(items[i] as T);
  });
  await Promise.all(lanes);
  return out;
}
