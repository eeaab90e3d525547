import type { Request, RequestHandler } from 'express';
import { providerOf } from '../http/provider-auth';
import type { UpdateIdentity } from '../domain/update-document';
import { httpContext } from '../http/request-context';
import type { PublishContext, PublishingService } from '../services/publishing.service';
import { arrayOf, optionalText, requiredObject } from './soap-args';
import type { SoapServiceSpec } from './soap-host';

/** The WSDL shape of an UpdateIdentity. */
export const toWsdlIdentity = (id: UpdateIdentity) => ({ UpdateID: id.updateId, RevisionNumber: id.revisionNumber });

/** publishContext is the context of a request the provider guard admitted. */
const publishContext = (req: Request): PublishContext => {
  const actor = { kind: 'software-provider' as const, providerName: providerOf(req).name };
  return { ...httpContext(req, actor), actor };
};

/** publishingServiceSpec adapts PublishingService to wsdl/PublishingService.wsdl; `authenticate` guards it with HTTP Basic. */
export function publishingServiceSpec(service: PublishingService, authenticate: RequestHandler): SoapServiceSpec {
  return {
    path: '/PublishingWebService/PublishingService.asmx',
    wsdlFile: 'PublishingService.wsdl',
    serviceName: 'PublishingService',
    portName: 'PublishingServiceSoap',
    before: [authenticate],
    operations: {
      PublishUpdate: async (args, req) => {
        const u = requiredObject(args.update, 'update');
        const id = await service.publishUpdate(publishContext(req), {
          updateId: optionalText(u.UpdateID, 'UpdateID'),
          title: optionalText(u.Title, 'Title') ?? '',
          description: optionalText(u.Description, 'Description'),
          kbArticleId: optionalText(u.KBArticleID, 'KBArticleID'),
          msrcSeverity: optionalText(u.MsrcSeverity, 'MsrcSeverity'),
          company: optionalText(u.Company, 'Company'),
          productFamily: optionalText(u.ProductFamily, 'ProductFamily'),
          product: optionalText(u.Product, 'Product') ?? '',
          classification: optionalText(u.Classification, 'Classification') ?? '',
          prerequisites: arrayOf<string>(u.Prerequisites, 'guid'),
          supersededUpdates: arrayOf<string>(u.SupersededUpdates, 'guid'),
          bundledUpdates: arrayOf<string>(u.BundledUpdates, 'guid'),
          // Files absent: the new revision keeps the previous one's; an empty <Files/> removes them.
          files:
            u.Files === undefined
              ? undefined
              : arrayOf<Record<string, unknown>>(u.Files, 'PublishedFile').map((f) => ({
                  sha1: optionalText(f.Sha1, 'Sha1') ?? '',
                  fileName: optionalText(f.FileName, 'FileName') ?? '',
                })),
        });
        return { PublishUpdateResult: toWsdlIdentity(id) };
      },
      ExpireUpdate: async (args, req) => {
        const id = await service.expireUpdate(publishContext(req), optionalText(args.updateId, 'updateId') ?? '');
        return { ExpireUpdateResult: toWsdlIdentity(id) };
      },
    },
  };
}
