import { hexToBase64 as b64 } from '../domain/update-document';
import { xml, type XmlMarkup } from '../lib/xml-writer';
import type { FileLocation, UpdateData } from '../services/server-sync.service';

const NS = 'http://www.microsoft.com/SoftwareDistribution';

/**
 * getUpdateDataResponseXml writes the GetUpdateDataResponse element directly. node-soap's generic
 * serializer walks the schema for every element and was the parent's main cost in a sync; this
 * produces the same document (the golden samples pin it) in a fraction of the time. Each stored
 * update document goes in as escaped text of its XmlUpdateBlob.
 */
export function getUpdateDataResponseXml(updates: UpdateData[], files: FileLocation[]): string {
  const x: XmlMarkup[] = updates.map(
    (u) =>
      xml`<ServerSyncUpdateData><Id><UpdateID>${u.id.updateId}</UpdateID><RevisionNumber>${
        u.id.revisionNumber
      }</RevisionNumber></Id><XmlUpdateBlob>${u.xml}</XmlUpdateBlob>${
        u.fileSha1s.length
          ? xml`<FileDigestList>${u.fileSha1s.map((s) => xml`<base64Binary>${b64(s)}</base64Binary>`)}</FileDigestList>`
          : NONE
      }</ServerSyncUpdateData>`,
  );
  const urls = files.map((f) => xml`<ServerSyncUrlData><FileDigest>${b64(f.sha1)}</FileDigest><MUUrl>${f.url}</MUUrl></ServerSyncUrlData>`);
  return xml`<GetUpdateDataResponse xmlns="${NS}"><GetUpdateDataResult><updates>${x}</updates><fileUrls>${urls}</fileUrls></GetUpdateDataResult></GetUpdateDataResponse>`.toString();
}

const NONE = xml``;
