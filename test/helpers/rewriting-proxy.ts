// A rewriting proxy for end-to-end diagnosis tests: it sits in front of the emulator and answers
// one chosen request with a recorded Google answer (a body from the real-text corpus), and
// forwards every other request untouched. The emulator stays Google's behaviour; the proxy only
// replays what Google was seen to answer, so the bundled action meets the real wire shape.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Emulator } from '../emulator/server.ts';

export interface Rewrite {
  method: string;
  /** Matched against the request path (with its query). */
  path: RegExp;
  status: number;
  /** Sent as JSON (an object) or as it is (a string). */
  body: unknown;
  /** Answer only the first N matching requests (default: all). */
  times?: number;
}

export interface RewritingProxy {
  url: string;
  /** Requests the proxy answered itself. */
  rewritten: Array<{ method: string; path: string }>;
  /** The emulator as the action should see it: every URL pointing at the proxy. */
  emulator: Emulator;
  stop(): Promise<void>;
}

export async function startRewritingProxy(emu: Emulator, rewrites: Rewrite[]): Promise<RewritingProxy> {
  const target = new URL(emu.url);
  const rewritten: RewritingProxy['rewritten'] = [];
  const used = new Map<Rewrite, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const rule = rewrites.find(
      (r) =>
        r.method === req.method &&
        r.path.test(path) &&
        (r.times === undefined || (used.get(r) ?? 0) < r.times),
    );
    if (rule) {
      used.set(rule, (used.get(rule) ?? 0) + 1);
      rewritten.push({ method: req.method ?? '', path });
      req.resume();
      const text = typeof rule.body === 'string' ? rule.body : JSON.stringify(rule.body);
      res.writeHead(rule.status, {
        'content-type': typeof rule.body === 'string' ? 'text/plain' : 'application/json; charset=UTF-8',
      });
      res.end(text);
      return;
    }
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    rewritten,
    emulator: { ...emu, url },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
