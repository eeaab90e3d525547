import type { UpdateIdentity } from '../domain/update-document';
import { hexToBase64 as b64 } from '../domain/update-document';
import { xml, xmlCharacterData, xmlFragments, type XmlMarkup } from '../lib/xml-writer';
import type { FileLocation, UpdateData } from '../services/server-sync.service';

const NS = 'http://www.microsoft.com/SoftwareDistribution';

/**
 * getUpdateDataResponseXml writes the GetUpdateDataResponse element directly. node-soap's generic
 * serializer walks the schema for every element and was the parent's main cost in a sync; this
 * produces the same document (the golden samples pin it) in a fraction of the time. Each stored
 * update document goes in as it is stored, in a CDATA section, unless it cannot stand there unchanged.
 */
export function getUpdateDataResponseXml(updates: UpdateData[], files: FileLocation[]): string {
  const x: XmlMarkup[] = updates.map(
    (u) =>
      xml`<ServerSyncUpdateData><Id><UpdateID>${u.id.updateId}</UpdateID><RevisionNumber>${
        u.id.revisionNumber
      }</RevisionNumber></Id><XmlUpdateBlob>${xmlCharacterData(u.xml)}</XmlUpdateBlob>${
        u.fileSha1s.length
          ? xml`<FileDigestList>${u.fileSha1s.map((s) => xml`<base64Binary>${b64(s)}</base64Binary>`)}</FileDigestList>`
          : NONE
      }</ServerSyncUpdateData>`,
  );
  const urls = files.map((f) => xml`<ServerSyncUrlData><FileDigest>${b64(f.sha1)}</FileDigest><MUUrl>${f.url}</MUUrl></ServerSyncUrlData>`);
  return xml`<GetUpdateDataResponse xmlns="${NS}"><GetUpdateDataResult><updates>${x}</updates><fileUrls>${urls}</fileUrls></GetUpdateDataResult></GetUpdateDataResponse>`.toString();
}

/** revisionIdListResponseXml writes the GetRevisionIdListResponse element directly: a first sync lists every revision. */
export function revisionIdListResponseXml(anchor: string, revisions: UpdateIdentity[]): string {
  const ids = xmlFragments(
    revisions.map(
      (r) => xml`<UpdateIdentity><UpdateID>${r.updateId}</UpdateID><RevisionNumber>${r.revisionNumber}</RevisionNumber></UpdateIdentity>`,
    ),
  );
  return xml`<GetRevisionIdListResponse xmlns="${NS}"><GetRevisionIdListResult><Anchor>${anchor}</Anchor><NewRevisions>${ids}</NewRevisions></GetRevisionIdListResult></GetRevisionIdListResponse>`.toString();
}

const NONE = xml``;
