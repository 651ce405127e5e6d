// Seeded fault mode: per route, the emulator misbehaves the way real networks and Google's
// frontends do — 429 with and without Retry-After, 500, 503, a connection reset before or after
// the write applies, an answer slower than the client's timeout, silence, a long-running
// operation that never finishes, and a concurrent writer that changes a policy between the
// caller's read and its write. server.ts asks the injector before and after each handler; every
// fault it injects is recorded with whether the handler (the write) ran.
import type { EmuRequest, EmuResponse, Policy, World } from './contract.ts';
import { HttpError } from './contract.ts';
import { errorBody } from './http.ts';
import { newEtag } from './policy-api.ts';
import { canonical, findBucket, findCryptoKey, findSubnetwork } from './world-connected.ts';

export type FaultKind =
  | 'throttle'
  | 'throttle-retry-after'
  | 'internal'
  | 'unavailable'
  | 'reset-before'
  | 'reset-after'
  | 'slow'
  | 'silence'
  | 'lro-stuck'
  | 'concurrent-writer'
  | GarbleKind
  | RedirectKind;

/**
 * An answer that is HTTP 200 but not what the API promises, after the handler ran (a write
 * applied): `{}`, the real body with every field of another type, an HTML page (a proxy or
 * captive portal), the real body cut in half, the real body with trailing text, a huge body.
 */
export type GarbleKind =
  | 'garbled-empty'
  | 'garbled-type'
  | 'garbled-html'
  | 'garbled-truncated'
  | 'garbled-trailing'
  | 'garbled-huge';
export const GARBLE_KINDS: readonly GarbleKind[] = [
  'garbled-empty',
  'garbled-type',
  'garbled-html',
  'garbled-truncated',
  'garbled-trailing',
  'garbled-huge',
];

/** A 307 (method and body kept) to another host, or to another port of the same host, before the handler. */
export type RedirectKind = 'redirect-host' | 'redirect-port';
export const REDIRECT_KINDS: readonly RedirectKind[] = ['redirect-host', 'redirect-port'];

export const FAULT_KINDS: readonly FaultKind[] = [
  'throttle',
  'throttle-retry-after',
  'internal',
  'unavailable',
  'reset-before',
  'reset-after',
  'slow',
  'silence',
  'lro-stuck',
  'concurrent-writer',
  ...GARBLE_KINDS,
  ...REDIRECT_KINDS,
];

export interface FaultRule {
  kind: FaultKind;
  /** HTTP methods it applies to (default: any). */
  methods?: string[];
  /** Matched against the request path (with its :verb). */
  path: RegExp;
  /** Matching requests let through before the fault strikes (default 0). */
  skip?: number;
  /** How many matching requests it strikes (default 1). */
  times?: number;
  /** throttle-retry-after: seconds the Retry-After header asks for. */
  retryAfterS?: number;
  /** slow: how long the answer is held after the handler ran. */
  delayMs?: number;
}

export interface FaultEvent {
  kind: FaultKind;
  method: string;
  path: string;
  /** Did the handler run (for a write: did it apply)? */
  handled: boolean;
  at: number;
  retryAfterS?: number;
}

/** What the server does with one request. */
export type Before =
  | { action: 'pass'; after?: After }
  | { action: 'respond'; response: EmuResponse }
  | { action: 'reset' }
  | { action: 'silence' };

export type After = { action: 'reset' } | { action: 'delay'; ms: number } | { action: 'rewrite' };

/** The marker binding the concurrent writer adds: the soak checks it survives. */
export const CONCURRENT_BINDING = { role: 'roles/viewer', member: 'user:concurrent-writer@example.com' };

/** Deterministic PRNG (mulberry32): one seed, one run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function googleError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): EmuResponse {
  const body = errorBody(new HttpError(status, code, message), false);
  return headers ? { status, body, headers } : { status, body };
}

/**
 * The resource a policy write names, as the world's policies are keyed: `:setIamPolicy` of the
 * v1/v2/v3 APIs, Cloud Storage's PUT b/{bucket}/iam and Compute's POST .../setIamPolicy.
 */
