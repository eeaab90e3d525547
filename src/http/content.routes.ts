import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { parseContentName } from '../content/content-store';
import { DomainError } from '../domain/errors';
import type { Payload, PayloadSource } from '../services/content.service';
import { httpContext } from './request-context';
import { notModified, parseRange, rangeApplies } from './byte-range';

/**
 * contentRoutes serves payloads at GET/HEAD /Content/<XX>/<SHA1HEX><.ext> as WSUS does (any letter case),
 * with ETag (the SHA-1), Last-Modified, conditional requests and one byte range per request; a request
 * for several ranges gets the whole payload (200). Anything that is not a valid store name is 404.
 */
export function contentRoutes(payloads: PayloadSource): Router {
  const router = Router();
  // Express answers HEAD with the GET route; serve() leaves the body out itself.
  router.get('/Content/:folder/:file', async (req, res) => {
    const name = parseContentName(req.params.folder, req.params.file);
    if (!name) throw new DomainError('NotFound', `no payload at ${req.path}`);
    await serve(
      req,
      res,
      await payloads.open(httpContext(req, { kind: 'client-computer', computerId: 'anonymous' }), name.sha1, name.extension),
    );
  });
  return router;
}

async function serve(req: Request, res: Response, payload: Payload): Promise<void> {
  const etag = `"${payload.sha1}"`;
  const validators = () => {
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', payload.modifiedAt.toUTCString());
    res.setHeader('Accept-Ranges', 'bytes');
  };
  if (notModified({ ifNoneMatch: req.get('If-None-Match'), ifModifiedSince: req.get('If-Modified-Since') }, etag, payload.modifiedAt)) {
    validators();
    res.status(304).end();
    return;
  }
  const range = rangeApplies(req.get('If-Range'), etag, payload.modifiedAt)
    ? parseRange(req.get('Range'), payload.size)
    : { kind: 'whole' as const };
  if (range.kind === 'unsatisfiable') {
    validators();
    res.status(416).setHeader('Content-Range', `bytes */${payload.size}`);
    res.json({ error: 'RangeNotSatisfiable', message: `the payload has ${payload.size} bytes` });
    return;
  }
  const part = range.kind === 'partial' ? { start: range.start, end: range.end } : undefined;
  const withBody = req.method !== 'HEAD' && payload.size > 0;
  // Open the bytes before any header goes out, so a payload that cannot be had is still a clean error answer.
  const body = withBody ? await payload.read(part) : undefined;
  validators();
  res.status(part ? 206 : 200);
  res.setHeader('Content-Type', 'application/octet-stream');
  res.setHeader('Content-Length', String(part ? part.end - part.start + 1 : payload.size));
  if (part) res.setHeader('Content-Range', `bytes ${part.start}-${part.end}/${payload.size}`);
  if (!body) {
    res.end();
    return;
  }
  // pipeline ends or destroys both sides; a client that disconnects only rejects this promise.
  await pipeline(body, res);
}
