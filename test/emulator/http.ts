// HTTP plumbing: turn node's request into an EmuRequest (including the absolute-URI form a
// proxied gcloud sends), parse JSON and form bodies, and render Google error bodies.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type EmuRequest, type EmuResponse, HttpError } from './contract.ts';

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function toEmuRequest(req: IncomingMessage, rawBody: string): EmuRequest {
  const target = req.url ?? '/';
  // A client using the emulator as an HTTP proxy sends `GET http://host:port/path`; the host
  // it meant (e.g. us-central1-emulator.invalid:PORT) matters for regional APIs.
  const absolute = /^https?:\/\//i.test(target);
  const url = new URL(absolute ? target : `http://${req.headers.host ?? 'localhost'}${target}`);
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    host: url.host,
    path: decodePath(url.pathname),
    query: url.searchParams,
    headers: req.headers,
    body: parseBody(req.headers['content-type'] ?? '', rawBody),
    rawBody,
  };
}

// Keep %2F encoded segments readable for matching (docker image names, emails with %40).
function decodePath(p: string): string {
  return p.replace(/%40/gi, '@').replace(/%3A/gi, ':');
}

function parseBody(contentType: string, raw: string): unknown {
  if (raw.trim() === '') return undefined;
  if (contentType.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    if (contentType.includes('json')) {
      throw new HttpError(
        400,
        'INVALID_ARGUMENT',
        `Invalid JSON payload received. Unexpected token.\n${raw.slice(0, 40)}`,
      );
    }
    return raw;
  }
}

const LEGACY_REASON: Record<number, string> = {
  400: 'badRequest',
  401: 'required',
  403: 'forbidden',
  404: 'notFound',
  409: 'aborted',
  429: 'rateLimitExceeded',
  500: 'backendError',
};

/**
 * APIs whose JSON errors still carry the legacy `errors[]` array: the v1 surfaces, and Cloud
 * Storage JSON v1, Compute v1 and Cloud SQL Admin v1beta4 (their discovery-era error shape:
 * https://cloud.google.com/storage/docs/json_api/v1/status-codes, Compute's "errors" with
 * reasons such as notFound/forbidden), whatever the error.
 */
export function hasLegacyErrors(path: string): boolean {
  return /^\/(?:v1|storage\/v1|compute\/v1|sql\/v1beta4)\//.test(path);
}

/** The google.rpc.Status JSON body; `legacy` adds the v1 `errors[]` array. */
export function errorBody(e: HttpError, legacy: boolean): Record<string, unknown> {
  const error: Record<string, unknown> = { code: e.httpStatus, message: e.message };
  if (legacy || e.legacy) {
    error.errors = [
      {
        message: e.message,
        domain: e.legacyDomain ?? 'global',
        reason: e.legacyReason ?? LEGACY_REASON[e.httpStatus] ?? 'failed',
      },
    ];
  }
  error.status = e.status;
  if (e.details.length > 0) error.details = e.details;
  return { error };
}

export function send(res: ServerResponse, out: EmuResponse): void {
  const headers: Record<string, string> = { ...(out.headers ?? {}) };
  let payload = '';
  if (out.body !== undefined) {
    payload = typeof out.body === 'string' ? out.body : JSON.stringify(out.body, null, 2);
    headers['content-type'] ??= 'application/json; charset=UTF-8';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(out.status, headers);
  res.end(payload);
}

/** Match `method` and a path pattern; returns the captured groups (decoded) or undefined. */
export function route(req: EmuRequest, method: string | string[], pattern: RegExp): string[] | undefined {
  const methods = Array.isArray(method) ? method : [method];
  if (!methods.includes(req.method)) return undefined;
  const m = pattern.exec(req.path);
  if (!m) return undefined;
  return m.slice(1).map((g) => decodeURIComponent(g ?? ''));
}

export function errorInfo(
  reason: string,
  domain: string,
  metadata: Record<string, string>,
): Record<string, unknown> {
  return { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason, domain, metadata };
}

export function notFound(message: string): HttpError {
  return new HttpError(404, 'NOT_FOUND', message);
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, 'INVALID_ARGUMENT', message);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
