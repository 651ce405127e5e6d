// A local HTTP server that records every request (method, path, headers, whole body) before
// answering it as the test says: for checking what a client sends, byte for byte.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordingServer {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  /** Every request so far, oldest first (tests may empty it). */
  seen: Seen[];
  close: () => Promise<void>;
}

export async function recordingServer(
  answer: (req: Seen, res: ServerResponse) => void,
): Promise<RecordingServer> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      const one = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      seen.push(one);
      answer(one, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
