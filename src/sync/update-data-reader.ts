import { SoapCallError } from '../clients/soap-client';
import type { UpdateIdentity } from '../domain/update-document';

/** One revision's metadata from GetUpdateData. */
export interface UpstreamUpdateData { id: UpdateIdentity; xml: string }

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** decodeXmlText turns element text (entities, character references, CDATA sections) back into its string. */
export function decodeXmlText(raw: string): string {
  return raw.replace(/<!\[CDATA\[([\s\S]*?)\]\]>|&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, cdata: string | undefined, ref: string | undefined) => {
    if (cdata !== undefined) return cdata;
    if (ref!.startsWith('#x')) return String.fromCodePoint(parseInt(ref!.slice(2), 16));
    if (ref!.startsWith('#')) return String.fromCodePoint(parseInt(ref!.slice(1), 10));
    const named = ENTITIES[ref!];
    if (named === undefined) throw new SoapCallError('GetUpdateData', undefined, `unknown entity ${whole} in the response`);
    return named;
  });
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
  const fault = first('Fault', envelope);
  if (fault !== undefined) {
    const code = first('ErrorCode', fault);
    throw new SoapCallError('GetUpdateData', code?.trim(), decodeXmlText(first('Message', fault) ?? first('faultstring', fault) ?? 'SOAP fault'));
  }
  if (first('GetUpdateDataResult', envelope) === undefined) throw new SoapCallError('GetUpdateData', undefined, 'the response holds no GetUpdateDataResult');
  const out: UpstreamUpdateData[] = [];
  for (const m of envelope.matchAll(element('ServerSyncUpdateData'))) {
    const block = m[1];
    const id = first('Id', block) ?? '';
    const blob = first('XmlUpdateBlob', block);
    if (blob === undefined) throw new SoapCallError('GetUpdateData', undefined, 'the parent sent an update without XmlUpdateBlob (compressed blobs are not supported)');
    out.push({
      id: { updateId: (first('UpdateID', id) ?? '').trim().toLowerCase(), revisionNumber: Number(first('RevisionNumber', id)) },
      xml: decodeXmlText(blob),
    });
  }
  return out;
}

/** getUpdateDataRequest writes the GetUpdateData request envelope. */
export function getUpdateDataRequest(cookie: { Expiration: string; EncryptedData: string }, ids: UpdateIdentity[]): string {
  const idXml = ids.map((i) => `<UpdateIdentity><UpdateID>${i.updateId}</UpdateID><RevisionNumber>${i.revisionNumber}</RevisionNumber></UpdateIdentity>`).join('');
  return '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    + '<GetUpdateData xmlns="http://www.microsoft.com/SoftwareDistribution">'
    + `<cookie><Expiration>${cookie.Expiration}</Expiration><EncryptedData>${cookie.EncryptedData}</EncryptedData></cookie>`
    + `<updateIds>${idXml}</updateIds></GetUpdateData></soap:Body></soap:Envelope>`;
}
