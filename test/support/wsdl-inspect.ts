import sax from 'sax';

const WSDL_NS = 'http://schemas.xmlsoap.org/wsdl/';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';

/** EmbeddedSchema indicates one xsd:schema of a WSDL's types, cut out as a standalone schema document. */
export interface EmbeddedSchema {
  targetNamespace: string;
  /** The schema element's text with the in-scope namespace declarations copied onto it. */
  text: string;
}

/** PortTypeOperation indicates one wsdl:operation of a portType, with its messages' element names. */
export interface PortTypeOperation {
  portType: string;
  name: string;
  documented: boolean;
  inputElement?: string;
  outputElement?: string;
}

/** WsdlOutline indicates what the WSDL tests check about a WSDL file, read without any WSDL library. */
export interface WsdlOutline {
  schemas: EmbeddedSchema[];
  portTypes: string[];
  operations: PortTypeOperation[];
  /** Namespace URIs of every element used, to spot SOAP 1.2 bindings or wsdl:import. */
  namespacesUsed: Set<string>;
  wsdlImports: number;
}

const local = (qname: string) => qname.slice(qname.indexOf(':') + 1);

/** outlineWsdl reads a WSDL 1.1 document with sax and returns its embedded schemas and portType operations. */
export function outlineWsdl(text: string): WsdlOutline {
  const parser = sax.parser(true, { xmlns: true, position: true });
  const outline: WsdlOutline = { schemas: [], portTypes: [], operations: [], namespacesUsed: new Set(), wsdlImports: 0 };
  const messages = new Map<string, string>();
  const ioRefs: { op: PortTypeOperation; kind: 'input' | 'output'; message: string }[] = [];
  const stack: string[] = [];
  let schemaStart = -1;
  let schemaDepth = 0;
  let schemaNs = '';
  let schemaDecls = '';
  let message = '';
  let portType = '';
  let op: PortTypeOperation | undefined;

  parser.onopentag = (node) => {
    const tag = node as sax.QualifiedTag;
    stack.push(tag.local);
    outline.namespacesUsed.add(tag.uri);
    const attr = (name: string) => tag.attributes[name]?.value;
    if (schemaStart >= 0) return;
    if (tag.uri === XSD_NS && tag.local === 'schema') {
      schemaStart = parser.startTagPosition - 1;
      schemaDepth = stack.length;
      schemaNs = attr('targetNamespace') ?? '';
      schemaDecls = inheritedDeclarations(tag);
      return;
    }
    if (tag.uri !== WSDL_NS) return;
    const parent = stack[stack.length - 2];
    if (tag.local === 'import') outline.wsdlImports++;
    if (tag.local === 'message') message = attr('name') ?? '';
    if (tag.local === 'part' && parent === 'message') messages.set(message, local(attr('element') ?? ''));
    if (tag.local === 'portType') {
      portType = attr('name') ?? '';
      outline.portTypes.push(portType);
    }
    if (tag.local === 'operation' && parent === 'portType') {
      op = { portType, name: attr('name') ?? '', documented: false };
      outline.operations.push(op);
    }
    if (op && parent === 'operation' && stack[stack.length - 3] === 'portType') {
      if (tag.local === 'documentation') op.documented = true;
      if (tag.local === 'input' || tag.local === 'output') ioRefs.push({ op, kind: tag.local, message: local(attr('message') ?? '') });
    }
  };
  parser.onclosetag = () => {
    if (schemaStart >= 0 && stack.length === schemaDepth) {
      const raw = text.slice(schemaStart, parser.position);
      const nameEnd = raw.search(/[\s/>]/);
      outline.schemas.push({ targetNamespace: schemaNs, text: raw.slice(0, nameEnd) + schemaDecls + raw.slice(nameEnd) });
      schemaStart = -1;
    }
    if (stack.pop() === 'operation' && stack[stack.length - 1] === 'portType') op = undefined;
  };
  parser.write(text).close();

  for (const ref of ioRefs) ref.op[ref.kind === 'input' ? 'inputElement' : 'outputElement'] = messages.get(ref.message);
  return outline;
}

/** The xmlns declarations in scope at a tag but written on its ancestors (the WSDL's, usually). */
function inheritedDeclarations(tag: sax.QualifiedTag): string {
  const own = new Set(Object.keys(tag.attributes).filter((a) => a === 'xmlns' || a.startsWith('xmlns:')));
  let decls = '';
  for (const prefix in tag.ns) {
    if (prefix === 'xml' || prefix === 'xmlns') continue;
    const attr = prefix ? `xmlns:${prefix}` : 'xmlns';
    if (!own.has(attr)) decls += ` ${attr}="${tag.ns[prefix]}"`;
  }
  return decls;
}

/**
 * linkSchemaImports gives every xsd:import of an embedded schema the file name of the embedded schema
 * for that namespace, so xmllint can compile the cut-out schemas. A WSDL must be self-contained: an
 * import with its own schemaLocation, or of a namespace no embedded schema defines, is an error.
 */
export function linkSchemaImports(schema: EmbeddedSchema, fileFor: (namespace: string) => string | undefined): string {
  return schema.text.replace(/<([\w.-]+:)?import\b([^>]*?)(\/?)>/g, (whole, prefix: string | undefined, attrs: string, close: string) => {
    if (/\bschemaLocation\s*=/.test(attrs)) throw new Error(`schema ${schema.targetNamespace} imports an external file: ${whole}`);
    const ns = /\bnamespace\s*=\s*"([^"]*)"/.exec(attrs)?.[1] ?? '';
    const file = fileFor(ns);
    if (!file) throw new Error(`schema ${schema.targetNamespace} imports ${ns}, which no embedded schema defines`);
    return `<${prefix ?? ''}import${attrs} schemaLocation="${file}"${close}>`;
  });
}

/** rootNamespace returns the namespace URI of a document's root element. */
export function rootNamespace(text: string): string {
  const parser = sax.parser(true, { xmlns: true });
  let uri: string | undefined;
  parser.onopentag = (node) => {
    uri ??= (node as sax.QualifiedTag).uri;
  };
  parser.write(text).close();
  return uri ?? '';
}
