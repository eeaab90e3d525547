import { SaxesParser } from 'saxes';
import { scanXml } from '../lib/xml-scan';
import { findXmlForbiddenChar } from '../lib/xml-writer';
import { SoapCallError } from './soap-client';

const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSUS_NS = 'http://www.microsoft.com/SoftwareDistribution';

/**
 * A BodyHandler receives the elements below a response element: `open` when one starts and `close` with
 * its text when it ends, each with its path of local names from the response element's first child
 * ("GetUpdateDataResult/updates/ServerSyncUpdateData"); `result` gives what it read once the message ends.
 */
export interface BodyHandler<T> {
  open(path: string): void;
  close(path: string, text: string): void;
  result(): T;
}

/**
 * readSoapResponse reads a SOAP 1.1 response and hands the elements of the `responseName` element in the
 * WSUS namespace to a handler made by `newHandler`; a soap:Fault becomes a SoapCallError with its WSUS
 * ErrorCode and Message. Malformed XML, a DOCTYPE, a character XML forbids, or a body holding neither is
 * refused. Comments, processing instructions and CDATA are what XML says they are, never elements.
 * The common shape (elements, namespace declarations, text, CDATA, no CR) is read by a scanner; anything else,
 * or anything it would refuse, is read again from the start, by a fresh handler, with a strict, namespace-aware
 * parser (saxes, the fastest correct reader measured by scripts/bench/xml-readers.ts), which judges it.
 */
export function readSoapResponse<T>(operation: string, envelope: string, responseName: string, newHandler: () => BodyHandler<T>): T {
  const fast = new ResponseWalker(responseName, newHandler());
  let scanned = false;
  try {
    scanned = scanEnvelope(envelope, fast);
  } catch {
    // judged below by the strict parser, with its messages
  }
  if (scanned) return fast.end(operation);
  const walker = new ResponseWalker(responseName, newHandler());
  const parser = new SaxesParser({ xmlns: true, position: false });
  parser.on('doctype', () => {
    throw new Error('a SOAP message has no DOCTYPE');
  });
  parser.on('opentag', (tag) => walker.open(tag.name, tag.local, tag.uri));
  parser.on('text', (t) => walker.text(t));
  parser.on('cdata', (t) => walker.text(t));
  parser.on('closetag', () => walker.close());
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
  return walker.end(operation);
}

/** ResponseWalker follows a response's elements (namespace-resolved) to the handler, or to a fault. */
class ResponseWalker<T> {
  private readonly paths: string[] = [];
  private text_ = '';
  private body = false;
  private found = false;
  private fault: { code?: string; message?: string; faultstring?: string } | undefined;

  constructor(
    private readonly responseName: string,
    private readonly handler: BodyHandler<T>,
  ) {}

  open(name: string, local: string, uri: string): void {
    const paths = this.paths;
    const depth = paths.length;
    this.text_ = '';
    if (depth === 0) {
      if (local !== 'Envelope' || uri !== SOAP_NS) throw new Error(`the root element is ${name}, not a SOAP 1.1 Envelope`);
      paths.push('');
    } else if (depth === 1) {
      this.body = local === 'Body' && uri === SOAP_NS;
      paths.push(this.body ? '' : '#');
    } else if (depth === 2 && this.body) {
      if (local === 'Fault' && uri === SOAP_NS) {
        this.fault = {};
        paths.push('!');
      } else if (local === this.responseName && uri === WSUS_NS && !this.found && !this.fault) {
        this.found = true;
        paths.push('');
      } else throw new Error(`unexpected element ${name} in the SOAP Body`);
    } else {
      const parent = paths[depth - 1];
      const path = parent === '#' ? '#' : depth === 3 ? (parent === '!' ? '!' : '') + local : `${parent}/${local}`;
      paths.push(path);
      if (path[0] !== '#' && path[0] !== '!') this.handler.open(path);
    }
  }

  text(t: string): void {
    this.text_ += t;
  }

  close(): void {
    const path = this.paths.pop()!;
    const text = this.text_;
    if (path[0] === '!') {
      if (path === '!faultstring') this.fault!.faultstring = text;
      else if (path === '!detail/ErrorCode') this.fault!.code = text.trim();
      else if (path === '!detail/Message') this.fault!.message = text;
    } else if (path && path[0] !== '#') this.handler.close(path, text);
    this.text_ = '';
  }

  end(operation: string): T {
    if (this.fault)
      throw new SoapCallError(operation, this.fault.code, this.fault.message ?? this.fault.faultstring ?? 'SOAP fault', {
        fault: true,
      });
    if (!this.found) throw new SoapCallError(operation, undefined, `the response holds no ${this.responseName}`);
    return this.handler.result();
  }
}

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';

/**
 * scanEnvelope reads the common shape of a response with scanXml, resolving element prefixes from the
 * namespace declarations in scope. It returns false (or throws) for what it leaves to the strict parser:
 * a CR (XML turns line ends into LF), a character XML forbids, a prefixed attribute, an odd declaration,
 * an unbound prefix, anything scanXml does not take.
 */
function scanEnvelope<T>(envelope: string, walker: ResponseWalker<T>): boolean {
  if (envelope.includes('\r') || findXmlForbiddenChar(envelope) !== -1) return false;
  const bindings: Array<{ prefix: string; uri: string }> = [];
  const declared: number[] = [];
  const odd = () => new Error('left to the strict parser');
  return scanXml(envelope, {
    open(name, attributes) {
      let n = 0;
      for (const key in attributes) {
        const prefix = key === 'xmlns' ? '' : key.startsWith('xmlns:') ? key.slice(6) : undefined;
        const uri = attributes[key];
        if (prefix === undefined || prefix.includes(':') || prefix === 'xml' || prefix === 'xmlns') throw odd();
        if (!uri || uri === XML_NAMESPACE || uri === XMLNS_NAMESPACE) throw odd();
        bindings.push({ prefix, uri });
        n++;
      }
      declared.push(n);
      const colon = name.indexOf(':');
      if (colon !== name.lastIndexOf(':') || colon === name.length - 1) throw odd();
      const prefix = colon === -1 ? '' : name.slice(0, colon);
      let uri: string | undefined;
      for (let i = bindings.length - 1; i >= 0 && uri === undefined; i--) if (bindings[i].prefix === prefix) uri = bindings[i].uri;
      if (uri === undefined && prefix) throw odd();
      walker.open(name, name.slice(colon + 1), uri ?? '');
    },
    text: (t) => walker.text(t),
    close() {
      bindings.length -= declared.pop()!;
      walker.close();
    },
  });
}
