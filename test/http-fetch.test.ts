// gaxios' fetch on node:http (src/gcp/http-fetch.ts), against a real local server and through
// gaxios itself: what it sends, what it hands back, and the behaviours node-fetch gave that the
// action relies on (timeouts abort, a proxy agent is used, redirects are not followed, a cut
// answer is an error, compressed bodies are read).
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Gaxios, GaxiosError } from 'gaxios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toApiError } from '../src/gcp/errors.ts';
import { httpFetch } from '../src/gcp/http-fetch.ts';
import { type RecordingServer, recordingServer, type Seen } from './helpers/recording-server.ts';

let server: RecordingServer;
let base = '';
let seen: Seen[] = [];

beforeAll(async () => {
  server = await recordingServer(({ path, body }, res) => {
    if (path === '/gzip') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync(JSON.stringify({ zipped: true })));
    } else if (path === '/redirect') {
      res.writeHead(302, { location: 'http://elsewhere.example/steal' });
      res.end();
    } else if (path === '/slow') {
      setTimeout(() => res.end('{}'), 2_000).unref();
    } else if (path === '/cut') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"half":');
      setTimeout(() => res.destroy(), 20);
    } else if (path === '/denied') {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 403, message: 'no', status: 'PERMISSION_DENIED' } }));
    } else if (path === '/empty') {
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'x-multi': ['a', 'b'] });
      res.end(JSON.stringify({ ok: true, echo: body }));
    }
  });
  base = server.url;
  seen = server.seen;
});
afterAll(() => server.close());

describe('httpFetch', () => {
  it('sends the method, headers and body, and answers a standard Response', async () => {
    seen.length = 0;
    const res = await httpFetch(`${base}/echo?x=1`, {
      method: 'POST',
      headers: new Headers({ 'x-goog-request-reason': 'ticket 1' }),
      body: JSON.stringify({ a: 1 }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-multi')).toBe('a, b');
    expect(await res.json()).toEqual({ ok: true, echo: '{"a":1}' });
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/echo?x=1', body: '{"a":1}' });
    expect(seen[0]?.headers['x-goog-request-reason']).toBe('ticket 1');
    expect(seen[0]?.headers['content-length']).toBe('7');
  });

  it('gives a form its content type, as fetch does (the library posts STS forms so)', async () => {
    seen.length = 0;
    await httpFetch(`${base}/form`, { method: 'POST', body: new URLSearchParams({ grant_type: 'x y' }) });
    expect(seen[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(seen[0]?.body).toBe('grant_type=x+y');
  });

  it('reads a compressed answer', async () => {
    expect(await (await httpFetch(`${base}/gzip`)).json()).toEqual({ zipped: true });
  });

  it('hands a redirect back as the answer, never following it', async () => {
    seen.length = 0;
    const res = await httpFetch(`${base}/redirect`, { method: 'POST', body: 'secret=1' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://elsewhere.example/steal');
    expect(seen.map((s) => s.path)).toEqual(['/redirect']);
  });

  it('aborts on the signal (gaxios times calls out with one), an error read as a timeout', async () => {
    const err = await httpFetch(`${base}/slow`, { signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(toApiError(err).networkCode).toBe('ETIMEDOUT');
  });

  it('refuses an answer cut short instead of handing back half a body', async () => {
    const err = await httpFetch(`${base}/cut`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(toApiError(err).networkCode).toBe('ECONNRESET');
  });

  it('answers a 204 with no body', async () => {
    const res = await httpFetch(`${base}/empty`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('sends through the agent it is given (a proxy agent gaxios chose)', async () => {
    let used = 0;
    const agent = new Agent({ keepAlive: true });
    // 'free': a socket of this agent finished a request (Node's http.Agent docs).
    agent.on('free', () => {
      used++;
    });
    await httpFetch(`${base}/echo`, { agent });
    agent.destroy();
    expect(used).toBe(1);
  });
});

describe('through gaxios', () => {
  const gaxios = new Gaxios({ fetchImplementation: httpFetch, retry: false });

  it('decodes JSON answers and shapes a refusal into GaxiosError with its body', async () => {
    const ok = await gaxios.request({
      url: `${base}/echo`,
      method: 'POST',
      data: { a: 2 },
      responseType: 'json',
    });
    expect(ok.data).toEqual({ ok: true, echo: '{"a":2}' });
    const err = await gaxios
      .request({ url: `${base}/denied`, responseType: 'json' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GaxiosError);
    expect(toApiError(err)).toMatchObject({ httpStatus: 403, status: 'PERMISSION_DENIED' });
  });

  it("goes through the proxy gaxios picks from HTTPS_PROXY (node-fetch's behaviour kept)", async () => {
    const tunnels: string[] = [];
    const proxy = createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client, head) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTPS_PROXY = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    delete process.env.NO_PROXY;
    try {
      const res = await new Gaxios({ fetchImplementation: httpFetch, retry: false }).request({
        url: `${base}/echo`,
        responseType: 'json',
      });
      expect(res.data).toMatchObject({ ok: true });
      expect(tunnels).toEqual([new URL(base).host]);
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      await new Promise<void>((r) => proxy.close(() => r()));
    }
  });
});
