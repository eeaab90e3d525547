import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An HTTP relay in front of a node that cuts one chosen response off in the middle, as a broken network would. */
export interface CuttingRelay {
  url: string;
  /** How many responses it cut off. */
  cuts(): number;
  close(): Promise<void>;
}

/**
 * startCuttingRelay relays every request to target; the `nth` 200 response to a request whose SOAPAction names
 * `operation` is passed on for `afterBytes` bytes of its body (fewer: whole), and then the connection to the caller
 * is destroyed.
 */
export async function startCuttingRelay(
  target: string,
  cut: { operation: string; nth: number; afterBytes: number },
): Promise<CuttingRelay> {
  const { hostname, port } = new URL(target);
  const agent = new http.Agent({ keepAlive: true });
  let seen = 0;
  let cuts = 0;
  const server = http.createServer((req, res) => {
    const named = String(req.headers.soapaction ?? '')
      .replace(/"/g, '')
      .endsWith(`/${cut.operation}`);
    const upstream = http.request({ hostname, port, method: req.method, path: req.url, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      // Only a successful answer counts (a ServerBusy fault is short), and only one is cut.
      const victim = named && answer.statusCode === 200 && ++seen === cut.nth;
      if (!victim) {
        answer.pipe(res);
      } else {
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent >= cut.afterBytes) return;
          const part = chunk.subarray(0, cut.afterBytes - sent);
          sent += part.length;
          res.write(part);
          if (sent >= cut.afterBytes) {
            cuts++;
            res.socket?.destroy();
            answer.destroy();
          }
        });
        answer.on('end', () => res.end());
      }
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  // As long as a Cascade node keeps an idle connection, so the relay adds no keep-alive race of its own.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cuts: () => cuts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
