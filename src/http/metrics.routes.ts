import { Router } from 'express';
import type { Registry } from 'prom-client';

/** metricsRoutes serves GET /metrics in the Prometheus text format from the node's registry. */
export function metricsRoutes(registry: Registry): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const text = await registry.metrics();
    res.setHeader('Content-Type', registry.contentType);
    res.send(text);
  });
  return router;
}
