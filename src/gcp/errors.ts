// Turns whatever a Google API call threw (a gaxios error carrying a google.rpc.Status body,
// a long-running operation's error, a network failure) into one plain record, and wraps it
// with what the action was attempting.
import { BadAnswer } from './answer.ts';
import { isPermission, permissionsInText } from './permission-grammar.ts';
import { retryAfterMs } from './retry-after.ts';
import { serviceOfUrl } from './services.ts';
import { parseDetails, type StatusDetails } from './status.ts';
import { seconds } from './timeout.ts';

/** google.rpc.Status as the JSON APIs return it, plus the legacy v1 `errors[]`. */
export interface GoogleStatus {
  /** HTTP status (REST body) or gRPC code (operation error). */
  code?: number;
  message?: string;
  /** Canonical status name, e.g. PERMISSION_DENIED. */
  status?: string;
  details?: Array<Record<string, unknown>>;
  errors?: Array<{ message?: string; domain?: string; reason?: string }>;
}

export interface ApiError {
  /** HTTP status, when the failure came over HTTP. */
  httpStatus?: number;
  /** Canonical status name (PERMISSION_DENIED, NOT_FOUND, ...), derived from the code when absent. */
  status: string;
  message: string;
  /** From google.rpc.ErrorInfo. */
  reason?: string;
  domain?: string;
  metadata: Record<string, string>;
  /** Every google.rpc detail of the status (and the legacy errors[]), decoded (src/gcp/status.ts). */
  details?: StatusDetails;
  /** The permission named by ErrorInfo metadata or, failing that, by the message. */
  permission?: string;
  /** Network-level code (ECONNRESET, ETIMEDOUT, ...) when no response arrived. */
  networkCode?: string;
  /** The service the request went to (run.googleapis.com, GitHub), when the error says. */
  service?: string;
  /** The request's own timeout, for "no answer after N s". */
  timeoutMs?: number;
  /** What the server's Retry-After header asked for. */
  retryAfterMs?: number;
  /**
   * What the server accepted and had not finished when the action stopped waiting: a long-running
   * operation's name (run.ts OperationTimeout) or a job still not Ready (job/replace.ts). Not a
   * network failure: the server answered.
   */
  unfinished?: string;
  raw?: GoogleStatus;
}

const GRPC_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

