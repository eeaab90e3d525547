import { invalidParameters } from '../domain/errors';
import { isGuid, type UpdateIdentity } from '../domain/update-document';
import type { WireCookie } from '../services/downstream-session.service';
import type { IdAndDelta, RevisionListFilter } from '../services/server-sync.service';
import type { SoapElement } from './soap-request-reader';

/** How often a child element may appear in its parent's xs:sequence. */
type Shape = Record<string, 'one' | 'optional' | 'many'>;

/** fieldsOf reads an element's children against its schema: each named there, each once (unless many), the required present. */
function fieldsOf(el: SoapElement, shape: Shape): Map<string, SoapElement[]> {
  if (!el.children.length && el.text.trim()) throw invalidParameters(`${el.local} must hold elements, not text`);
  const out = new Map<string, SoapElement[]>();
  for (const c of el.children) {
    const kind = Object.hasOwn(shape, c.local) ? shape[c.local] : undefined;
    if (!kind) throw invalidParameters(`${el.local}: unexpected element ${c.local}`);
    const list = out.get(c.local) ?? [];
    if (list.length && kind !== 'many') throw invalidParameters(`${el.local}: ${c.local} is given more than once`);
    list.push(c);
    out.set(c.local, list);
  }
  for (const [name, kind] of Object.entries(shape))
    if (kind === 'one' && !out.has(name)) throw invalidParameters(`${el.local}: ${name} is required`);
  return out;
}

function text(el: SoapElement): string {
  if (el.children.length) throw invalidParameters(`${el.local} must be text`);
  return el.text;
}

const one = (fields: Map<string, SoapElement[]>, name: string) => fields.get(name)?.[0];

function guid(el: SoapElement): string {
  const v = text(el).trim();
  if (!isGuid(v)) throw invalidParameters(`${el.local}: "${v}" is not a GUID`);
  return v;
}

function int(el: SoapElement): number {
  const v = text(el).trim();
  const n = Number(v);
  if (!/^[+-]?\d{1,10}$/.test(v) || n < -(2 ** 31) || n >= 2 ** 31) throw invalidParameters(`${el.local}: "${v}" is not an int`);
  return n;
}

function boolean(el: SoapElement): boolean {
  const v = text(el).trim();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidParameters(`${el.local}: "${v}" is not a boolean`);
}

/** cookie reads a Cookie { Expiration, EncryptedData }; only the sealed data counts. */
function cookie(el: SoapElement): WireCookie {
  const data = text(one(fieldsOf(el, { Expiration: 'optional', EncryptedData: 'one' }), 'EncryptedData')!).trim();
  if (!data || !/^[A-Za-z0-9+/\s]+={0,2}$/.test(data)) throw invalidParameters('cookie.EncryptedData must be base64');
  return { encryptedData: Buffer.from(data, 'base64') };
}

const items = (el: SoapElement | undefined, item: string) => (el ? (fieldsOf(el, { [item]: 'many' }).get(item) ?? []) : []);

function idAndDeltas(el: SoapElement | undefined): IdAndDelta[] {
  return items(el, 'IdAndDelta').map((e) => {
    const f = fieldsOf(e, { Id: 'one', Delta: 'one' });
    return { id: guid(one(f, 'Id')!), delta: boolean(one(f, 'Delta')!) };
  });
}

/** readGetUpdateData reads GetUpdateData's arguments as wsdl/ServerSyncService.wsdl types them. */
export function readGetUpdateData(op: SoapElement): { cookie: WireCookie; updateIds: UpdateIdentity[] } {
  const f = fieldsOf(op, { cookie: 'one', updateIds: 'one' });
  const updateIds = items(one(f, 'updateIds'), 'UpdateIdentity').map((e) => {
    const id = fieldsOf(e, { UpdateID: 'one', RevisionNumber: 'one' });
    return { updateId: guid(one(id, 'UpdateID')!), revisionNumber: int(one(id, 'RevisionNumber')!) };
  });
  return { cookie: cookie(one(f, 'cookie')!), updateIds };
}

/** readGetRevisionIdList reads GetRevisionIdList's arguments as wsdl/ServerSyncService.wsdl types them. */
export function readGetRevisionIdList(op: SoapElement): { cookie: WireCookie; filter: RevisionListFilter } {
  const f = fieldsOf(op, { cookie: 'one', filter: 'one' });
  const filter = fieldsOf(one(f, 'filter')!, {
    DssProtocolVersion: 'optional',
    Anchor: 'optional',
    GetConfig: 'one',
    Get63LanguageOnly: 'optional',
    Categories: 'optional',
    Classifications: 'optional',
    Languages: 'optional',
  });
  // DssProtocolVersion, Get63LanguageOnly and Languages are read for their types only: Cascade serves every language.
  const protocol = one(filter, 'DssProtocolVersion');
  if (protocol) text(protocol);
  const only63 = one(filter, 'Get63LanguageOnly');
  if (only63) boolean(only63);
  for (const l of items(one(filter, 'Languages'), 'LanguageAndDelta')) {
    const ld = fieldsOf(l, { Id: 'one', Delta: 'one' });
    int(one(ld, 'Id')!);
    boolean(one(ld, 'Delta')!);
  }
  const anchor = one(filter, 'Anchor');
  return {
    cookie: cookie(one(f, 'cookie')!),
    filter: {
      anchor: anchor && text(anchor),
      getConfig: boolean(one(filter, 'GetConfig')!),
      categories: idAndDeltas(one(filter, 'Categories')),
      classifications: idAndDeltas(one(filter, 'Classifications')),
    },
  };
}
