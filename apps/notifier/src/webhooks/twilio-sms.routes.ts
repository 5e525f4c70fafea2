import type { NextFunction, Request, RequestHandler, Response, Router } from 'express';
import express from 'express';
import { z } from 'zod';
import type { Database } from '@recoup/db';
import { fieldErrors, sendProblem } from '@recoup/http';
import { webhookIdempotency, type IdempotencyStore } from '@recoup/idempotency';
import type { Logger } from '@recoup/observability';
import type { EmailSender } from '@recoup/providers/email';
import { verifyTwilioSignature } from '@recoup/providers/twilio';
import { recordContactEvent, type ContactEventType } from './contact-events';
import { inboundIntent, type InboundIntent } from './inbound-intent';
import { addStoppedChannel, removeStoppedChannel } from './sendgrid-events.routes';

export interface TwilioSmsOptions {
  db: Database;
  idempotency: IdempotencyStore;
  logger: Logger;
  email: EmailSender;
  /** TWILIO_AUTH_TOKEN: without it every callback is refused (signatures cannot be checked). */
  authToken?: string;
  /** The origin Twilio was given (NOTIFIER_PUBLIC_URL): Twilio signs that URL. */
  publicBaseUrl: string;
}

const StatusCallback = z.object({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/i, 'expected a Twilio message SID'),
  MessageStatus: z.enum([
    'accepted',
    'scheduled',
    'queued',
    'sending',
    'sent',
    'delivered',
    'undelivered',
    'failed',
    'read',
    'canceled',
    'receiving',
    'received',
  ]),
  ErrorCode: z.string().optional(),
});
const Inbound = z.object({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/i, 'expected a Twilio message SID'),
  From: z.string().min(1).max(40),
  To: z.string().min(1).max(40),
  Body: z.string().max(1600).default(''),
});

const STATUS_EVENT: Partial<Record<string, ContactEventType>> = {
  sent: 'sent',
  delivered: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
  read: 'opened',
};
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

function refuse(detail: string): RequestHandler {
  return (req, res) => sendProblem(res, { type: 'about:blank', title: 'Forbidden', status: 403, detail, request_id: req.id });
}

function parse<S extends z.ZodType>(schema: S, req: Request, res: Response): z.infer<S> | undefined {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  sendProblem(res, {
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: 'invalid Twilio webhook parameters',
    request_id: req.id,
    errors: fieldErrors('body', parsed.error.issues),
  });
  return undefined;
}

/**
 * Twilio SMS status callbacks and inbound SMS. Both verify X-Twilio-Signature against the public
 * URL, then deduplicate (status: SID + status; inbound: SID) so Twilio's retries act once.
 */
export function twilioSmsRouter(o: TwilioSmsOptions): Router {
  const router = express.Router();
  const verify = o.authToken
    ? verifyTwilioSignature({ authToken: o.authToken, publicBaseUrl: o.publicBaseUrl })
    : refuse('TWILIO_AUTH_TOKEN is not configured');
  const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;

  router.post(
    '/webhooks/twilio/sms-status',
    verify,
    webhookIdempotency({
      store: o.idempotency,
      provider: 'twilio-sms-status',
      eventId: (req) =>
        typeof body(req).MessageSid === 'string' ? `${String(body(req).MessageSid)}:${String(body(req).MessageStatus)}` : undefined,
    }),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const cb = parse(StatusCallback, req, res);
        if (!cb) return;
        const type = STATUS_EVENT[cb.MessageStatus];
        const hinted = typeof req.query.attempt === 'string' && UUID.test(req.query.attempt) ? req.query.attempt : undefined;
        const attempt = await o.db.contactAttempt.findFirst({
          where: hinted
            ? { id: hinted, channel: 'sms', OR: [{ providerMessageId: cb.MessageSid }, { providerMessageId: null }] }
            : { channel: 'sms', providerMessageId: cb.MessageSid },
          select: { id: true },
        });
        if (attempt && type) {
          await recordContactEvent(o.db, {
            contactAttemptId: attempt.id,
            type,
            provider: 'twilio',
            occurredAt: new Date(),
            payload: { message_sid: cb.MessageSid, status: cb.MessageStatus, error_code: cb.ErrorCode ?? null },
            failureReason: cb.ErrorCode ? `${cb.MessageStatus} (Twilio error ${cb.ErrorCode})` : cb.MessageStatus,
          });
        }
        res.status(204).end();
      } catch (err) {
        next(err);
      }
    },
  );

  router.post(
    '/webhooks/twilio/sms-inbound',
    verify,
    webhookIdempotency({
      store: o.idempotency,
      provider: 'twilio-sms-inbound',
      eventId: (req) => (typeof body(req).MessageSid === 'string' ? String(body(req).MessageSid) : undefined),
    }),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const msg = parse(Inbound, req, res);
        if (!msg) return;
        await handleInbound(o, msg);
        res.type('text/xml').send(EMPTY_TWIML);
      } catch (err) {
        next(err);
      }
    },
  );
  return router;
}

