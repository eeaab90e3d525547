import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { isDatabaseUnavailable } from '../db/database-unavailable';
import { DomainError, type ErrorCode } from '../domain/errors';
import type { Logger } from '../lib/logger';

const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  InvalidParameters: 400,
  Unauthorized: 401,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  TooManyRequests: 429,
  ServerBusy: 503,
  UpstreamUnavailable: 502,
};

/** createHttpApp makes the express app with the settings every route shares. */
export function createHttpApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  return app;
}

/** notFound answers any route nobody claimed. Register it after every SOAP mount has resolved. */
export const notFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: 'NotFound', message: `No route for ${req.method} ${req.path}` });
};

/** errorHandler is the one mapping from an error to an HTTP answer for the plain HTTP routes. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof DomainError) {
      if (err.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      res.status(HTTP_STATUS[err.code] ?? 500).json({ error: err.code, message: err.message });
      return;
    }
    if (isDatabaseUnavailable(err)) {
      log.warn({ err: (err as Error).message, path: req.path }, 'database unavailable');
      res.status(503).set('Retry-After', '30').json({ error: 'ServerBusy', message: 'the server cannot reach its database; retry later' });
      return;
    }
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err, path: req.path }, 'unhandled error');
    res.status(status).json({
      error: status === 413 ? 'PayloadTooLarge' : status === 500 ? 'InternalServerError' : 'BadRequest',
      message: status === 500 ? 'internal error; see the server log' : String(err.message ?? err),
    });
  };
}
