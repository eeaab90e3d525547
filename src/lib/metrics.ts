import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

/** createMetricsRegistry makes the node's Prometheus registry with the default process metrics (CPU, memory, event loop). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * upstreamPayloadMetrics registers the counters of just-in-time fetches from the parent: fetches by result
 * (ok, failed, corrupt) and payload bytes received.
 */
export function upstreamPayloadMetrics(registry: Registry): {
  fetchEnded(result: 'ok' | 'failed' | 'corrupt'): void;
  bytesReceived(bytes: number): void;
} {
  const fetches = new Counter({
    name: 'cascade_upstream_payload_fetches_total',
    help: 'Payload fetches from the parent node, by result (corrupt = failed verification, nothing kept)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const bytes = new Counter({
    name: 'cascade_upstream_payload_bytes_total',
    help: 'Payload bytes received from the parent node',
    registers: [registry],
  });
  // Start every result at 0 so a scrape shows the series before the first fetch.
  for (const result of ['ok', 'failed', 'corrupt'] as const) fetches.inc({ result }, 0);
  return {
    fetchEnded: (result) => fetches.inc({ result }),
    bytesReceived: (n) => bytes.inc(n),
  };
}
