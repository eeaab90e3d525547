import { SoapCallError } from './soap-client';
import { xml, type XmlMarkup } from '../lib/xml-writer';
import type { UpdateIdentity } from '../domain/update-document';
import { readSoapResponse } from './soap-response-reader';

/** One revision's metadata from GetUpdateData. */
export interface UpstreamUpdateData {
  id: UpdateIdentity;
  xml: string;
}

/**
 * readGetUpdateDataResponse reads the updates out of a GetUpdateData response envelope with the
 * streaming reader, keeping only the elements Cascade needs (the WSDL fixes their names); faults
 * become SoapCallError with their WSUS ErrorCode.
 */
export function readGetUpdateDataResponse(envelope: string): UpstreamUpdateData[] {
  const UPDATE = 'GetUpdateDataResult/updates/ServerSyncUpdateData';
  return readSoapResponse('GetUpdateData', envelope, 'GetUpdateDataResponse', () => {
    const out: UpstreamUpdateData[] = [];
    let id = { updateId: '', revisionNumber: NaN };
    let xml: string | undefined;
    let found = false;
    return {
      open(path) {
        if (path !== UPDATE) return;
        id = { updateId: '', revisionNumber: NaN };
        xml = undefined;
      },
      close(path, text) {
        if (path === `${UPDATE}/Id/UpdateID`) id.updateId = text.trim().toLowerCase();
        else if (path === `${UPDATE}/Id/RevisionNumber`) id.revisionNumber = Number(text);
        else if (path === `${UPDATE}/XmlUpdateBlob`) xml = text;
        else if (path === UPDATE) {
          if (xml === undefined)
            throw new SoapCallError(
              'GetUpdateData',
              undefined,
              'the parent sent an update without XmlUpdateBlob (compressed blobs are not supported)',
            );
          out.push({ id, xml });
        } else if (path === 'GetUpdateDataResult') found = true;
      },
      result() {
        if (!found) throw new SoapCallError('GetUpdateData', undefined, 'the response holds no GetUpdateDataResult');
        return out;
      },
    };
  });
}

/** readGetRevisionIdListResponse reads the anchor and the identities out of a GetRevisionIdList response (it can list 10^5 revisions). */
export function readGetRevisionIdListResponse(envelope: string): { anchor: string; revisions: UpdateIdentity[] } {
  const IDENTITY = 'GetRevisionIdListResult/NewRevisions/UpdateIdentity';
  return readSoapResponse('GetRevisionIdList', envelope, 'GetRevisionIdListResponse', () => {
    const revisions: UpdateIdentity[] = [];
    let anchor: string | undefined;
    let id = { updateId: '', revisionNumber: NaN };
    return {
      open(path) {
        if (path === IDENTITY) id = { updateId: '', revisionNumber: NaN };
      },
      close(path, text) {
        if (path === `${IDENTITY}/UpdateID`) id.updateId = text.trim().toLowerCase();
        else if (path === `${IDENTITY}/RevisionNumber`) id.revisionNumber = Number(text);
        else if (path === IDENTITY) revisions.push(id);
        else if (path === 'GetRevisionIdListResult/Anchor') anchor = text;
      },
      result() {
        if (anchor === undefined) throw new SoapCallError('GetRevisionIdList', undefined, 'the response holds no anchor');
        return { anchor, revisions };
      },
    };
  });
}

/** getUpdateDataRequest writes the GetUpdateData request body element. */
export function getUpdateDataRequest(cookie: WireCookie, ids: UpdateIdentity[]): XmlMarkup {
  const idXml = ids.map(
    (i) => xml`<UpdateIdentity><UpdateID>${i.updateId}</UpdateID><RevisionNumber>${i.revisionNumber}</RevisionNumber></UpdateIdentity>`,
  );
  return xml`<GetUpdateData xmlns="${NS}">${cookieXml(cookie)}<updateIds>${idXml}</updateIds></GetUpdateData>`;
}

/** getRevisionIdListRequest writes the GetRevisionIdList request body element. */
export function getRevisionIdListRequest(
  cookie: WireCookie,
  f: {
    anchor?: string;
    getConfig: boolean;
    categories: Array<{ id: string; delta: boolean }>;
    classifications: Array<{ id: string; delta: boolean }>;
  },
): XmlMarkup {
  const list = (l: Array<{ id: string; delta: boolean }>) =>
    l.map((e) => xml`<IdAndDelta><Id>${e.id}</Id><Delta>${e.delta}</Delta></IdAndDelta>`);
  const anchor = f.anchor ? xml`<Anchor>${f.anchor}</Anchor>` : xml``;
  const filters = f.categories.length
    ? xml`<Categories>${list(f.categories)}</Categories><Classifications>${list(f.classifications)}</Classifications>`
    : xml``;
  return xml`<GetRevisionIdList xmlns="${NS}">${cookieXml(cookie)}<filter>${anchor}<GetConfig>${f.getConfig}</GetConfig>${filters}</filter></GetRevisionIdList>`;
}

/** envelope wraps a body element in a SOAP 1.1 envelope. */
export function envelope(body: XmlMarkup): string {
  return xml`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>${
    body
  }</soap:Body></soap:Envelope>`.toString();
}

/** The wire form of a ServerSync Cookie. */
export interface WireCookie {
  Expiration: string;
  EncryptedData: string;
}

const NS = 'http://www.microsoft.com/SoftwareDistribution';
const cookieXml = (c: WireCookie) =>
  xml`<cookie><Expiration>${c.Expiration}</Expiration><EncryptedData>${c.EncryptedData}</EncryptedData></cookie>`;
