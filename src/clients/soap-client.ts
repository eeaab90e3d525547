import * as soap from 'soap';

/** SoapCallError is a fault or transport failure from a remote Cascade/WSUS service, with its WSUS ErrorCode when there is one. */
export class SoapCallError extends Error {
  constructor(
    readonly operation: string,
    readonly errorCode: string | undefined,
    /** The fault's Message or what went wrong, without the operation. */
    readonly reason: string,
    /**
     * Whether the answer was a SOAP fault, its HTTP status, the wait the parent asked for (Retry-After, or
     * the seconds its fault message names), and the transport failure as the cause when there was no answer.
     */
    readonly detail: { fault?: boolean; httpStatus?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(errorCode ? `${operation} failed: ${errorCode}: ${reason}` : `${operation} failed: ${reason}`, { cause: detail.cause });
  }

  get httpStatus(): number | undefined {
    return this.detail.httpStatus;
  }

  get retryAfterMs(): number | undefined {
    return this.detail.retryAfterMs;
  }
}

/** faultOf reads ErrorCode and message out of what node-soap's client throws. */
export function toSoapCallError(operation: string, err: unknown): SoapCallError {
  const e = err as { root?: { Envelope?: { Body?: { Fault?: Record<string, unknown> } } }; message?: string };
  const fault = e.root?.Envelope?.Body?.Fault;
  const response = (err as { response?: { status?: number; data?: unknown; headers?: Record<string, string | string[]> } }).response;
  const retryAfter = response?.headers?.['retry-after'];
  if (fault) {
    const detail = (fault.detail ?? {}) as Record<string, unknown>;
    const message = String(detail.Message ?? fault.faultstring ?? 'SOAP fault');
    return new SoapCallError(operation, detail.ErrorCode as string | undefined, message, {
      fault: true,
      httpStatus: response?.status,
      retryAfterMs: parseRetryAfter(retryAfter, message),
    });
  }
  if (response?.status) {
    const body = typeof response.data === 'string' ? response.data : JSON.stringify(response.data ?? '');
    const detail = /"message"\s*:\s*"([^"]*)"/.exec(body)?.[1] ?? body.slice(0, 200);
    return new SoapCallError(operation, undefined, `HTTP ${response.status}${detail ? `: ${detail}` : ''}`, {
      httpStatus: response.status,
      retryAfterMs: parseRetryAfter(retryAfter),
    });
  }
  return new SoapCallError(operation, undefined, e.message ?? String(err), { cause: err });
}

/** call invokes one operation on a node-soap client and turns failures into SoapCallError. */
export async function call<T>(client: soap.Client, operation: string, args: unknown, options?: Record<string, unknown>): Promise<T> {
  const fn = (client as unknown as Record<string, (a: unknown, o?: Record<string, unknown>) => Promise<[T]>>)[`${operation}Async`];
  try {
    const [result] = await fn.call(client, args, options);
    return result;
  } catch (err) {
    throw toSoapCallError(operation, err);
  }
}

/** createSoapClient loads a service's WSDL from a node (`<endpoint>?wsdl`). */
export async function createSoapClient(endpoint: string, auth?: { user: string; password: string }): Promise<soap.Client> {
  const options = auth ? { wsdl_headers: { Authorization: basicAuthHeader(auth.user, auth.password) } } : {};
  let client: soap.Client;
  try {
    client = await soap.createClientAsync(`${endpoint}?wsdl`, options, endpoint);
  } catch (err) {
    const httpStatus = (err as { response?: { status?: number } }).response?.status;
    throw new SoapCallError('GetWsdl', undefined, `cannot load ${endpoint}?wsdl: ${(err as Error).message}`, { httpStatus, cause: err });
  }
  if (auth) client.setSecurity(new soap.BasicAuthSecurity(auth.user, auth.password));
  return client;
}

/** basicAuthHeader builds an HTTP Basic Authorization value. */
export function basicAuthHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** parseRetryAfter reads an HTTP Retry-After (seconds or an HTTP date), else "retry after N seconds" in a fault message. */
export function parseRetryAfter(header: string | string[] | undefined, message = '', now = Date.now()): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value && /^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  if (value && !Number.isNaN(Date.parse(value))) return Math.max(0, Date.parse(value) - now);
  const m = /retry after (\d+) seconds?/i.exec(message);
  return m ? Number(m[1]) * 1000 : undefined;
}
