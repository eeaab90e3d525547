import { SoapCallError } from './soap-client';
import { decodeXmlText, escapeXml } from '../lib/xml-text';
import type { UpdateIdentity } from '../domain/update-document';

/** One revision's metadata from GetUpdateData. */
export interface UpstreamUpdateData { id: UpdateIdentity; xml: string }

/** decodeText decodes element text of a response, or fails the call naming the operation. */
function decodeText(operation: string, raw: string): string {
  const text = decodeXmlText(raw);
  if (text === undefined) throw new SoapCallError(operation, undefined, 'the response holds malformed character data');
  return text;
}

const element = (name: string) => new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}>`, 'g');
const first = (name: string, xml: string) => element(name).exec(xml)?.[1];

/**
 * readGetUpdateDataResponse reads the updates out of a GetUpdateData response envelope. It looks only
 * for the elements Cascade needs (the WSDL fixes their names), which is an order of magnitude cheaper
 * than a generic SOAP object mapping of 100 escaped documents; faults become SoapCallError with their
 * WSUS ErrorCode.
 */
export function readGetUpdateDataResponse(envelope: string): UpstreamUpdateData[] {
  throwFault('GetUpdateData', envelope);
  if (first('GetUpdateDataResult', envelope) === undefined) throw new SoapCallError('GetUpdateData', undefined, 'the response holds no GetUpdateDataResult');
  const out: UpstreamUpdateData[] = [];
  for (const m of envelope.matchAll(element('ServerSyncUpdateData'))) {
    const block = m[1];
    const id = first('Id', block) ?? '';
    const blob = first('XmlUpdateBlob', block);
    if (blob === undefined) throw new SoapCallError('GetUpdateData', undefined, 'the parent sent an update without XmlUpdateBlob (compressed blobs are not supported)');
    out.push({
      id: { updateId: (first('UpdateID', id) ?? '').trim().toLowerCase(), revisionNumber: Number(first('RevisionNumber', id)) },
      xml: decodeText('GetUpdateData', blob),
    });
  }
  return out;
}

/** readGetRevisionIdListResponse reads the anchor and the identities out of a GetRevisionIdList response (it can list 10^5 revisions). */
export function readGetRevisionIdListResponse(envelope: string): { anchor: string; revisions: UpdateIdentity[] } {
  throwFault('GetRevisionIdList', envelope);
  const result = first('GetRevisionIdListResult', envelope);
  const anchor = result === undefined ? undefined : first('Anchor', result);
  if (result === undefined || anchor === undefined) throw new SoapCallError('GetRevisionIdList', undefined, 'the response holds no anchor');
  const revisions: UpdateIdentity[] = [];
  const identity = /<(?:[\w.-]+:)?UpdateID>([^<]*)<\/(?:[\w.-]+:)?UpdateID>\s*<(?:[\w.-]+:)?RevisionNumber>([^<]*)</g;
  for (const m of result.matchAll(identity)) revisions.push({ updateId: m[1].trim().toLowerCase(), revisionNumber: Number(m[2]) });
  return { anchor: decodeText('GetRevisionIdList', anchor), revisions };
}

function throwFault(operation: string, envelope: string): void {
  const fault = first('Fault', envelope);
  if (fault === undefined) return;
  throw new SoapCallError(operation, first('ErrorCode', fault)?.trim(), decodeText(operation, first('Message', fault) ?? first('faultstring', fault) ?? 'SOAP fault'));
}

/** getUpdateDataRequest writes the GetUpdateData request body element. */
export function getUpdateDataRequest(cookie: WireCookie, ids: UpdateIdentity[]): string {
  const idXml = ids.map((i) => `<UpdateIdentity><UpdateID>${i.updateId}</UpdateID><RevisionNumber>${i.revisionNumber}</RevisionNumber></UpdateIdentity>`).join('');
  return `<GetUpdateData xmlns="${NS}">${cookieXml(cookie)}<updateIds>${idXml}</updateIds></GetUpdateData>`;
}

/** getRevisionIdListRequest writes the GetRevisionIdList request body element. */
export function getRevisionIdListRequest(cookie: WireCookie, f: { anchor?: string; getConfig: boolean;
  categories: Array<{ id: string; delta: boolean }>; classifications: Array<{ id: string; delta: boolean }> }): string {
  const list = (name: string, l: Array<{ id: string; delta: boolean }>) =>
    `<${name}>${l.map((e) => `<IdAndDelta><Id>${e.id}</Id><Delta>${e.delta}</Delta></IdAndDelta>`).join('')}</${name}>`;
  return `<GetRevisionIdList xmlns="${NS}">${cookieXml(cookie)}<filter>`
    + (f.anchor ? `<Anchor>${escapeXml(f.anchor)}</Anchor>` : '') + `<GetConfig>${f.getConfig}</GetConfig>`
    + (f.categories.length ? list('Categories', f.categories) + list('Classifications', f.classifications) : '')
    + '</filter></GetRevisionIdList>';
}

/** envelope wraps a body element in a SOAP 1.1 envelope. */
export function envelope(body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${body}</soap:Body></soap:Envelope>`;
}

/** The wire form of a ServerSync Cookie. */
export interface WireCookie { Expiration: string; EncryptedData: string }

const NS = 'http://www.microsoft.com/SoftwareDistribution';
const cookieXml = (c: WireCookie) => `<cookie><Expiration>${c.Expiration}</Expiration><EncryptedData>${c.EncryptedData}</EncryptedData></cookie>`;
