// loading.ts: a piece of the bundle is loaded once the next request is on the wire. Real
// requests against a local server; the server holds its answer, so "sent" is told apart from
// "answered".
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterNextRequestSent } from '../src/loading.ts';

const held: Array<() => void> = [];
const received: string[] = [];
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    received.push(body);
    held.push(() => res.end('ok'));
  });
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  for (const answer of held) answer();
  await new Promise((resolve) => server.close(resolve));
});

describe('afterNextRequestSent', () => {
  it('resolves once the next request has been flushed, before its answer', async () => {
    const sent = afterNextRequestSent(undefined, 10_000);
    let answered = false;
    let resolvedFirst = false;
    void sent.then(() => {
      resolvedFirst = !answered;
    });
    const req = request(url, { method: 'POST' }, (res) => {
      res.resume();
      answered = true;
    });
    req.end('body-1');
    await sent;
    expect(resolvedFirst).toBe(true);
    // The server has the whole request (the answer is still held).
    await expect.poll(() => received).toContain('body-1');
    expect(answered).toBe(false);
  });

  it('resolves when the promise it is given settles first (no request is coming)', async () => {
    let settle: () => void = () => undefined;
    const instead = new Promise<void>((r) => {
      settle = r;
    });
    let done = false;
    const sent = afterNextRequestSent(instead, 10_000).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    settle();
    await sent;
    expect(done).toBe(true);
  });

  it('resolves after maxMs at the latest, also when the promise given rejects', async () => {
    const started = Date.now();
    await afterNextRequestSent(undefined, 30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    await afterNextRequestSent(Promise.reject(new Error('refused')), 10_000);
  });
});