/**
 * Records the reply and acts on it. The sender's number may belong to debtors of several tenants
 * (the platform sends from one number): STOP and START apply to every client with that number,
 * because the request is about texts from this number; the reply itself is filed under the client
 * texted most recently.
 */
async function handleInbound(o: TwilioSmsOptions, msg: z.infer<typeof Inbound>): Promise<void> {
  const { db } = o;
  const intent: InboundIntent = inboundIntent(msg.Body);
  const clients = await db.client.findMany({
    where: { phone: msg.From },
    select: { id: true, tenantId: true, name: true, tenant: { select: { id: true, name: true, email: true } } },
  });
  const lastSms = clients.length
    ? await db.contactAttempt.findFirst({
        where: { channel: 'sms', clientId: { in: clients.map((c) => c.id) }, sentAt: { not: null } },
        orderBy: { sentAt: 'desc' },
        select: { id: true, clientId: true, invoiceId: true },
      })
    : null;
  const owner = clients.find((c) => c.id === lastSms?.clientId) ?? clients[0];
  const now = new Date();
  const action: Record<string, unknown> = { intent };

  if (intent === 'stop' || intent === 'start') {
    const changed: string[] = [];
    for (const c of clients) {
      const did = intent === 'stop' ? await addStoppedChannel(db, c.id, 'sms') : await removeStoppedChannel(db, c.id, 'sms');
      if (did) changed.push(c.id);
      await db.complianceAudit.create({
        data: {
          tenantId: c.tenantId,
          clientId: c.id,
          channel: 'sms',
          purpose: intent === 'stop' ? 'stop_request' : 'start_request',
          actor: 'debtor:sms-reply',
          allowed: intent === 'start',
          reasons: [
            intent === 'stop'
              ? {
                  code: 'CHANNEL_STOPPED',
                  message: 'The debtor replied STOP: no more SMS to this number',
                  source: 'CONC 7.9 (a reasonable request about how to be contacted); PECR reg 22 opt-out',
                  severity: 'deny',
                }
              : { code: 'CHANNEL_STOPPED', message: 'The debtor replied START: SMS allowed again', source: 'CONC 7.9', severity: 'info' },
          ],
          ruleSetVersion: 'inbound-sms',
          context: { inbound_message_sid: msg.MessageSid },
          evaluatedAt: now,
        },
      });
    }
    action.sms_stopped = intent === 'stop';
    action.clients_changed = changed;
  }
  if (intent === 'paid') {
    action.reconciliation_requested = true;
    if (lastSms?.invoiceId) action.invoice_id = lastSms.invoiceId;
  }
  if (intent === 'call_me') action.callback_requested = true;

  const created = await db.inboundMessage.createMany({
    data: [
      {
        tenantId: owner?.tenantId ?? null,
        clientId: owner?.id ?? null,
        channel: 'sms',
        provider: 'twilio',
        providerMessageId: msg.MessageSid,
        fromAddress: msg.From,
        toAddress: msg.To,
        body: msg.Body,
        intent,
        action: action as object,
        receivedAt: now,
      },
    ],
    skipDuplicates: true,
  });
  if (created.count === 0) return; // already recorded (a redelivery after the idempotency record expired)
  if (lastSms)
    await recordContactEvent(db, {
      contactAttemptId: lastSms.id,
      type: 'replied',
      provider: 'twilio',
      occurredAt: now,
      payload: { message_sid: msg.MessageSid, intent },
    });

  // The account holder hears about replies a person must act on.
  if (owner?.tenant.email && (intent === 'paid' || intent === 'call_me')) {
    const what = intent === 'paid' ? 'says they have paid: please check and reconcile the payment' : 'asked for a call back';
    const text = `${owner.name} replied "${msg.Body.slice(0, 160)}" by SMS and ${what}.${action.invoice_id ? ` Invoice: ${String(action.invoice_id)}.` : ''}\n\nRecoup`;
    await o.email
      .send({
        idempotencyKey: `inbound:${msg.MessageSid}`,
        to: owner.tenant.email,
        subject: intent === 'paid' ? 'Debtor says paid: reconcile' : 'Debtor asked for a call back',
        text,
        html: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`,
        customArgs: { kind: `inbound_${intent}`, tenant_id: owner.tenantId },
        categories: [`inbound_${intent}`],
      })
      .catch((err: Error) =>
        o.logger.warn({ tenantId: owner.tenantId, err: { message: err.message } }, 'could not notify the account holder of an SMS reply'),
      );
  }
}
