// The emulator's HTTP server: resolves the caller from the bearer token, builds the handler
// context, tries every API module's handlers in order, renders errors as Google does, injects
// latency and keeps a request log (the benchmark reads it).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handlers as artifactRegistry } from './apis/artifactregistry.ts';
import { handlers as cloudKms } from './apis/cloudkms.ts';
import { handlers as compute } from './apis/compute.ts';
import { handlers as github } from './apis/github.ts';
import { handlers as iam } from './apis/iam.ts';
import { handlers as iamV2 } from './apis/iam-v2.ts';
import { handlers as iamCredentials } from './apis/iamcredentials.ts';
import { handlers as logging } from './apis/logging.ts';
import { handlers as orgPolicy } from './apis/orgpolicy.ts';
import { handlers as policyTroubleshooter } from './apis/policytroubleshooter.ts';
import { handlers as resourceManager } from './apis/resourcemanager.ts';
import { handlers as runTasks } from './apis/run-tasks.ts';
import { handlers as runV1 } from './apis/run-v1.ts';
import { handlers as runV2 } from './apis/run-v2.ts';
import { handlers as scheduler } from './apis/scheduler.ts';
import { handlers as secretManager } from './apis/secretmanager.ts';
import { handlers as serviceUsage } from './apis/serviceusage.ts';
import { handlers as sqlAdmin } from './apis/sqladmin.ts';
import { handlers as storage } from './apis/storage.ts';
import { handlers as sts } from './apis/sts.ts';
import { handlers as vpcAccess } from './apis/vpcaccess.ts';
import {
  type Caller,
  type Ctx,
  type EmuRequest,
  type EmuResponse,
  type Handler,
  HttpError,
  type World,
} from './contract.ts';
import type { After, FaultInjector } from './faults.ts';
import { errorBody, errorInfo, hasLegacyErrors, readBody, send, toEmuRequest } from './http.ts';
import { callerFor, can, loadPredefinedRoles, predefinedRoles } from './iam-engine.ts';
import { handlers as runIam } from './run-iam.ts';
import { loadScenario } from './scenario.ts';
import { requireEnabled } from './services.ts';
import { lookupToken, mintToken } from './tokens.ts';

export interface StartOptions {
  /** Path to a YAML scenario, or the scenario as an object. */
  scenario: string | Record<string, unknown>;
  /** 0 or absent: any free port. */
  port?: number;
  /** Overrides the scenario's latencyMs. */
  latencyMs?: number;
  /** Overrides the scenario's propagationDelayMs. */
  propagationDelayMs?: number;
  /** Role data other than test/emulator/data/roles.json (the CLI's --roles). */
  rolesFile?: string;
  /** Fault mode (test/emulator/faults.ts): asked before and after every handler. */
  faults?: FaultInjector;
  /** Keep every response body in the request log (test/emulator-schema.test.ts validates them). */
  recordResponses?: boolean;
}

export interface RequestLogEntry {
  method: string;
  host: string;
  path: string;
  status: number;
  /** Epoch ms when the request arrived / when the response was sent. */
  start: number;
  end: number;
  /** Member behind the bearer token, if any. */
  caller?: string;
  /** The fault injected into this request, if any, and whether the handler (the write) ran. */
  fault?: string;
  handled?: boolean;
  /** The response body, when started with recordResponses. */
  response?: unknown;
  /** The User-Agent and X-Goog-Request-Reason headers the client sent. */
  userAgent?: string;
  requestReason?: string;
}

export interface Emulator {
  url: string;
  port: number;
  world: World;
  requestLog: RequestLogEntry[];
  /** A bearer token (valid 1 h) for `member`, with the groups the world gives it. */
  issueToken(member: string): string;
  stop(): Promise<void>;
}

export const ALL_HANDLERS: Handler[] = [
  ...sts,
  ...iamCredentials,
  ...iam,
  ...resourceManager,
  ...orgPolicy,
  ...artifactRegistry,
  ...secretManager,
  ...iamV2,
  ...policyTroubleshooter,
  ...runIam,
  ...runV2,
  ...runV1,
  ...github,
  ...sqlAdmin,
  ...compute,
  ...vpcAccess,
  ...storage,
  ...cloudKms,
  ...serviceUsage,
  ...logging,
  ...runTasks,
  ...scheduler,
];

const AUTH_HELP =
  'Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.';

function unauthenticated(kind: 'missing' | 'expired' | 'unknown'): HttpError {
  const reason =
    kind === 'missing'
      ? 'CREDENTIALS_MISSING'
      : kind === 'expired'
        ? 'ACCESS_TOKEN_EXPIRED'
        : 'ACCESS_TOKEN_TYPE_UNSUPPORTED';
  const message =
    kind === 'missing'
      ? `Request is missing required authentication credential. ${AUTH_HELP}`
      : `Request had invalid authentication credentials. ${AUTH_HELP}`;
  return new HttpError(401, 'UNAUTHENTICATED', message, [errorInfo(reason, 'googleapis.com', {})]);
}

