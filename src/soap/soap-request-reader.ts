import { SaxesParser } from 'saxes';
import { DomainError, invalidParameters } from '../domain/errors';

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSUS_NS = 'http://www.microsoft.com/SoftwareDistribution';

/** An element of a request's operation, in the WSUS namespace: its local name, child elements and text. */
export interface SoapElement {
  local: string;
  children: SoapElement[];
  text: string;
}

/** What readSoapRequest found: the operation element to answer, or that the request is not one of `operations`. */
export type SoapRequest = { operation: string; element: SoapElement } | { operation: undefined };

/** Thrown to stop reading once the request is known not to be ours. */
const NOT_OURS = Symbol('not ours');

/**
 * readSoapRequest reads a SOAP 1.1 request once, through a strict, namespace-aware parser that refuses a DOCTYPE
 * (saxes, as src/clients/soap-response-reader.ts), into the tree of its operation element when that is one of
 * `operations` in the WSUS namespace. Anything else (another operation, not a SOAP 1.1 envelope) is reported as not
 * ours as soon as it shows, for the generic path to answer. Below the operation, every element must be in the WSUS
 * namespace and hold either elements or text; the Body holds nothing else. A violation is InvalidParameters.
 */
export function readSoapRequest(envelope: string, operations: ReadonlySet<string>): SoapRequest {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const open: SoapElement[] = [];
  let depth = 0;
  let inBody = false;
  let operation: SoapElement | undefined;
  let ended = false;
  parser.on('doctype', () => {
    throw invalidParameters('The request is not well-formed SOAP: a SOAP message has no DOCTYPE.');
  });
  parser.on('opentag', (tag) => {
    depth++;
    if (depth === 1) {
      if (tag.local !== 'Envelope' || tag.uri !== SOAP_NS) throw NOT_OURS;
    } else if (depth === 2) {
      inBody = tag.local === 'Body' && tag.uri === SOAP_NS;
    } else if (depth === 3 && inBody) {
      if (operation) throw invalidParameters(`The SOAP Body holds more than one element (${tag.local}).`);
      if (!operations.has(tag.local) || tag.uri !== WSUS_NS) throw NOT_OURS;
      operation = { local: tag.local, children: [], text: '' };
      open.push(operation);
    } else if (open.length) {
      if (tag.uri !== WSUS_NS) throw invalidParameters(`${tag.local} is not an element of ${WSUS_NS}.`);
      const el: SoapElement = { local: tag.local, children: [], text: '' };
      open[open.length - 1].children.push(el);
      open.push(el);
    }
  });
  const onText = (t: string) => {
    if (open.length) open[open.length - 1].text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    if (open.length && depth === open.length + 2) {
      const el = open.pop()!;
      if (el.children.length && el.text.trim()) throw invalidParameters(`${el.local} holds both elements and text.`);
    }
    depth--;
    ended ||= depth === 0;
  });
  try {
    parser.write(envelope);
    if (!ended) throw invalidParameters('The request is not well-formed XML: the document ends inside an element');
    parser.close();
  } catch (err) {
    if (err === NOT_OURS) return { operation: undefined };
    if (err instanceof DomainError) throw err;
    throw invalidParameters(`The request is not well-formed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  return operation ? { operation: operation.local, element: operation } : { operation: undefined };
}
