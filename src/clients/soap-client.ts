import * as soap from 'soap';

/** SoapCallError is a fault or transport failure from a remote Cascade/WSUS service, with its WSUS ErrorCode when there is one. */
export class SoapCallError extends Error {
  constructor(
    readonly operation: string,
    readonly errorCode: string | undefined,
    message: string,
    /** The HTTP status of an answer that was no fault; the transport failure is the cause when there was no answer. */
    readonly detail: { httpStatus?: number; cause?: unknown } = {},
  ) {
    super(errorCode ? `${operation} failed: ${errorCode}: ${message}` : `${operation} failed: ${message}`, { cause: detail.cause });
  }

  get httpStatus(): number | undefined {
    return this.detail.httpStatus;
  }
}

/** faultOf reads ErrorCode and message out of what node-soap's client throws. */
export function toSoapCallError(operation: string, err: unknown): SoapCallError {
  const e = err as { root?: { Envelope?: { Body?: { Fault?: Record<string, unknown> } } }; message?: string };
  const fault = e.root?.Envelope?.Body?.Fault;
  if (fault) {
    const detail = (fault.detail ?? {}) as Record<string, unknown>;
    return new SoapCallError(
      operation,
      detail.ErrorCode as string | undefined,
      String(detail.Message ?? fault.faultstring ?? 'SOAP fault'),
    );
  }
  const response = (err as { response?: { status?: number; data?: unknown } }).response;
  if (response?.status) {
    const body = typeof response.data === 'string' ? response.data : JSON.stringify(response.data ?? '');
    const detail = /"message"\s*:\s*"([^"]*)"/.exec(body)?.[1] ?? body.slice(0, 200);
    return new SoapCallError(operation, undefined, `HTTP ${response.status}${detail ? `: ${detail}` : ''}`, {
      httpStatus: response.status,
    });
  }
  return new SoapCallError(operation, undefined, e.message ?? String(err), { cause: err });
}

/** call invokes one operation on a node-soap client and turns failures into SoapCallError. */
export async function call<T>(client: soap.Client, operation: string, args: unknown): Promise<T> {
  const fn = (client as unknown as Record<string, (a: unknown) => Promise<[T]>>)[`${operation}Async`];
  try {
    const [result] = await fn.call(client, args);
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
