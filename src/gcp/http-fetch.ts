// The fetch gaxios sends every Google request with (GaxiosOptions.fetchImplementation, the
// extension point gaxios documents for a fetch of one's own), on node:http and node:https. By
// default gaxios imports node-fetch, which rebuilds each answer through Node streams, a
// pipeline and web-stream polyfills: ~1.2 ms of CPU per answer on the runner's thread (a
// preflight's 22 answers took 26 ms to read one after the other, `node --cpu-prof`), plus ~90 KiB
// of code to compile. This reads the body into one buffer and hands gaxios a standard Response.
//
// What node-fetch did that matters here is kept: gaxios' AbortSignal (its timeout) aborts the
// request; an agent gaxios chose (an HTTPS proxy from HTTPS_PROXY and friends, a client
// certificate) is used; a redirect is never followed (node:http does not: the 3xx is the answer,
// which transport.ts refuses); a compressed body is decompressed. No Accept-Encoding is sent, so
// Google answers uncompressed.
import type { Agent, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { sendRequest } from './node-request.ts';

/** What gaxios passes (its prepared GaxiosOptions, a RequestInit plus `agent`). */
export type FetchInit = Omit<RequestInit, 'body'> & { body?: unknown; agent?: unknown };

/** Statuses whose Response has no body (the Fetch standard's null body status). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** A Response for an answer, with no body where the Fetch standard allows none. */
export function responseOf(
  status: number,
  body: Buffer | string,
  init: { statusText?: string; headers?: Headers | Record<string, string> } = {},
): Response {
  return new Response(NULL_BODY.has(status) ? null : body, { status, ...init });
}

/**
 * The Content-Type a fetch gives a body that comes without one (the Fetch standard's "extract a
 * body"): gaxios relies on it for the form a token exchange sends as URLSearchParams.
 */
function bodyType(body: unknown): string | undefined {
  if (body instanceof URLSearchParams) return 'application/x-www-form-urlencoded;charset=UTF-8';
  if (typeof body === 'string') return 'text/plain;charset=UTF-8';
  return undefined;
}

function bodyBytes(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  // URLSearchParams (the library's own token exchange) and anything else gaxios passes through.
  return Buffer.from(String(body), 'utf8');
}

function decompressed(headers: IncomingHttpHeaders, raw: Buffer): Buffer {
  const encoding = String(headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  if (!encoding || encoding === 'identity') return raw;
  const zlib = process.getBuiltinModule('node:zlib');
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.gunzipSync(raw);
  if (encoding === 'deflate') return zlib.inflateSync(raw);
  if (encoding === 'br') return zlib.brotliDecompressSync(raw);
  return raw;
}

function responseHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    // A decompressed body no longer has the encoding or length the server sent.
    if (name === 'content-encoding' || name === 'content-length') continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

/** fetch(url, init) for gaxios: one request, its whole answer as a Response. */
export async function httpFetch(input: string | URL | Request, init: FetchInit = {}): Promise<Response> {
  const headers: OutgoingHttpHeaders = {};
  new Headers(init.headers ?? {}).forEach((value, name) => {
    headers[name] = value;
  });
  const body = bodyBytes(init.body);
  if (body && headers['content-length'] === undefined) headers['content-length'] = body.length;
  const type = bodyType(init.body);
  if (type && headers['content-type'] === undefined) headers['content-type'] = type;
  const answer = await sendRequest(input instanceof Request ? input.url : input, {
    method: init.method ?? 'GET',
    headers,
    ...(body ? { body } : {}),
    ...(init.signal ? { signal: init.signal } : {}),
    ...(init.agent ? { agent: init.agent as Agent } : {}),
  });
  return responseOf(answer.status, decompressed(answer.headers, answer.body), {
    statusText: answer.statusText,
    headers: responseHeaders(answer.headers),
  });
}
