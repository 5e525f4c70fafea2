import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requireAuth, type Authenticator } from '@recoup/auth';
import {
  eraseDebtor,
  exportDebtorData,
  isLegalHoldsError,
  recordRecordingsDeleted,
  type CollectionsDeps,
  type ProviderRecordings,
  type RecordingVault,
} from '@recoup/collections';
import {
  ClientIdParams,
  DataExportQuery,
  DebtorDataExport,
  ErasureRefusedProblem,
  ErasureRequest,
  ErasureResponse,
  ProblemDetails,
} from '@recoup/contracts';
import { ApiRouter, HttpProblem } from '@recoup/http';
import { storeZip, type ZipEntry } from './store-zip';

const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });
const TAGS = ['data rights'];
const SECURITY = [{ apiKey: [] }];

export interface DataRightsRouterDeps {
  collections: CollectionsDeps;
  authenticator: Authenticator;
  /** The tenant guards (authentication, tenant record, rate limit) a tenant credential goes through. */
  guards: RequestHandler[];
  /** Decrypts stored recordings for the ZIP export (only when RECORDING_ENCRYPTION_KEY is set). */
  recordingVault?: RecordingVault;
  /** Deletes an erased debtor's recordings at the telephony provider; without it the retention job deletes them when they expire. */
  recordings?: ProviderRecordings;
}

/** Runs express middleware one after another; stops where one answers or fails. */
function runChain(handlers: RequestHandler[], req: Request, res: Response, next: NextFunction, i = 0): void {
  const handler = handlers[i];
  if (!handler) return next();
  void handler(req, res, (err?: unknown) => (err ? next(err) : runChain(handlers, req, res, next, i + 1)));
}

/** A tenant credential (through the tenant guards and their rate limit) or the operator's key. */
function tenantOrOperator(authenticator: Authenticator, guards: RequestHandler[]): RequestHandler[] {
  return [
    requireAuth({ authenticator, roles: ['admin', 'tenant'] }),
    (req, res, next) => (req.auth?.kind === 'admin' ? next() : runChain(guards, req, res, next)),
  ];
}

function actorOf(req: Request): string {
  const auth = req.auth;
  if (auth?.kind === 'tenant') return auth.via === 'api_key' ? `api_key:${auth.keyId}` : `jwt:${auth.subject}`;
  return 'admin';
}

/**
 * Subject access export and erasure of one debtor (UK GDPR Arts. 15 and 17). A tenant acts on its own debtors; the
 * operator on any (the debtor's tenant is the client's). Both are audited in data_rights_requests by the core.
 */
