// Where the fault mode's redirects point: a server that records every request that reaches it
// (method, path, whether it carried a credential) and answers `{}`. A run that follows a redirect
// shows up here; the soak expects it to stay empty.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Trap {
  port: number;
  hits: string[];
  stop(): Promise<void>;
}

export async function startTrap(): Promise<Trap> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    const credential = req.headers.authorization ? 'with a credential' : 'without a credential';
    hits.push(`${req.method} ${req.url} ${credential}`);
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  // Every loopback address: redirects go to 127.0.0.1 (another port) and 127.0.0.2 (another host).
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    hits,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
