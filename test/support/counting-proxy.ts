import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A plain HTTP relay in front of a node that counts the requests it passes on, by method and path. */
export interface CountingProxy {
  url: string;
  /** count returns how many requests for path (e.g. "GET /Content/AB/…") reached the target. */
  count(methodAndPath: string): number;
  /** total returns how many /Content/ requests were relayed. */
  total(): number;
  close(): Promise<void>;
}

/**
 * startCountingProxy relays every request to target and counts it. When the target is down it drops the
 * connection, as an unreachable parent would look to a child.
 */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const counts = new Map<string, number>();
  const { hostname, port } = new URL(target);
  const server = http.createServer((req, res) => {
    const key = `${req.method} ${req.url}`;
    const upstream = http.request({ hostname, port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    upstream.on('response', () => counts.set(key, (counts.get(key) ?? 0) + 1));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: (methodAndPath) => counts.get(methodAndPath) ?? 0,
    total: () => [...counts].filter(([k]) => k.includes(' /Content/')).reduce((n, [, v]) => n + v, 0),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