const HTTP_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function grpcCodeName(code: number): string {
  return GRPC_NAMES[code] ?? `CODE_${code}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Pull a permission out of free text by the permission grammar (src/gcp/permission-grammar.ts). */
export function permissionFromText(text: string): string | undefined {
  return permissionsInText(text)[0];
}

/** Parse a google.rpc.Status (REST `{error: ...}` body or operation `error`). */
export function fromStatus(body: GoogleStatus, httpStatus?: number): ApiError {
  const code = typeof body.code === 'number' ? body.code : undefined;
  const status =
    (typeof body.status === 'string' && body.status) ||
    (httpStatus !== undefined ? (HTTP_NAMES[httpStatus] ?? `HTTP_${httpStatus}`) : undefined) ||
    (code !== undefined ? grpcCodeName(code) : 'UNKNOWN');
  const message = typeof body.message === 'string' ? body.message : '';
  const details = parseDetails(body.details, body.errors);
  // The first ErrorInfo is the cause; a second (rare) only adds metadata the first lacks.
  const info = details.errorInfo[0];
  const metadata: Record<string, string> = {};
  for (const i of [...details.errorInfo].reverse()) Object.assign(metadata, i.metadata);
  const result: ApiError = { status, message, metadata, details, raw: body };
  if (httpStatus !== undefined) result.httpStatus = httpStatus;
  if (info?.reason) result.reason = info.reason;
  if (info?.domain) result.domain = info.domain;
  const legacyReason = details.legacy.find((e) => e.reason)?.reason;
  if (!result.reason && legacyReason) result.reason = legacyReason;
  if (details.retryDelayMs !== undefined) result.retryAfterMs = details.retryDelayMs;
  const named = metadata.permission && isPermission(metadata.permission) ? metadata.permission : undefined;
  const permission = named ?? permissionFromText(message);
  if (permission) result.permission = permission;
  return result;
}

function header(headers: unknown, name: string): unknown {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  return isRecord(headers) ? (headers[name] ?? headers[name.toLowerCase()]) : undefined;
}

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'TimeoutError',
  'AbortError',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

/** The network-level failure behind an error (own code, or its causes': fetch wraps them twice). */
function networkCodeOf(e: Record<string, unknown>): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 4 && isRecord(cur); depth++) {
    const code = typeof cur.code === 'string' ? cur.code : undefined;
    const name = typeof cur.name === 'string' ? cur.name : undefined;
    // A bundle may minify the error's class name: an abort is also known by its type or message.
    // The action aborts requests only through their timeout signals.
    const aborted =
      cur.type === 'aborted' || /operation was aborted|aborted due to timeout/i.test(String(cur.message));
    if ((code && TIMEOUT_CODES.has(code)) || (name && TIMEOUT_CODES.has(name)) || aborted) return 'ETIMEDOUT';
    if (code && RESET_CODES.has(code)) return 'ECONNRESET';
    if (code && /^E[A-Z]+$/.test(code)) return code;
    cur = cur.cause;
  }
  // undici's bare "fetch failed" / "other side closed": the connection broke without an answer.
  return /fetch failed|socket hang up|other side closed/i.test(String(e.message ?? ''))
    ? 'ECONNRESET'
    : undefined;
}

/** Where the request went and its timeout, from a gaxios-style error's config. */
function requestFacts(e: Record<string, unknown>, err: ApiError): ApiError {
  const config = isRecord(e.config) ? e.config : undefined;
  const url =
    config?.url instanceof URL ? config.url.href : typeof config?.url === 'string' ? config.url : undefined;
  const service = (typeof e.service === 'string' ? e.service : undefined) ?? serviceOfUrl(url);
  if (service) err.service = service;
  const timeout =
    typeof config?.timeout === 'number' ? config.timeout : typeof e.ms === 'number' ? e.ms : undefined;
  if (timeout) err.timeoutMs = timeout;
  if (typeof e.stillRunning === 'string') err.unfinished = e.stillRunning;
  const response = isRecord(e.response) ? e.response : undefined;
  // The header wins over RetryInfo: it is what the server's front end asked for.
  const after = retryAfterMs(header(response?.headers, 'retry-after'));
  if (after !== undefined) err.retryAfterMs = after;
  return err;
}

/** Best-effort parse of anything an API call threw. Never throws. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof StepError && e.api) return e.api;
  if (isRecord(e)) {
    const err = requestFacts(e, parseRecord(e));
    return e instanceof BadAnswer ? { ...err, reason: e.reason } : err; // answer.ts
  }
  return { status: 'UNKNOWN', message: String(e), metadata: {} };
}

function parseRecord(e: Record<string, unknown>): ApiError {
  {
    const response = isRecord(e.response) ? e.response : undefined;
    const httpStatus = typeof response?.status === 'number' ? response.status : undefined;
    let data: unknown = response?.data;
    if (typeof data === 'string') {
      try {
        data = JSON.parse(data);
      } catch {
        // not JSON: keep the text as the message below
      }
    }
    if (isRecord(data) && isRecord(data.error)) return fromStatus(data.error as GoogleStatus, httpStatus);
    // OAuth-style errors (STS): {error: "invalid_grant", error_description: "..."}
    if (isRecord(data) && typeof data.error === 'string') {
      const err: ApiError = {
        status: httpStatus !== undefined ? (HTTP_NAMES[httpStatus] ?? `HTTP_${httpStatus}`) : 'UNKNOWN',
        message: typeof data.error_description === 'string' ? data.error_description : data.error,
        reason: data.error,
        metadata: {},
      };
      if (httpStatus !== undefined) err.httpStatus = httpStatus;
      return err;
    }
    const message = typeof e.message === 'string' ? e.message : String(e);
    const err: ApiError = {
      status: httpStatus !== undefined ? (HTTP_NAMES[httpStatus] ?? `HTTP_${httpStatus}`) : 'UNKNOWN',
      message: typeof data === 'string' && data ? data : message,
      metadata: {},
    };
    if (httpStatus !== undefined) err.httpStatus = httpStatus;
    else {
      const network = networkCodeOf(e);
      if (network) err.networkCode = network;
    }
    return err;
  }
}

/** A failure with what the action was attempting; the one error type main.ts reports. */
export class StepError extends Error {
  readonly attempting: string;
  readonly api: ApiError | undefined;
  constructor(attempting: string, cause?: unknown) {
    const api = cause === undefined ? undefined : toApiError(cause);
    // OAuth errors (STS) carry their meaning in the code (`unauthorized_client`), so show it.
    const oauth = api?.reason && /^[a-z_]+$/.test(api.reason) ? ` ${api.reason}` : '';
    const detail = api
      ? `: ${api.status}${api.httpStatus ? ` (HTTP ${api.httpStatus})` : ''}${oauth}: ${api.message}`
      : '';
    super(
      api ? (noAnswer(api, attempting) ?? `Failed to ${attempting}${detail}`) : `Failed to ${attempting}`,
      {
        cause,
      },
    );
    this.name = 'StepError';
    this.attempting = attempting;
    this.api = api;
  }
}

/** "No answer from run.googleapis.com after 30 s while trying to read job X" for a request that got none. */
export function noAnswer(api: ApiError, attempting: string): string | undefined {
  if (api.httpStatus !== undefined || !api.networkCode) return undefined;
  const from = api.service ?? 'the server';
  const running = /^operation (\S+) still running/.exec(api.message)?.[1];
  if (running)
    return `${from} had not finished operation ${running}${api.timeoutMs ? ` after ${seconds(api.timeoutMs)}` : ''} while trying to ${attempting}; it keeps running on its side`;
  if (api.networkCode === 'ETIMEDOUT')
    return `No answer from ${from}${api.timeoutMs ? ` after ${seconds(api.timeoutMs)}` : ''} while trying to ${attempting}`;
  return `The connection to ${from} broke (${api.networkCode}) before an answer, while trying to ${attempting}`;
}

/** Run an API call; on failure throw a StepError that says what was being attempted. */
export async function attempt<T>(attempting: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof StepError) throw e;
    throw new StepError(attempting, e);
  }
}

export function isStatus(e: unknown, ...statuses: string[]): boolean {
  return statuses.includes(toApiError(e).status);
}
