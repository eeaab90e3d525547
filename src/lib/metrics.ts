import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

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

/** ServerSyncMetrics counts what a parent refused its children and shows the heavy ServerSync calls running and waiting. */
export interface ServerSyncMetrics {
  refused(operation: string, reason: string): void;
  load(inFlight: number, queued: number): void;
}

/** serverSyncMetrics registers cascade_serversync_refused_total{operation,reason}, cascade_serversync_in_flight and cascade_serversync_queued. */
export function serverSyncMetrics(registry: Registry): ServerSyncMetrics {
  const refused = new Counter({
    name: 'cascade_serversync_refused_total',
    help: 'ServerSync requests from downstream servers answered ServerBusy, by operation and reason',
    labelNames: ['operation', 'reason'] as const,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'cascade_serversync_in_flight',
    help: 'Heavy ServerSync requests (GetRevisionIdList, GetUpdateData) running now',
    registers: [registry],
  });
  const queued = new Gauge({
    name: 'cascade_serversync_queued',
    help: 'Heavy ServerSync requests waiting for a turn',
    registers: [registry],
  });
  return {
    refused: (operation, reason) => refused.inc({ operation, reason }),
    load: (running, waiting) => {
      inFlight.set(running);
      queued.set(waiting);
    },
  };
}
