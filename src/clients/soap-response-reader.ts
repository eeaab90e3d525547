import { SaxesParser } from 'saxes';
import { SoapCallError } from './soap-client';

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSUS_NS = 'http://www.microsoft.com/SoftwareDistribution';

/**
 * A BodyHandler receives the elements below a response element: `open` when one starts and `close` with
 * its text when it ends, each with its path of local names from the response element's first child
 * ("GetUpdateDataResult/updates/ServerSyncUpdateData").
 */
export interface BodyHandler {
  open(path: string): void;
  close(path: string, text: string): void;
}

/**
 * readSoapResponse streams a SOAP 1.1 response through a strict, namespace-aware parser (saxes, the
 * fastest correct reader measured by scripts/bench/xml-readers.ts). It hands the elements of the
 * `responseName` element in the WSUS namespace to the handler; a soap:Fault becomes a SoapCallError with
 * its WSUS ErrorCode and Message. Malformed XML, a DOCTYPE, or a body holding neither is refused.
 * Comments, processing instructions and CDATA are what XML says they are, never elements.
 */
export function readSoapResponse(operation: string, envelope: string, responseName: string, handler: BodyHandler): void {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const paths: string[] = [];
  let text = '';
  let body = false;
  let found = false;
  let fault: { code?: string; message?: string; faultstring?: string } | undefined;
  parser.on('doctype', () => {
    throw new Error('a SOAP message has no DOCTYPE');
  });
  parser.on('opentag', (tag) => {
    const depth = paths.length;
    text = '';
    if (depth === 0) {
      if (tag.local !== 'Envelope' || tag.uri !== SOAP_NS) throw new Error(`the root element is ${tag.name}, not a SOAP 1.1 Envelope`);
      paths.push('');
    } else if (depth === 1) {
      body = tag.local === 'Body' && tag.uri === SOAP_NS;
      paths.push(body ? '' : '#');
    } else if (depth === 2 && body) {
      if (tag.local === 'Fault' && tag.uri === SOAP_NS) {
        fault = {};
        paths.push('!');
      } else if (tag.local === responseName && tag.uri === WSUS_NS && !found && !fault) {
        found = true;
        paths.push('');
      } else throw new Error(`unexpected element ${tag.name} in the SOAP Body`);
    } else {
      const parent = paths[depth - 1];
      const path = parent === '#' ? '#' : depth === 3 ? (parent === '!' ? '!' : '') + tag.local : `${parent}/${tag.local}`;
      paths.push(path);
      if (path[0] !== '#' && path[0] !== '!') handler.open(path);
    }
  });
  parser.on('text', (t) => {
    text += t;
  });
  parser.on('cdata', (t) => {
    text += t;
  });
  parser.on('closetag', () => {
    const path = paths.pop()!;
    if (path[0] === '!') {
      if (path === '!faultstring') fault!.faultstring = text;
      else if (path === '!detail/ErrorCode') fault!.code = text.trim();
      else if (path === '!detail/Message') fault!.message = text;
    } else if (path && path[0] !== '#') handler.close(path, text);
    text = '';
  });
  try {
    parser.write(envelope).close();
  } catch (err) {
    if (err instanceof SoapCallError) throw err;
    throw new SoapCallError(
      operation,
      undefined,
      `the response is not a well-formed SOAP message: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  if (fault) throw new SoapCallError(operation, fault.code, fault.message ?? fault.faultstring ?? 'SOAP fault', { fault: true });
  if (!found) throw new SoapCallError(operation, undefined, `the response holds no ${responseName}`);
}
