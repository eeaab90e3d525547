import { Router, type RequestHandler } from 'express';
import { providerOf } from './provider-auth';
import type { UploadService } from '../services/upload.service';
import { httpContext } from './request-context';

/**
 * uploadRoutes mounts PUT /Upload and PUT /Upload/<fileName> (or ?name=<fileName>): a software provider
 * streams one payload as the raw request body and gets 201 with its digests and content URL.
 */
export function uploadRoutes(uploads: UploadService, requireProvider: RequestHandler): Router {
  const router = Router();
  router.put(['/Upload', '/Upload/:fileName'], requireProvider, async (req, res) => {
    const named = req.params.fileName;
    const query = req.query.name;
    const length = req.get('Content-Length');
    try {
      const ctx = httpContext(req, { kind: 'software-provider', providerName: providerOf(req).name });
      const result = await uploads.upload(ctx, {
        fileName: typeof named === 'string' ? named : typeof query === 'string' ? query : undefined,
        declaredSize: length === undefined ? undefined : Number(length),
        body: req,
      });
      res.status(201).json(result);
    } catch (err) {
      // A client that went away needs no answer; one whose body was left unread gets its answer and a closed
      // connection, so Node does not drain gigabytes just to keep it alive.
      if (req.socket.destroyed) return;
      if (!req.complete) res.setHeader('Connection', 'close');
      throw err;
    }
  });
  return router;
}
