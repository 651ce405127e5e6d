// One HTTP exchange on node:http or node:https, the whole answer read into memory: what both of
// the action's HTTP clients send with (http-fetch.ts, gaxios' fetch; the entry point's prefetches,
// auth/prefetch-http.ts). A redirect is never followed (node:http does not: the 3xx is the
// answer), and an answer cut short is an error, never a truncated body taken as the answer.
import type { Agent, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

export interface NodeRequest {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  /** Aborts the request (gaxios' timeout, or the prefetches' bound). */
  signal?: AbortSignal;
  /** An agent to send through (a proxy gaxios chose from HTTPS_PROXY and friends). */
  agent?: Agent;
  /** The request is flushed to its socket. */
  onSent?: () => void;
}

export interface NodeAnswer {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * node:https loads TLS (~10 ms at start): taken when the URL needs it, not at every start (the
 * runner's OIDC endpoint is https; an emulator's may be plain http).
 */
const moduleFor = (url: URL) =>
  url.protocol === 'https:' ? process.getBuiltinModule('node:https') : process.getBuiltinModule('node:http');

export function sendRequest(input: string | URL, init: NodeRequest = {}): Promise<NodeAnswer> {
  const url = new URL(String(input));
  return new Promise<NodeAnswer>((resolve, reject) => {
    let req: ReturnType<typeof import('node:http').request>;
    try {
      req = moduleFor(url).request(
        url,
        {
          method: init.method ?? 'GET',
          headers: init.headers ?? {},
          ...(init.signal ? { signal: init.signal } : {}),
          ...(init.agent ? { agent: init.agent } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('close', () => {
            if (!res.complete)
              reject(
                Object.assign(new Error('the connection closed before the answer ended'), {
                  code: 'ECONNRESET',
                }),
              );
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              headers: res.headers,
              body: Buffer.concat(chunks),
            }),
          );
        },
      );
    } catch (e) {
      // A header node:http refuses (it validates names and values): no request was made.
      reject(e);
      return;
    }
    req.on('error', reject);
    if (init.onSent) req.on('finish', init.onSent);
    req.end(init.body);
  });
}
