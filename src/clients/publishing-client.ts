import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { PublishUpdateInput } from '../domain/publish-update';
import type { UpdateIdentity } from '../domain/update-document';
import { SoapCallError, basicAuthHeader, call, createSoapClient } from './soap-client';

/** What PUT /Upload answers. */
export interface UploadedFile {
  sha1: string;
  sha256: string;
  size: number;
  fileName: string;
  url: string;
}

/** Credentials of a software provider account on a node. */
export interface ProviderCredentials {
  user: string;
  password: string;
}

/**
 * PublishingClient is a software provider's side of a node: stream payloads to PUT /Upload, then name
 * them in PublishUpdate over SOAP.
 */
export class PublishingClient {
  constructor(
    private readonly baseUrl: string,
    private readonly creds: ProviderCredentials,
  ) {}

  /** upload streams one file; onProgress gets the bytes sent so far. */
  async upload(file: string, onProgress: (sent: number) => void = () => undefined): Promise<UploadedFile> {
    const size = fs.statSync(file).size;
    let sent = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sent += chunk.length;
        onProgress(sent);
        done(null, chunk);
      },
    });
    const body = fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(counter);
    const res = await fetch(`${this.baseUrl}/Upload?name=${encodeURIComponent(path.basename(file))}`, {
      method: 'PUT',
      headers: {
        Authorization: basicAuthHeader(this.creds.user, this.creds.password),
        'Content-Length': String(size),
        'Content-Type': 'application/octet-stream',
      },
      body: Readable.toWeb(body) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const text = await res.text();
    if (!res.ok) {
      const answer = errorOf(text);
      throw new SoapCallError('Upload', answer.error, `${path.basename(file)}: HTTP ${res.status} ${answer.message}`, {
        httpStatus: res.status,
      });
    }
    return JSON.parse(text) as UploadedFile;
  }

  /** publish calls PublishUpdate and returns the new revision's identity. */
  async publish(update: PublishUpdateInput): Promise<UpdateIdentity> {
    const client = await createSoapClient(`${this.baseUrl}/PublishingWebService/PublishingService.asmx`, this.creds);
    // Elements in the WSDL's sequence order.
    const wire = {
      update: {
        UpdateID: update.updateId,
        Title: update.title,
        Description: update.description,
        KBArticleID: update.kbArticleId,
        MsrcSeverity: update.msrcSeverity,
        Company: update.company,
        ProductFamily: update.productFamily,
        Product: update.product,
        Classification: update.classification,
        Prerequisites: update.prerequisites?.length ? { guid: update.prerequisites } : undefined,
        SupersededUpdates: update.supersededUpdates?.length ? { guid: update.supersededUpdates } : undefined,
        BundledUpdates: update.bundledUpdates?.length ? { guid: update.bundledUpdates } : undefined,
        // No files: keep the previous revision's; an empty list: an empty <Files/>, which removes them.
        Files:
          update.files === undefined ? undefined : { PublishedFile: update.files.map((f) => ({ Sha1: f.sha1, FileName: f.fileName })) },
      },
    };
    const result = await call<{ PublishUpdateResult: { UpdateID: string; RevisionNumber: number } }>(client, 'PublishUpdate', wire);
    return { updateId: result.PublishUpdateResult.UpdateID, revisionNumber: Number(result.PublishUpdateResult.RevisionNumber) };
  }

  /** expire calls ExpireUpdate. */
  async expire(updateId: string): Promise<UpdateIdentity> {
    const client = await createSoapClient(`${this.baseUrl}/PublishingWebService/PublishingService.asmx`, this.creds);
    const result = await call<{ ExpireUpdateResult: { UpdateID: string; RevisionNumber: number } }>(client, 'ExpireUpdate', { updateId });
    return { updateId: result.ExpireUpdateResult.UpdateID, revisionNumber: Number(result.ExpireUpdateResult.RevisionNumber) };
  }
}

/** errorOf reads Cascade's `{ error, message }` answer to a failed HTTP request. */
function errorOf(body: string): { error?: string; message: string } {
  try {
    const answer = JSON.parse(body) as { error?: string; message?: string };
    return { error: answer.error, message: answer.message ?? body };
  } catch {
    return { message: body.slice(0, 200) };
  }
}
