// The bundle loads in pieces (scripts/build.mjs splits it; main.ts decides when). Compiling a
// piece blocks the one thread: started while a request is on the wire it costs no wait, started
// just before one is sent it delays that request by as long. So a piece is loaded right after
// the next request has been flushed to its socket.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

// Published by node:http for every client request, once it has its socket (Node's
// diagnostics_channel docs, "Built-in Channels: HTTP", added in
// https://github.com/nodejs/node/commit/8c97f63401); gaxios (through http-fetch.ts),
// @actions/http-client and the entry point's prefetches all send through node:http. Built-in
// channels are marked experimental: were it ever silent, `maxMs` still bounds the wait.
const REQUEST_START = 'http.client.request.start';

/**
 * Resolves once the next outgoing HTTP request is flushed ('finish'), or when `instead` settles
 * first (no request is coming), or after `maxMs` at the latest. Never rejects.
 */
export function afterNextRequestSent(instead?: Promise<unknown>, maxMs = 250): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      unsubscribe(REQUEST_START, onStart);
      clearTimeout(timer);
      resolve();
    };
    const onStart = (message: unknown) => {
      unsubscribe(REQUEST_START, onStart);
      const request = (message as { request?: ClientRequest }).request;
      if (!request || request.writableFinished) return finish();
      request.once('finish', finish);
      request.once('close', finish);
    };
    subscribe(REQUEST_START, onStart);
    const timer = setTimeout(finish, maxMs);
    timer.unref();
    instead?.then(finish, finish);
  });
}

/**
 * Node compiles its fetch classes (Headers, Response: its bundled undici, ~20 ms of CPU in
 * `node --cpu-prof`) the first time one is touched, and gaxios touches them on its first request.
 * Touching them here moves that work to a moment the caller knows requests are in flight.
 */
export function loadFetchClasses(): void {
  void [globalThis.Headers, globalThis.Response, globalThis.TextDecoder];
}

/**
 * One turn of the event loop: answers that arrived while the thread was busy are read (and the
 * requests that follow them sent) before the caller compiles the next piece.
 */
export function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
