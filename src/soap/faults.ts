import { randomUUID } from 'node:crypto';
import { isDatabaseUnavailable } from '../db/database-unavailable';
import { DomainError, type ErrorCode } from '../domain/errors';
import type { Logger } from '../lib/logger';
import { xml, xmlPrintable } from '../lib/xml-writer';

/** The SOAP 1.1 fault object node-soap serialises (faultcode/faultstring/detail, HTTP 500). */
export interface SoapFault11 {
  Fault: {
    faultcode: string;
    faultstring: string;
    detail: { ErrorCode: ErrorCode; Message: string; ID: string; Method: string };
    statusCode: 500;
  };
}

/** Codes that blame the caller (soap:Client); every other code blames the server. */
const CLIENT_CODES = new Set<ErrorCode>([
  'InvalidParameters',
  'InvalidCookie',
  'InvalidAuthorizationCookie',
  'IncompatibleProtocolVersion',
  'FileDigestsMissing',
  'Unauthorized',
  'NotFound',
  'PayloadTooLarge',
  'Conflict',
]);

/**
 * toSoapFault is the one mapping from an error to a WSUS-shaped fault: a DomainError keeps its code and
 * message; a database that is gone becomes ServerBusy; anything else is logged here and becomes
 * InternalServerError with no internals leaked.
 */
export function toSoapFault(err: unknown, method: string, log: Logger): SoapFault11 {
  const id = randomUUID();
  let code: ErrorCode = 'InternalServerError';
  let message = 'The server could not complete the request; see its log for ID ' + id;
  if (err instanceof DomainError) {
    // Cascade's own HTTP code has no WSUS name; ServerBusy is the one a WSUS peer backs off on.
    code = err.code === 'TooManyRequests' ? 'ServerBusy' : err.code;
    message = xmlPrintable(err.message);
  } else if (isDatabaseUnavailable(err)) {
    // A server fault a WSUS peer retries later, not InternalServerError (the DSS stops) nor a cookie fault (it re-authorizes).
    code = 'ServerBusy';
    message = 'The server cannot reach its database; retry later';
    log.warn({ err: (err as Error).message, faultId: id, method }, 'database unavailable during SOAP operation');
  } else {
    log.error({ err, faultId: id, method }, 'unexpected error in SOAP operation');
  }
  return {
    Fault: {
      faultcode: CLIENT_CODES.has(code) ? 'soap:Client' : 'soap:Server',
      faultstring: message,
      detail: { ErrorCode: code, Message: message, ID: id, Method: method },
      statusCode: 500,
    },
  };
}

/** faultEnvelope renders a fault as a complete SOAP 1.1 envelope, for requests rejected before node-soap sees them. */
export function faultEnvelope(fault: SoapFault11, faultcode = fault.Fault.faultcode): string {
  const f = fault.Fault;
  const d = f.detail;
  return xml`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault>${xml`<faultcode>${faultcode}</faultcode><faultstring>${f.faultstring}</faultstring>`}${xml`<detail><ErrorCode>${d.ErrorCode}</ErrorCode><Message>${d.Message}</Message><ID>${d.ID}</ID><Method>${d.Method}</Method></detail>`}${xml`</soap:Fault></soap:Body></soap:Envelope>`}`.toString();
}
