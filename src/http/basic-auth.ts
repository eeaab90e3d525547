import type { Request, RequestHandler } from 'express';
import passport from 'passport';
import { BasicStrategy } from 'passport-http';
import { DomainError } from '../domain/errors';

/** The realm every HTTP Basic challenge of a Cascade node names. */
export const BASIC_REALM = 'Cascade';

/**
 * requireBasic makes middleware that admits a request only with HTTP Basic credentials `verify`
 * accepts, and sets req.user to what it returns; otherwise Unauthorized (401, with a Basic challenge)
 * goes to the error handler. `who` names the kind of account in the message.
 * passport-http splits credentials at every ':', so a secret must not contain one (generated ones never do).
 */
export function requireBasic<T>(
  who: string,
  verify: (user: string, secret: string, source: string) => Promise<T | undefined>,
): RequestHandler {
  // Own Authenticator: nothing registered on passport's global singleton leaks between apps or tests.
  const authenticator = new passport.Passport();
  authenticator.use(
    new BasicStrategy({ realm: BASIC_REALM, passReqToCallback: true }, (req, user, secret, done) => {
      verify(user, secret, clientAddress(req)).then((account) => done(null, account ?? false), done);
    }),
  );
  return (req, res, next) => {
    authenticator.authenticate('basic', { session: false }, (err: unknown, account: T | false) => {
      // An unread request body is not worth draining for keep-alive: close once the refusal is out.
      if ((err || !account) && !req.complete) res.setHeader('Connection', 'close');
      if (err) return next(err);
      if (!account) {
        res.setHeader('WWW-Authenticate', `Basic realm="${BASIC_REALM}"`);
        return next(new DomainError('Unauthorized', `valid ${who} credentials are required (HTTP Basic)`));
      }
      req.user = account as Express.User;
      next();
    })(req, res, next);
  };
}

/** clientAddress is the caller's IP address as failure limits count it (an IPv4 address mapped into IPv6 as IPv4). */
function clientAddress(req: Request): string {
  return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}
