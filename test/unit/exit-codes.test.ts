import { expect } from 'chai';
import { SoapCallError } from '../../src/clients/soap-client';
import { ConfigError } from '../../src/config/config';
import { DatabaseUnreachableError } from '../../src/db/database';
import { DomainError } from '../../src/domain/errors';
import { ExitCode, UsageError, exitCodeOf } from '../../src/cli/exit-codes';

describe('cascade exit codes', () => {
  const refused = Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });
  const cases: Array<[string, unknown, number]> = [
    ['a usage error', new UsageError('--url is required'), ExitCode.Usage],
    ['a bad environment variable', new ConfigError(['CASCADE_PORT: must be a whole number']), ExitCode.Usage],
    ['a local refusal', new DomainError('NotFound', 'no downstream server "x"'), ExitCode.Refused],
    ['a SOAP fault', new SoapCallError('PublishUpdate', 'InvalidParameters', 'unknown classification'), ExitCode.Refused],
    ['an HTTP 401', new SoapCallError('Upload', 'Unauthorized', 'HTTP 401', { httpStatus: 401 }), ExitCode.Refused],
    [
      'a node that refuses the connection',
      new SoapCallError('GetWsdl', undefined, 'ECONNREFUSED', { cause: refused }),
      ExitCode.Unreachable,
    ],
    ['a fetch that found nobody', refused, ExitCode.Unreachable],
    ['a gateway answering 502', new SoapCallError('GetCookie', undefined, 'HTTP 502', { httpStatus: 502 }), ExitCode.Unreachable],
    ['a parent unreachable from the node', new SoapCallError('DownloadFiles', 'UpstreamUnavailable', 'parent down'), ExitCode.Unreachable],
    [
      'a database that does not answer',
      new DatabaseUnreachableError('127.0.0.1:5432/cascade', 'no answer within 5000 ms'),
      ExitCode.Unreachable,
    ],
    ['a fault inside the node called', new SoapCallError('PublishUpdate', 'InternalServerError', 'oops'), ExitCode.Internal],
    ['a malformed answer', new SoapCallError('GetRevisionIdList', undefined, 'the response holds no anchor'), ExitCode.Internal],
    ['a bug', new TypeError('x is undefined'), ExitCode.Internal],
  ];
  for (const [what, err, code] of cases) it(`exits ${code} on ${what}`, () => expect(exitCodeOf(err)).to.equal(code));
});
