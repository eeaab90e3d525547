import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { authorize } from '../support/downstream-client';
import { REPO_ROOT, tempDir } from '../support/node-process';
import { startSyncFixture, type SyncFixture } from '../support/sync-fixture';
import { linkSchemaImports, outlineWsdl } from '../support/wsdl-inspect';
import { compareXml, parseXml, prettyXml, serializeXml, TYPED_PLACEHOLDERS, type XmlElement } from '../support/xml-compare';

// Golden SOAP envelopes (test/soap-samples/README.md): each <Service>__<case>/request.xml is POSTed to a node
// holding the sync fixture, and the reply must match response.xml element by element.
const SAMPLES_DIR = path.join(REPO_ROOT, 'test', 'soap-samples');
const WSDL_DIR = path.join(REPO_ROOT, 'wsdl');
const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const WSDL_SOAP_NS = 'http://schemas.xmlsoap.org/wsdl/soap/';
const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
// Set to 1 to write a missing response.xml from the live reply (then review it and put placeholders in).
const CAPTURE = process.env.CASCADE_CAPTURE_SAMPLES === '1';

/** What the driver needs from a WSDL service: its endpoint path, the SOAPAction of each operation, its schema files by namespace. */
interface WsdlEndpoint {
  path: string;
  soapActions: Map<string, string>;
  schemas: Map<string, string>;
}

/** wsdlEndpoints reads every wsdl/*.wsdl, writing its embedded schemas into `work` for xmllint. */
function wsdlEndpoints(work: string): Map<string, WsdlEndpoint> {
  const endpoints = new Map<string, WsdlEndpoint>();
  for (const file of fs.readdirSync(WSDL_DIR).filter((f) => f.endsWith('.wsdl'))) {
    const text = fs.readFileSync(path.join(WSDL_DIR, file), 'utf8');
    const embedded = outlineWsdl(text).schemas;
    const schemas = new Map(embedded.map((s, i) => [s.targetNamespace, path.join(work, `${file}-${i}.xsd`)]));
    for (const s of embedded)
      fs.writeFileSync(
        schemas.get(s.targetNamespace)!,
        linkSchemaImports(s, (ns) => schemas.get(ns)),
      );
    const defs = parseXml(text);
    const bindings = new Map<string, Map<string, string>>();
    for (const b of defs.children.filter((c) => c.name === `{${WSDL_NS}}binding`)) {
      const actions = new Map<string, string>();
      for (const op of b.children.filter((c) => c.name === `{${WSDL_NS}}operation`)) {
        const soapOp = op.children.find((c) => c.name === `{${WSDL_SOAP_NS}}operation`);
        if (soapOp) actions.set(attr(op, 'name'), attr(soapOp, 'soapAction'));
      }
      bindings.set(attr(b, 'name'), actions);
    }
    for (const s of defs.children.filter((c) => c.name === `{${WSDL_NS}}service`)) {
      const port = s.children.find((c) => c.name === `{${WSDL_NS}}port`)!;
      const address = port.children.find((c) => c.name === `{${WSDL_SOAP_NS}}address`)!;
      endpoints.set(attr(s, 'name'), {
        path: new URL(attr(address, 'location')).pathname,
        soapActions: bindings.get(attr(port, 'binding').replace(/^.*:/, '')) ?? new Map(),
        schemas,
      });
    }
  }
  return endpoints;
}

const attr = (el: XmlElement, name: string) => el.attributes[`{}${name}`] ?? '';

/** The local name of the first SOAP Body child, read as far as the document is well-formed. */
function bodyOperation(xml: string): string | undefined {
  const m = /<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([\w.-]+)/.exec(xml);
  return m?.[1];
}

/** fill replaces each {{NAME}} whose NAME is in values; with strict, any other placeholder is an error. */
function fill(text: string, values: Record<string, string>, strict: boolean): string {
  return text.replace(/\{\{([A-Z0-9_]+)\}\}/g, (whole, name: string) => {
    if (name in values) return values[name];
    if (strict) throw new Error(`unknown placeholder ${whole}`);
    return whole;
  });
}

const bodyChild = (envelope: XmlElement) => envelope.children.find((c) => c.name === `{${SOAP_ENV_NS}}Body`)?.children[0];
const hasFault = (envelope: XmlElement) => bodyChild(envelope)?.name === `{${SOAP_ENV_NS}}Fault`;

