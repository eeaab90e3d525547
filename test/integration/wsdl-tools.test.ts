import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as soap from 'soap';
import { loadWsdl } from '../../src/soap/soap-host';
import { linkSchemaImports, outlineWsdl, rootNamespace, type WsdlOutline } from '../support/wsdl-inspect';

// Every wsdl/*.wsdl must be accepted by independent WSDL consumers, so integrators can generate clients from it.
const ROOT = path.resolve(__dirname, '..', '..', '..');
const WSDL_DIR = path.join(ROOT, 'wsdl');
// test/wsdl-samples/<WsdlStem>/<case>.xml: body elements that must validate; <case>.invalid.xml ones must not.
const SAMPLE_DIR = path.join(ROOT, 'test', 'wsdl-samples');
const WSDL_FILES = fs
  .readdirSync(WSDL_DIR)
  .filter((f) => f.endsWith('.wsdl'))
  .sort();

/** The Debian package to install when a tool is missing (CI installs them all). */
const PACKAGES: Record<string, string> = {
  xmllint: 'libxml2-utils',
  wsimport: 'jaxws (with a JDK such as openjdk-17-jdk-headless)',
  wsdl2h: 'gsoap',
  soapcpp2: 'gsoap',
  '/usr/bin/python3': 'python3-zeep',
  php: 'php-cli and php-soap',
};

interface ToolRun {
  status: number | null;
  output: string;
}

