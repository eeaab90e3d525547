import { expect } from 'chai';
import { QueryFailedError } from 'typeorm';
import { DatabaseUnreachableError } from '../../src/db/database';
import { isDatabaseUnavailable } from '../../src/db/database-unavailable';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises a database that is gone, refusing or shutting down, also inside TypeORM and cause', () => {
    for (const err of [
      new DatabaseUnreachableError('h:5432/db', 'no answer'),
      pgError('57P01', 'terminating connection due to administrator command'),
      pgError('08006'),
      pgError('3D000', 'database "x" does not exist'),
      pgError('55000', 'database "x" is not currently accepting connections'),
      pgError('ECONNREFUSED'),
      new Error('Connection terminated unexpectedly'),
      new QueryFailedError('SELECT 1', [], pgError('57P01')),
      new Error('wrapped', { cause: pgError('ECONNRESET') }),
    ]) {
      expect(isDatabaseUnavailable(err), String(err)).to.equal(true);
    }
  });

  it('leaves failed queries and other errors alone', () => {
    for (const err of [
      pgError('23505', 'duplicate key'),
      pgError('42P01', 'relation "x" does not exist'),
      new QueryFailedError('SELECT', [], pgError('22P02')),
      new TypeError('x is undefined'),
      undefined,
      'text',
    ]) {
      expect(isDatabaseUnavailable(err), String(err)).to.equal(false);
    }
  });
});
