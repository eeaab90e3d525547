import fs from 'node:fs';
import path from 'node:path';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import sax from 'sax';
import * as soap from 'soap';
import { DomainError } from '../domain/errors';
import type { Logger } from '../lib/logger';
import { faultEnvelope, toSoapFault } from './faults';

/** An operation implementation: unpacked SOAP args in, a result object out; throws DomainError on failure. */
export type SoapOperation = (args: Record<string, unknown>, req: Request) => Promise<unknown>;

/** One WSDL service hosted on one path. */
export interface SoapServiceSpec {
  /** Endpoint path, e.g. /ServerSyncWebService/ServerSyncWebService.asmx. */
  path: string;
  /** File name under wsdl/. */
  wsdlFile: string;
  /** node-soap's service and port names from the WSDL. */
  serviceName: string;
  portName: string;
  operations: Record<string, SoapOperation>;
  /** Middleware run before the envelope is dispatched (e.g. HTTP Basic for publishers). */
  before?: RequestHandler[];
  /** Middleware run before the body is even read: a cheap refusal when the node is too busy (ServerSyncGate). */
  admit?: RequestHandler;
}

const SOAP11_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSDL_DIR = path.resolve(__dirname, '..', '..', '..', 'wsdl');

/** loadWsdl reads a WSDL from wsdl/ with every soap:address pointed at this node's public URL. */
export function loadWsdl(file: string, publicUrl: string): string {
  const text = fs.readFileSync(path.join(WSDL_DIR, file), 'utf8');
  return text.replace(/(<soap:address\s+location=")https?:\/\/[^/"]+/g, `$1${publicUrl}`);
}

/**
 * hostSoapService mounts one WSDL service on the app, hardened as node-stack.md §9 says: a body size
 * limit, a SOAP 1.1 envelope check that answers malformed or unknown requests with a proper fault,
 * every operation wrapped so only toSoapFault builds faults, text/xml responses, and ?wsdl served with
 * the node's own address. Resolves once node-soap has registered its route.
 */
export function hostSoapService(
  app: Express,
  spec: SoapServiceSpec,
  opts: { publicUrl: string; maxBytes: number; log: Logger },
): Promise<void> {
  const wsdl = loadWsdl(spec.wsdlFile, opts.publicUrl);
  const names = new Set(Object.keys(spec.operations));
  app.get(spec.path, (req, res, next) => {
    if (!Object.keys(req.query).some((k) => k.toLowerCase() === 'wsdl')) return next();
    res.type('text/xml; charset=utf-8').send(wsdl);
  });
  // Authentication first, so an unauthenticated caller learns nothing about the service.
  app.post(
    spec.path,
    ...(spec.admit ? [spec.admit] : []),
    express.raw({ type: () => true, limit: opts.maxBytes }),
    ...(spec.before ?? []),
    forceXmlContentType,
    checkEnvelope(names, opts.log),
  );

  const port: Record<string, unknown> = {};
  for (const [name, op] of Object.entries(spec.operations)) {
    port[name] = async (args: unknown, _cb: unknown, _headers: unknown, req: Request) => {
      try {
        return await op((normalizeArgs(args) ?? {}) as Record<string, unknown>, req);
      } catch (err) {
        throw toSoapFault(err, name, opts.log);
      }
    };
  }
  return new Promise((resolve) => {
    soap.listen(app, {
      path: spec.path,
      services: { [spec.serviceName]: { [spec.portName]: port } },
      xml: wsdl,
      suppressStack: true,
      callback: () => resolve(),
    } as soap.IServerOptions);
  });
}

/**
 * node-soap echoes the request's Content-Type; WS-I wants text/xml for SOAP 1.1 replies. Mounted after
 * authentication, so a refused caller's JSON 401 keeps its own type (labelled text/xml, PHP's SoapClient
 * reported "looks like we got no XML document" instead of Unauthorized).
 */
const forceXmlContentType: RequestHandler = (_req, res, next) => {
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name: string, value: number | string | readonly string[]) =>
    name.toLowerCase() === 'content-type' ? setHeader('Content-Type', 'text/xml; charset=utf-8') : setHeader(name, value);
  next();
};

/** Rejects, before node-soap parses it, a body that is not a SOAP 1.1 envelope naming one of our operations. */
function checkEnvelope(operations: Set<string>, log: Logger): RequestHandler {
  return (req, res, next) => {
    const body: Buffer | undefined = Buffer.isBuffer(req.body) ? req.body : undefined;
    const problem = envelopeProblem(body?.toString('utf8') ?? '', operations);
    if (!problem) return next();
    const fault = toSoapFault(new DomainError('InvalidParameters', problem.message), problem.operation ?? '', log);
    sendFault(res, faultEnvelope(fault, problem.versionMismatch ? 'soap:VersionMismatch' : undefined));
  };
}

function sendFault(res: Response, xml: string): void {
  res.status(500).set('Content-Type', 'text/xml; charset=utf-8').send(xml);
}

interface EnvelopeProblem {
  message: string;
  operation?: string;
  versionMismatch?: boolean;
}

/** envelopeProblem reads the envelope up to its first Body child and says what is wrong, if anything. */
export function envelopeProblem(xml: string, operations: Set<string>): EnvelopeProblem | undefined {
  if (!xml.trim()) return { message: 'The request body is empty; a SOAP 1.1 envelope is required.' };
  const parser = sax.parser(true, { xmlns: true });
  let depth = 0;
  let inBody = false;
  let found: EnvelopeProblem | 'ok' | undefined;
  parser.onopentag = (tag) => {
    depth++;
    if (found) return;
    const t = tag as sax.QualifiedTag;
    if (depth === 1) {
      if (t.local !== 'Envelope') found = { message: `The root element is ${t.name}, not a SOAP Envelope.` };
      else if (t.uri !== SOAP11_NS) found = { message: `Only SOAP 1.1 (${SOAP11_NS}) is supported.`, versionMismatch: true };
    } else if (depth === 2 && t.local === 'Body' && t.uri === SOAP11_NS) {
      inBody = true;
    } else if (depth === 3 && inBody) {
      found = operations.has(t.local) ? 'ok' : { message: `Unknown operation ${t.local}.`, operation: t.local };
    }
  };
  let rootClosed = false;
  parser.onclosetag = () => {
    depth--;
    rootClosed ||= depth === 0;
  };
  try {
    parser.write(xml).close();
    if (!rootClosed) throw new Error('the document ends inside an element');
  } catch (err) {
    return { message: `The request is not well-formed XML: ${(err as Error).message.split('\n')[0]}` };
  }
  if (found === 'ok') return undefined;
  return found ?? { message: 'The SOAP Body names no operation.' };
}

/**
 * normalizeArgs unwraps what node-soap hands over for clients that send xsi:type ({ attributes, $value })
 * and drops the attributes bag, so operations see plain values (node-stack.md §9 item 7).
 */
export function normalizeArgs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalizeArgs);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  if ('$value' in obj) return normalizeArgs(obj.$value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k !== 'attributes') out[k] = normalizeArgs(v);
  return out;
}
