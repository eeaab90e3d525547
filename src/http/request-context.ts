import type { Request } from 'express';
import { requestContext, type RequestContext } from '../db/unit-of-work';
import type { Actor } from '../domain/actor';

// A caller's X-Request-Id is kept when it looks like an id, so its logs and ours line up.
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** httpContext builds the RequestContext of an HTTP or SOAP request for the actor it was admitted as. */
export function httpContext(req: Request, actor: Actor): RequestContext {
  const given = req.get('X-Request-Id');
  return requestContext(actor, given && REQUEST_ID.test(given) ? given : undefined);
}
