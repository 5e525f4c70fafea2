import type { NextFunction, Request, Response, Router } from 'express';
import express from 'express';
import type { z } from 'zod';
import type { Database } from '@recoup/db';
import { fieldErrors, sendProblem } from '@recoup/http';
import { webhookIdempotency, type IdempotencyStore } from '@recoup/idempotency';
import type { Logger } from '@recoup/observability';
import type { EmailSender } from '@recoup/providers/email';
import { TwilioSmsWebhooks, type InboundSms } from '@recoup/providers/sms';
import { recordContactEvent } from './contact-events';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** 400 naming the bad parameter when a signed body is not what Twilio sends. */
function parsed<T>(result: z.ZodSafeParseResult<T>, req: Request, res: Response): T | undefined {
  if (result.success) return result.data;
  sendProblem(res, {
    type: 'about:blank',
    title: 'Bad Request',
    status: 400,
    detail: 'invalid Twilio webhook parameters',
    request_id: req.id,
    errors: fieldErrors('body', result.error.issues),
  });
  return undefined;
}

/**
 * Twilio SMS status callbacks and inbound SMS, through the SMS adapter's TwilioSmsWebhooks: the
 * signature verified against the public URL (403 otherwise), Twilio's retries deduplicated on signed
 * data (status: SID + status; inbound: the signed request), the body parsed into our terms.
 */
export function twilioSmsRouter(o: TwilioSmsOptions): Router {
  const router = express.Router();
  const twilio = new TwilioSmsWebhooks({ authToken: o.authToken, publicBaseUrl: o.publicBaseUrl });
  const dedupe = (provider: string) => webhookIdempotency({ store: o.idempotency, provider, eventId: (req) => twilio.eventKey(req) });

  router.post(
    '/webhooks/twilio/sms-status',
    twilio.verifySignature,
    dedupe('twilio-sms-status'),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const cb = parsed(twilio.parseStatusCallback(req.body), req, res);
        if (!cb) return;
        const hinted = typeof req.query.attempt === 'string' && UUID.test(req.query.attempt) ? req.query.attempt : undefined;
        const attempt = await o.db.contactAttempt.findFirst({
          where: hinted
            ? { id: hinted, channel: 'sms', OR: [{ providerMessageId: cb.messageId }, { providerMessageId: null }] }
            : { channel: 'sms', providerMessageId: cb.messageId },
          select: { id: true },
        });
        if (attempt && cb.type) {
          await recordContactEvent(o.db, {
            contactAttemptId: attempt.id,
            type: cb.type,
            provider: 'twilio',
            occurredAt: new Date(),
            payload: { message_sid: cb.messageId, status: cb.providerStatus, error_code: cb.errorCode ?? null },
            failureReason: cb.failureReason,
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
    twilio.verifySignature,
    dedupe('twilio-sms-inbound'),
    async (req: Request, res: Response, next: NextFunction) => {
      try {
        const msg = parsed(twilio.parseInbound(req.body), req, res);
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
async function handleInbound(o: TwilioSmsOptions, msg: InboundSms): Promise<void> {
  const { db } = o;
  const intent: InboundIntent = inboundIntent(msg.body);
  const clients = await db.client.findMany({
    where: { phone: msg.from },
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
          context: { inbound_message_sid: msg.messageId },
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
        providerMessageId: msg.messageId,
        fromAddress: msg.from,
        toAddress: msg.to,
        body: msg.body,
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
      payload: { message_sid: msg.messageId, intent },
    });

  // The account holder hears about replies a person must act on.
  if (owner?.tenant.email && (intent === 'paid' || intent === 'call_me')) {
    const what = intent === 'paid' ? 'says they have paid: please check and reconcile the payment' : 'asked for a call back';
    const text = `${owner.name} replied "${msg.body.slice(0, 160)}" by SMS and ${what}.${action.invoice_id ? ` Invoice: ${String(action.invoice_id)}.` : ''}\n\nRecoup`;
    await o.email
      .send({
        idempotencyKey: `inbound:${msg.messageId}`,
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