function run(tool: string, args: string[], opts: { cwd?: string; input?: string; timeoutMs?: number } = {}): ToolRun {
  const r = spawnSync(tool, args, { cwd: opts.cwd, input: opts.input, encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(`${tool} is not installed; install the Debian package ${PACKAGES[tool]}`);
  }
  if (r.error) throw new Error(`${tool} ${args.join(' ')} failed to run: ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

function expectMissingPackageHint(r: ToolRun, pattern: RegExp, tool: string): void {
  if (pattern.test(r.output)) throw new Error(`${tool} cannot run: install the Debian package ${PACKAGES[tool]}\n${r.output}`);
}

describe('WSDL contracts accepted by independent tools', () => {
  let tmp: string;
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cascade-wsdl-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('finds the WSDLs by listing wsdl/', () => {
    expect(WSDL_FILES).to.include.members(['AuthService.wsdl', 'ServerSyncService.wsdl']);
  });

  for (const file of WSDL_FILES) {
    describe(file, () => {
      const wsdlPath = path.join(WSDL_DIR, file);
      const stem = path.basename(file, '.wsdl');
      let outline: WsdlOutline;
      let work: string;
      before(() => {
        outline = outlineWsdl(fs.readFileSync(wsdlPath, 'utf8'));
        work = fs.mkdtempSync(path.join(tmp, `${stem}-`));
      });

      it('is well-formed (xmllint)', () => {
        const r = run('xmllint', ['--noout', wsdlPath]);
        expect(r.status, r.output).to.equal(0);
      });

      it('follows the house style: SOAP 1.1 document/literal wrapped, self-contained, documented', () => {
        expect(outline.wsdlImports, 'wsdl:import').to.equal(0);
        expect([...outline.namespacesUsed]).not.to.include('http://schemas.xmlsoap.org/wsdl/soap12/');
        expect(outline.operations).not.to.be.empty;
        for (const op of outline.operations) {
          expect(op.documented, `${op.name} has wsdl:documentation`).to.equal(true);
          expect(op.inputElement, `${op.name} request wrapper`).to.equal(op.name);
          expect(op.outputElement, `${op.name} response wrapper`).to.equal(`${op.name}Response`);
        }
        const text = fs.readFileSync(wsdlPath, 'utf8');
        expect(text).to.match(/<soap:address location="http:\/\/localhost:8530\//);
        expect(text).not.to.match(/use="encoded"|style="rpc"/);
        // The server rewrites the host part of soap:address when it serves ?wsdl.
        const served = loadWsdl(file, 'https://node.example:8531');
        expect(served).to.match(/<soap:address location="https:\/\/node\.example:8531\//);
        expect(served).not.to.include('localhost:8530');
      });

      it('has embedded schemas that xmllint compiles and that judge the samples correctly', () => {
        expect(outline.schemas, 'embedded schemas').not.to.be.empty;
        const fileFor = (ns: string) => {
          const i = outline.schemas.findIndex((s) => s.targetNamespace === ns);
          return i < 0 ? undefined : path.join(work, `schema-${i}.xsd`);
        };
        outline.schemas.forEach((s, i) => fs.writeFileSync(path.join(work, `schema-${i}.xsd`), linkSchemaImports(s, fileFor)));
        outline.schemas.forEach((s, i) => {
          // An instance no schema declares: a compiled schema reports the root, a broken one "failed to compile".
          const r = run('xmllint', ['--noout', '--schema', path.join(work, `schema-${i}.xsd`), '-'], { input: '<probe/>' });
          const compiled = !r.output.includes('failed to compile') && r.output.includes('No matching global declaration');
          expect(compiled, `schema ${s.targetNamespace} compiles:\n${r.output}`).to.equal(true);
        });

        const sampleDir = path.join(SAMPLE_DIR, stem);
        const samples = fs.existsSync(sampleDir)
          ? fs
              .readdirSync(sampleDir)
              .filter((f) => f.endsWith('.xml'))
              .sort()
          : [];
        expect(
          samples.filter((f) => !f.endsWith('.invalid.xml')),
          `valid samples in test/wsdl-samples/${stem}/`,
        ).not.to.be.empty;
        for (const sample of samples) {
          const samplePath = path.join(sampleDir, sample);
          const ns = rootNamespace(fs.readFileSync(samplePath, 'utf8'));
          const xsd = fileFor(ns);
          expect(xsd, `${sample}: root namespace ${ns} has an embedded schema`).to.be.a('string');
          const r = run('xmllint', ['--noout', '--schema', xsd as string, samplePath]);
          if (sample.endsWith('.invalid.xml')) expect(r.status, `${sample} must be rejected\n${r.output}`).to.equal(3);
          else expect(r.status, `${sample} must validate\n${r.output}`).to.equal(0);
        }
      });

      it('generates Java with wsimport (JAX-WS)', function () {
        this.timeout(90_000);
        const out = path.join(work, 'java');
        fs.mkdirSync(out);
        const r = run('wsimport', ['-Xnocompile', '-d', out, '-p', 'cascade.gen', wsdlPath], { timeoutMs: 60_000 });
        expect(r.status, r.output).to.equal(0);
        expect(r.output).not.to.include('[ERROR]');
        // An unresolved type reference is only a warning to wsimport, but the generated type is then wrong.
        expect(r.output).not.to.include('src-resolve');
        for (const portType of outline.portTypes)
          expect(fs.existsSync(path.join(out, 'cascade', 'gen', `${portType}.java`)), portType).to.equal(true);
      });

      it('generates C++ with gSOAP wsdl2h and soapcpp2', () => {
        const header = path.join(work, 'x.h');
        const r = run('wsdl2h', ['-o', header, wsdlPath]);
        expect(r.status, r.output).to.equal(0);
        expect(r.output).not.to.match(/Error/i);
        const c = run('soapcpp2', ['-C', '-j', '-x', '-I/usr/share/gsoap/import', header], { cwd: work });
        expect(c.status, c.output).to.equal(0);
        expect(c.output).to.include('Compilation successful');
      });

      it('loads in python zeep with every operation', () => {
        const r = run('/usr/bin/python3', ['-m', 'zeep', wsdlPath]);
        expectMissingPackageHint(r, /No module named zeep/, '/usr/bin/python3');
        expect(r.status, r.output).to.equal(0);
        for (const op of outline.operations) expect(r.output).to.match(new RegExp(`^\\s+${op.name}\\(`, 'm'));
      });

      it('loads in PHP SoapClient with every operation', () => {
        const code = '$c = new SoapClient($argv[1], ["cache_wsdl" => WSDL_CACHE_NONE]); echo implode("\\n", $c->__getFunctions());';
        const r = run('php', ['-r', code, '--', wsdlPath]);
        expectMissingPackageHint(r, /Class "SoapClient" not found/, 'php');
        expect(r.status, r.output).to.equal(0);
        for (const op of outline.operations) expect(r.output).to.include(` ${op.name}(`);
      });

      it("loads in node-soap (the server's own SOAP library) with every operation", async () => {
        const client = await soap.createClientAsync(wsdlPath);
        const ports = Object.values(client.describe() as Record<string, Record<string, Record<string, unknown>>>);
        const described = ports.flatMap((service) => Object.values(service).flatMap((port) => Object.keys(port)));
        expect(described).to.include.members(outline.operations.map((o) => o.name));
      });
    });
  }
});