export function policyWriteTarget(method: string, path: string): string | undefined {
  const bucket = /^\/storage\/v1\/b\/([^/]+)\/iam$/.exec(path)?.[1];
  if (bucket) return method === 'PUT' ? `projects/_/buckets/${decodeURIComponent(bucket)}` : undefined;
  const subnet = /^\/compute\/v1\/(projects\/[^/]+\/regions\/[^/]+\/subnetworks\/[^/]+)\/setIamPolicy$/.exec(
    path,
  )?.[1];
  if (subnet) return method === 'POST' ? subnet : undefined;
  return /^\/v\d+\/(.+):setIamPolicy$/.exec(path)?.[1];
}

/** The world object whose policy a policy write writes. */
function policyHolder(world: World, method: string, path: string): { policy: Policy } | undefined {
  const target = policyWriteTarget(method, path);
  if (!target) return undefined;
  if (target.startsWith('projects/_/buckets/')) return findBucket(world, target);
  if (target.includes('/subnetworks/')) return findSubnetwork(world, target);
  const sa = /serviceAccounts\/([^/]+)$/.exec(target)?.[1];
  if (sa) return world.serviceAccounts.find((s) => s.email === sa);
  return (
    world.repositories.find((r) => r.name === target) ??
    world.secrets.find((s) => s.name === target) ??
    world.projects.find((p) => `projects/${p.id}` === target) ??
    world.folders.find((f) => `folders/${f.id}` === target) ??
    world.organizations.find((o) => `organizations/${o.id}` === target) ??
    findCryptoKey(world, canonical(world, target))
  );
}

/** What a garbled answer looks like, made from the real one. */
export function garble(kind: GarbleKind, real: unknown): string {
  const json = JSON.stringify(real ?? {});
  switch (kind) {
    case 'garbled-empty':
      return '{}';
    case 'garbled-type':
      return JSON.stringify(wrongTypes(real));
    case 'garbled-html':
      return '<!DOCTYPE html>\n<html><head><title>Sign in to continue</title></head><body><form action="/login"></form></body></html>';
    case 'garbled-truncated':
      return json.slice(0, Math.max(1, Math.floor(json.length / 2)));
    case 'garbled-trailing':
      return `${json}\n<!-- served by proxy -->`;
    case 'garbled-huge':
      return `{"${'x'.repeat(4 * 1024 * 1024)}`;
  }
}

/** Every field of another JSON type (a string becomes a number, a list an object, ...); a list for `{}`. */
function wrongTypes(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0) return [v];
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    out[k] =
      typeof x === 'string'
        ? x.length
        : Array.isArray(x)
          ? { ...x }
          : typeof x === 'object'
            ? [x]
            : String(x);
  }
  return out;
}

export interface InjectorOptions {
  /** Where redirects point: a port that records what reaches it (the soak's trap); 1 (nothing) by default. */
  trapPort?: number;
}

export class FaultInjector {
  readonly rules: FaultRule[];
  readonly events: FaultEvent[] = [];
  private readonly seen = new Map<FaultRule, number>();
  /** Operations and executions that never finish (lro-stuck). */
  private readonly stuck = new Set<string>();
  /** Requests whose answer is garbled after the handler ran. */
  private readonly garbled = new WeakMap<EmuRequest, GarbleKind>();
  private readonly trapPort: number;

  constructor(rules: FaultRule[], options: InjectorOptions = {}) {
    this.rules = rules;
    this.trapPort = options.trapPort ?? 1;
  }

  /** Every rule counts the requests it matches; the first one whose turn it is strikes. */
  private strike(req: EmuRequest): FaultRule | undefined {
    let struck: FaultRule | undefined;
    for (const rule of this.rules) {
      if (rule.methods && !rule.methods.includes(req.method)) continue;
      if (!rule.path.test(req.path)) continue;
      const n = (this.seen.get(rule) ?? 0) + 1;
      this.seen.set(rule, n);
      const skip = rule.skip ?? 0;
      if (!struck && n > skip && n <= skip + (rule.times ?? 1)) struck = rule;
    }
    return struck;
  }

  private record(rule: FaultRule, req: EmuRequest, handled: boolean): void {
    const e: FaultEvent = { kind: rule.kind, method: req.method, path: req.path, handled, at: Date.now() };
    if (rule.retryAfterS !== undefined) e.retryAfterS = rule.retryAfterS;
    this.events.push(e);
  }