/** Build the handler context for one request. */
export function makeCtx(world: World, req: EmuRequest): Ctx {
  const auth = String(req.headers.authorization ?? '');
  const token = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
  const found = token ? lookupToken(world, token) : undefined;
  const caller: Caller | undefined = found?.ok ? found.caller : undefined;
  const ctx: Ctx = {
    world,
    baseUrl: `http://${req.host}`,
    caller,
    requireCaller() {
      if (caller) {
        requireEnabled(ctx, caller, req.headers);
        return caller;
      }
      throw unauthenticated(!found ? 'missing' : found.ok ? 'unknown' : found.reason);
    },
    can(permission, resource, who) {
      return can(world, who ?? caller, permission, resource);
    },
    require(permission, resource, opts) {
      ctx.requireCaller();
      if (ctx.can(permission, resource)) return;
      const domain = opts?.domain ?? 'iam.googleapis.com';
      const message =
        opts?.message ?? `Permission '${permission}' denied on resource '${resource}' (or it may not exist).`;
      throw new HttpError(403, 'PERMISSION_DENIED', message, [
        errorInfo('IAM_PERMISSION_DENIED', domain, { permission, resource }),
      ]);
    },
  };
  return ctx;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startEmulator(opts: StartOptions): Promise<Emulator> {
  // Both load before the server listens: a broken world or role file stops here, with its cause.
  if (opts.rolesFile) loadPredefinedRoles(opts.rolesFile);
  else predefinedRoles();
  const world = loadScenario(opts.scenario);
  if (opts.latencyMs !== undefined) world.latencyMs = opts.latencyMs;
  if (opts.propagationDelayMs !== undefined) world.propagationDelayMs = opts.propagationDelayMs;
  const requestLog: RequestLogEntry[] = [];

  const server = createServer(async (nodeReq, res) => {
    const start = Date.now();
    let status = 500;
    let callerMember: string | undefined;
    let method = nodeReq.method ?? 'GET';
    let host = nodeReq.headers.host ?? '';
    let path = nodeReq.url ?? '/';
    let fault: string | undefined;
    let handled = false;
    let response: unknown;
    try {
      const raw = await readBody(nodeReq);
      let out: EmuResponse | undefined;
      let after: After | undefined;
      let faultReq: EmuRequest | undefined;
      try {
        const req = toEmuRequest(nodeReq, raw);
        ({ method, host, path } = req);
        const ctx = makeCtx(world, req);
        callerMember = ctx.caller?.member;
        const planned = opts.faults?.before(req, world) ?? { action: 'pass' };
        if (planned.action !== 'pass') fault = planned.action;
        if (planned.action === 'reset') return void nodeReq.socket.destroy();
        if (planned.action === 'silence') return; // held open until the client gives up or the server stops
        if (planned.action === 'respond') out = planned.response;
        else ({ after } = planned);
        if (after) faultReq = req;
        handled = out === undefined;
        for (const h of out ? [] : ALL_HANDLERS) {
          out = await h(req, ctx);
          if (out) break;
        }
        out ??= {
          status: 404,
          body: errorBody(
            new HttpError(404, 'NOT_FOUND', `The requested URL ${path} was not found on this server.`),
            false,
          ),
        };
      } catch (e) {
        if (!(e instanceof HttpError)) throw e;
        out = { status: e.httpStatus, body: errorBody(e, hasLegacyErrors(path)) };
      }
      if (world.latencyMs > 0) await sleep(world.latencyMs);
      status = out.status;
      if (after && faultReq && opts.faults) {
        if (after.action !== 'rewrite') fault = after.action === 'reset' ? 'reset-after' : 'slow';
        if (after.action === 'reset') return void nodeReq.socket.destroy();
        if (after.action === 'delay') await sleep(after.ms);
        else out = opts.faults.rewrite(faultReq, out);
      }
      status = out.status;
      response = out.body;
      send(res, out);
    } catch (e) {
      // A bug in a handler: answer like Google's frontend would and keep the trace visible.
      console.error('emulator handler failure', e);
      status = 500;
      send(res, {
        status,
        body: errorBody(new HttpError(500, 'INTERNAL', 'Internal error encountered.'), false),
      });
    } finally {
      const entry: RequestLogEntry = { method, host, path, status, start, end: Date.now() };
      if (callerMember) entry.caller = callerMember;
      if (opts.faults) entry.handled = handled;
      if (fault) entry.fault = fault;
      if (opts.recordResponses && response !== undefined) entry.response = structuredClone(response);
      const { 'user-agent': userAgent, 'x-goog-request-reason': reason } = nodeReq.headers;
      if (typeof userAgent === 'string') entry.userAgent = userAgent;
      if (typeof reason === 'string') entry.requestReason = reason;
      requestLog.push(entry);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    world,
    requestLog,
    issueToken: (member) => mintToken(world, callerFor(world, member)),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
