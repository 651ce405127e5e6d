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
import type { Agent, IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** What gaxios passes (its prepared GaxiosOptions, a RequestInit plus `agent`). */
export type FetchInit = Omit<RequestInit, 'body'> & { body?: unknown; agent?: unknown };

/** Statuses whose Response has no body (the Fetch standard's null body status). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

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

function decompressed(res: IncomingMessage, raw: Buffer): Buffer {
  const encoding = String(res.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  if (!encoding || encoding === 'identity') return raw;
  const zlib = process.getBuiltinModule('node:zlib');
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.gunzipSync(raw);
  if (encoding === 'deflate') return zlib.inflateSync(raw);
  if (encoding === 'br') return zlib.brotliDecompressSync(raw);
  return raw;
}

function responseHeaders(res: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    // A decompressed body no longer has the encoding or length the server sent.
    if (name === 'content-encoding' || name === 'content-length') continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return headers;
}

/** fetch(url, init) for gaxios: one request, its whole answer as a Response. */
export function httpFetch(input: string | URL | Request, init: FetchInit = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const http =
    url.protocol === 'https:'
      ? process.getBuiltinModule('node:https')
      : process.getBuiltinModule('node:http');
  const headers: OutgoingHttpHeaders = {};
  new Headers(init.headers ?? {}).forEach((value, name) => {
    headers[name] = value;
  });
  const body = bodyBytes(init.body);
  if (body && headers['content-length'] === undefined) headers['content-length'] = body.length;
  const type = bodyType(init.body);
  if (type && headers['content-type'] === undefined) headers['content-type'] = type;
  return new Promise<Response>((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: init.method ?? 'GET',
        headers,
        ...(init.signal ? { signal: init.signal } : {}),
        ...(init.agent ? { agent: init.agent as Agent } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        // Cut short (a reset, an abort): an error, never a truncated body taken as the answer.
        res.on('close', () => {
          if (!res.complete)
            reject(
              Object.assign(new Error('the connection closed before the answer ended'), {
                code: 'ECONNRESET',
              }),
            );
        });
        res.on('end', () => {
          try {
            const status = res.statusCode ?? 0;
            const bytes = NULL_BODY.has(status) ? null : decompressed(res, Buffer.concat(chunks));
            resolve(
              new Response(bytes, {
                status,
                statusText: res.statusMessage ?? '',
                headers: responseHeaders(res),
              }),
            );
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