  /** Before the handlers run. */
  before(req: EmuRequest, world: World): Before {
    const rule = this.strike(req);
    if (this.isStuck(req.path)) return { action: 'pass', after: { action: 'rewrite' } };
    if (!rule) return { action: 'pass' };
    switch (rule.kind) {
      case 'throttle':
        this.record(rule, req, false);
        return { action: 'respond', response: googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded.') };
      case 'throttle-retry-after':
        this.record(rule, req, false);
        return {
          action: 'respond',
          response: googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded.', {
            'retry-after': String(rule.retryAfterS ?? 1),
          }),
        };
      case 'internal':
        this.record(rule, req, false);
        return { action: 'respond', response: googleError(500, 'INTERNAL', 'Internal error encountered.') };
      case 'unavailable':
        this.record(rule, req, false);
        return {
          action: 'respond',
          response: googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.'),
        };
      case 'reset-before':
        this.record(rule, req, false);
        return { action: 'reset' };
      case 'silence':
        this.record(rule, req, false);
        return { action: 'silence' };
      case 'reset-after':
        this.record(rule, req, true);
        return { action: 'pass', after: { action: 'reset' } };
      case 'slow':
        this.record(rule, req, true);
        return { action: 'pass', after: { action: 'delay', ms: rule.delayMs ?? 5_000 } };
      case 'lro-stuck':
        this.record(rule, req, true);
        return { action: 'pass', after: { action: 'rewrite' } };
      case 'redirect-host':
      case 'redirect-port': {
        this.record(rule, req, false);
        // 127.0.0.2 is another host on the loopback network; the emulator listens on 127.0.0.1 only.
        const host = rule.kind === 'redirect-host' ? '127.0.0.2' : '127.0.0.1';
        const query = req.query.toString();
        const location = `http://${host}:${this.trapPort}${req.path}${query ? `?${query}` : ''}`;
        return { action: 'respond', response: { status: 307, headers: { location } } };
      }
      case 'garbled-empty':
      case 'garbled-type':
      case 'garbled-html':
      case 'garbled-truncated':
      case 'garbled-trailing':
      case 'garbled-huge':
        this.record(rule, req, true);
        this.garbled.set(req, rule.kind);
        return { action: 'pass', after: { action: 'rewrite' } };
      case 'concurrent-writer': {
        const holder = policyHolder(world, req.method, req.path);
        if (holder) {
          // Someone else writes between the caller's read and its write: a new etag, one more binding.
          holder.policy.bindings ??= [];
          holder.policy.bindings.push({
            role: CONCURRENT_BINDING.role,
            members: [CONCURRENT_BINDING.member],
          });
          holder.policy.etag = newEtag();
          this.record(rule, req, true);
        }
        return { action: 'pass' };
      }
    }
  }

  private isStuck(path: string): boolean {
    for (const name of this.stuck) if (path.includes(name)) return true;
    return false;
  }

  /** After the handlers ran: note what lro-stuck must hold, and make stuck things look unfinished. */
  rewrite(req: EmuRequest, out: EmuResponse): EmuResponse {
    const garbled = this.garbled.get(req);
    if (garbled)
      return {
        status: 200,
        body: garble(garbled, out.body),
        headers: {
          'content-type': garbled === 'garbled-html' ? 'text/html' : 'application/json; charset=UTF-8',
        },
      };
    const body = out.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || out.status >= 300) return out;
    const copy = structuredClone(body);
    if (typeof copy.name === 'string' && /\/operations\//.test(copy.name)) {
      this.stuck.add(copy.name.replace(/^.*?(projects\/)/, '$1'));
      const meta = copy.metadata as { name?: string } | undefined;
      if (typeof meta?.name === 'string' && /\/executions\//.test(meta.name)) this.stuck.add(meta.name);
      copy.done = false;
      delete copy.response;
      delete copy.error;
      if (copy.metadata && typeof copy.metadata === 'object')
        stillRunning(copy.metadata as Record<string, unknown>);
    }
    if (typeof copy.name === 'string' && /\/executions\/[^/]+$/.test(copy.name) && req.method === 'GET')
      stillRunning(copy);
    return { ...out, body: copy };
  }
}

function stillRunning(execution: Record<string, unknown>): void {
  delete execution.completionTime;
  execution.runningCount = 1;
  execution.succeededCount = 0;
  execution.failedCount = 0;
  execution.reconciling = true;
  execution.conditions = [
    { type: 'ResourcesAvailable', state: 'CONDITION_SUCCEEDED' },
    { type: 'Started', state: 'CONDITION_SUCCEEDED' },
    { type: 'Completed', state: 'CONDITION_PENDING' },
  ];
}