export function dataRightsRouter(deps: DataRightsRouterDeps): ApiRouter {
  const { db } = deps.collections;
  const before = tenantOrOperator(deps.authenticator, deps.guards);
  const tenantOf = async (req: Request, clientId: string): Promise<string> => {
    if (req.auth?.kind === 'tenant') return req.auth.tenantId;
    const client = await db.client.findUnique({ where: { id: clientId }, select: { tenantId: true } });
    if (!client) throw HttpProblem.notFound('No such client');
    return client.tenantId;
  };
  const common = {
    401: problem('No credential'),
    403: problem('Neither a tenant nor the operator'),
    404: problem('No such client (or another tenant’s)'),
  };
  return new ApiRouter()
    .route({
      method: 'get',
      path: '/api/clients/:client_id/data-export',
      summary: 'Subject access: everything held about one debtor, as one JSON document (or a ZIP with recordings and letters)',
      description:
        'The client record and flags, invoices with payments, refunds and timeline, every contact attempt with its compliance decisions and the message as sent, call transcripts (sensitive calls included: the export is for the data subject), recording references, IVR records, plans, promises, disputes and inbound messages. `format=zip` returns debtor-data.json plus decrypted recordings and letter PDFs where stored. Audited (counts only). An erased debtor’s export holds only the retained facts.',
      tags: TAGS,
      security: SECURITY,
      before,
      request: { params: ClientIdParams, query: DataExportQuery },
      responses: {
        200: { description: 'The export (application/json, or application/zip with format=zip)', schema: DebtorDataExport },
        ...common,
      },
      handler: async ({ params, query }, req, res) => {
        const tenantId = await tenantOf(req, params.client_id);
        const exported = await exportDebtorData(deps.collections, { tenantId, clientId: params.client_id, actor: actorOf(req) });
        const filename = `debtor-${params.client_id}`;
        if (query.format !== 'zip') {
          res.setHeader('Content-Disposition', `inline; filename="${filename}.json"`);
          res.json(exported.document);
          return;
        }
        const entries: ZipEntry[] = [{ name: 'debtor-data.json', data: Buffer.from(JSON.stringify(exported.document, null, 2)) }];
        const stored = exported.document.calls.flatMap((c) => (c.recording?.stored_encrypted ? [c.recording.recording_sid] : []));
        const unreadable: string[] = [];
        for (const sid of stored) {
          if (!deps.recordingVault) {
            unreadable.push(sid);
            continue;
          }
          try {
            const rec = await deps.recordingVault.read(sid);
            entries.push({ name: `recordings/${sid}.${rec.contentType.includes('wav') ? 'wav' : 'mp3'}`, data: rec.bytes });
          } catch {
            unreadable.push(sid);
          }
        }
        if (unreadable.length)
          entries.push({
            name: 'recordings/NOT-INCLUDED.txt',
            data: Buffer.from(
              `These recordings are held encrypted but could not be decrypted here (no or another key configured): ${unreadable.join(', ')}\n`,
            ),
          });
        if (exported.letterMessageIds.length) {
          const letters = await db.sandboxMessage.findMany({
            where: { id: { in: exported.letterMessageIds } },
            select: { idempotencyKey: true, document: true },
          });
          for (const l of letters) if (l.document) entries.push({ name: `letters/${l.idempotencyKey}.pdf`, data: Buffer.from(l.document) });
        }
        res.setHeader('Content-Type', 'application/zip');
        res.setHeader('Content-Disposition', `attachment; filename="${filename}.zip"`);
        res.send(storeZip(entries));
      },
    })
    .route({
      method: 'post',
      path: '/api/clients/:client_id/erasure',
      summary: 'Erase a debtor’s personal data, keeping the ledger and the fact of each contact; 409 while a legal hold applies',
      description:
        'Anonymises the debtor and scrubs their personal data from every table, deletes stored recordings and debtor links, cancels queued contacts, and deletes call recordings at the provider. Kept: invoices, payments, refunds, plans and the fact of each contact without contact details (Limitation Act 1980 s.5; HMRC records). Refused (409, each hold with the date it ends) while a dispute is open, a plan is proposed or active, a collectable invoice has a balance, or a chargeback is open. Asking again after an erasure answers 200 with already_erased.',
      tags: TAGS,
      security: SECURITY,
      before,
      request: { params: ClientIdParams, body: ErasureRequest },
      responses: {
        200: { description: 'Erased: what was removed and what was kept', schema: ErasureResponse },
        400: problem('No reason'),
        ...common,
        409: {
          description: 'Legal holds, each named with its end date',
          schema: ErasureRefusedProblem,
          contentType: 'application/problem+json',
        },
      },
      handler: async ({ params, body }, req, res) => {
        const tenantId = await tenantOf(req, params.client_id);
        let result;
        try {
          result = await eraseDebtor(deps.collections, { tenantId, clientId: params.client_id, actor: actorOf(req), reason: body.reason });
        } catch (err) {
          if (!isLegalHoldsError(err)) throw err;
          throw new HttpProblem(409, 'Conflict', err.message, {
            legal_holds: err.holds.map((h) => ({
              kind: h.kind,
              invoice_reference: h.invoiceReference,
              ends_on: h.endsOn,
              detail: h.detail,
            })),
          });
        }
        // The provider's copies: deleted now where a deleter is configured; any left are deleted by the retention job.
        const deleted: string[] = [];
        for (const sid of result.providerRecordingSids) {
          if (!deps.recordings) break;
          try {
            await deps.recordings.deleteRecording(sid);
            deleted.push(sid);
          } catch (err) {
            deps.collections.logger?.warn(
              { recordingSid: sid, err: { message: (err as Error).message } },
              'recording not deleted at the provider',
            );
          }
        }
        await recordRecordingsDeleted(deps.collections, tenantId, deleted);
        res.json({
          client_id: result.clientId,
          erased_at: result.erasedAt.toISOString(),
          already_erased: result.alreadyErased,
          removed: result.removed,
          kept: result.kept,
          cancelled_contacts: result.cancelledContacts,
          recordings_deleted_at_provider: deleted.length,
        });
      },
    });
}