/** expectSchemaValid checks an envelope's Body element against the WSDL's embedded schema with xmllint. */
function expectSchemaValid(envelope: XmlElement, endpoint: WsdlEndpoint, what: string): void {
  const el = bodyChild(envelope);
  const xsd = el && endpoint.schemas.get(el.name.slice(1, el.name.indexOf('}')));
  if (!el || !xsd) throw new Error(`${what}: the Body holds no element of the WSDL's namespaces`);
  const r = spawnSync('xmllint', ['--noout', '--schema', xsd, '-'], { input: serializeXml(el), encoding: 'utf8' });
  expect(r.status, `${what} against the WSDL schema:\n${r.stderr}`).to.equal(0);
}

const CASES = fs
  .readdirSync(SAMPLES_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe('SOAP golden samples (test/soap-samples)', function () {
  this.timeout(60000);
  let endpoints: Map<string, WsdlEndpoint>;
  let work: string;
  let fixture: SyncFixture;
  let values: Record<string, string>;

  before(async () => {
    work = tempDir('casc-xsd-');
    endpoints = wsdlEndpoints(work);
    fixture = await startSyncFixture();
    const { id, secret } = fixture.downstream;
    const clients = await authorize(fixture.node.url, id, secret);
    const [list] = await clients.sync.GetRevisionIdListAsync({ cookie: clients.cookie, filter: { GetConfig: false } });
    values = {
      NODE_URL: fixture.node.url,
      SERVER_ID: id,
      BASIC_AUTH: Buffer.from(`${id}:${secret}`).toString('base64'),
      AUTH_COOKIE: clients.authCookie.CookieData,
      COOKIE: clients.cookie.EncryptedData,
      COOKIE_EXPIRATION: clients.cookie.Expiration,
      ANCHOR: list.GetRevisionIdListResult.Anchor,
    };
  });
  after(async () => {
    await fixture?.close();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('has samples for every operation of the hosted services', () => {
    // PublishingService joins this list once startNode mounts it.
    for (const service of ['DssAuthWebService', 'ServerSyncWebService']) {
      const covered = new Set(
        CASES.filter((c) => c.startsWith(`${service}__`)).map((c) =>
          bodyOperation(fs.readFileSync(path.join(SAMPLES_DIR, c, 'request.xml'), 'utf8')),
        ),
      );
      expect([...covered], service).to.include.members([...endpoints.get(service)!.soapActions.keys()]);
    }
  });

  for (const name of CASES) {
    it(name, async () => {
      const dir = path.join(SAMPLES_DIR, name);
      const service = name.split('__')[0];
      const endpoint = endpoints.get(service);
      if (!endpoint) throw new Error(`no wsdl/*.wsdl defines service ${service}`);
      const body = fill(fs.readFileSync(path.join(dir, 'request.xml'), 'utf8'), values, true);
      const action = endpoint.soapActions.get(bodyOperation(body) ?? '');
      const extra = fs.existsSync(path.join(dir, 'headers.json'))
        ? (JSON.parse(fill(fs.readFileSync(path.join(dir, 'headers.json'), 'utf8'), values, true)) as Record<string, string>)
        : {};
      const headers = { 'Content-Type': 'text/xml; charset=utf-8', ...(action ? { SOAPAction: `"${action}"` } : {}), ...extra };

      const res = await fetch(`${fixture.node.url}${endpoint.path}`, { method: 'POST', headers, body });
      const text = await res.text();

      const responseFile = path.join(dir, 'response.xml');
      if (!fs.existsSync(responseFile)) {
        if (!CAPTURE) throw new Error(`${name}/response.xml is missing (run with CASCADE_CAPTURE_SAMPLES=1 to capture one)`);
        const known = Object.entries(values)
          .filter(([k]) => /^(NODE_URL|SERVER_ID)$/.test(k))
          .sort((a, b) => b[1].length - a[1].length);
        fs.writeFileSync(
          responseFile,
          known.reduce((x, [k, v]) => x.split(v).join(`{{${k}}}`), prettyXml(text)),
        );
        throw new Error(`captured ${name}/response.xml (HTTP ${res.status}); review it against the WSDL`);
      }
      const typed = Object.fromEntries(Object.entries(values).filter(([k]) => !(k in TYPED_PLACEHOLDERS)));
      const expected = parseXml(fill(fs.readFileSync(responseFile, 'utf8'), typed, false));
      const diff = compareXml(expected, parseXml(text));
      expect(diff, `${diff}\n--- response:\n${text}`).to.equal(undefined);
      expect(res.status).to.equal(hasFault(expected) ? 500 : 200);
      expect(res.headers.get('content-type')).to.equal('text/xml; charset=utf-8');
      if (!hasFault(expected)) {
        expectSchemaValid(parseXml(body), endpoint, 'request');
        expectSchemaValid(parseXml(text), endpoint, 'response');
      }
    });
  }
});
