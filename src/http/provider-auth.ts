import type { Request, RequestHandler } from 'express';
import { requestContext } from '../db/unit-of-work';
import type { ProviderAccount, ProviderAccountService } from '../services/provider-account.service';
import { requireBasic } from './basic-auth';

/**
 * requireProvider makes middleware that admits a request only with HTTP Basic credentials of an enabled
 * software-provider account, and sets req.user to that account (401 with a Basic challenge otherwise).
 */
export function requireProvider(accounts: ProviderAccountService): RequestHandler {
  return requireBasic('software provider', (name, password, source) =>
    accounts.authenticate(requestContext({ kind: 'node' }), name, password, source),
  );
}

/** providerOf returns the account requireProvider admitted; calling it on an unguarded route is a bug. */
export function providerOf(req: Request): ProviderAccount {
  if (!req.user) throw new Error('providerOf: route is not guarded by requireProvider');
  return req.user as ProviderAccount;
}
