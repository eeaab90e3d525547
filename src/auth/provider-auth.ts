import type { Request, RequestHandler } from 'express';
import passport from 'passport';
import { BasicStrategy } from 'passport-http';
import { DomainError } from '../domain/errors';
import type { ProviderAccount, ProviderAccountService } from '../services/provider-account.service';

/** PROVIDER_REALM is the Basic realm software providers authenticate in. */
export const PROVIDER_REALM = 'Cascade';

/**
 * requireProvider makes middleware that admits a request only with HTTP Basic credentials of an enabled
 * software-provider account, and sets req.user to that account; otherwise it passes Unauthorized (401, JSON)
 * to the error handler with a Basic challenge.
 * Note: passport-http splits credentials at every ':', so a password must not contain one (generated ones never do).
 */
export function requireProvider(accounts: ProviderAccountService): RequestHandler {
  // Own Authenticator: nothing registered on passport's global singleton leaks between apps or tests.
  const authenticator = new passport.Passport();
  authenticator.use(new BasicStrategy({ realm: PROVIDER_REALM }, (name, password, done) => {
    accounts.authenticate(name, password).then((account) => done(null, account ?? false), done);
  }));
  return (req, res, next) => {
    const authenticate = authenticator.authenticate('basic', { session: false }, (err: unknown, account: ProviderAccount | false) => {
      if (err) return next(err);
      if (!account) {
        // An unread upload body is not worth draining for keep-alive: close once the 401 is out.
        if (!req.complete) res.setHeader('Connection', 'close');
        res.setHeader('WWW-Authenticate', `Basic realm="${PROVIDER_REALM}"`);
        return next(new DomainError('Unauthorized', 'a valid software provider name and password are required (HTTP Basic)'));
      }
      req.user = account;
      next();
    });
    authenticate(req, res, next);
  };
}

/** providerOf returns the account requireProvider admitted; calling it on an unguarded route is a bug. */
export function providerOf(req: Request): ProviderAccount {
  if (!req.user) throw new Error('providerOf: route is not guarded by requireProvider');
  return req.user as ProviderAccount;
}
