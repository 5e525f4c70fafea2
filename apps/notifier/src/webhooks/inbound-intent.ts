import { recordDeliveryEvent, stopContactChannels } from '@recoup/collections';
import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { EmailSender } from '@recoup/providers/email';
import type { InboundSms } from '@recoup/providers/sms';
import type { WebhookDeps } from './contact-events';

export type InboundIntent = 'stop' | 'start' | 'paid' | 'call_me' | 'help' | 'other';

// Twilio's default opt-out and opt-in keywords (Advanced Opt-Out), matched on the whole message.
const STOP = /^(stop|stopall|stop all|unsubscribe|cancel|end|quit|optout|opt out|revoke)$/;
const START = /^(start|unstop|subscribe|yes)$/;
const HELP = /^(help|info)$/;
const PAID = /^(i('ve| have)? )?(already )?(paid|payed|have paid|paid it|paid already|settled)( it)?( already)?$/;
const CALL_ME = /^(please )?(call me|call me back|callback|call back|ring me|phone me)( please)?$/;

/** What a reply asks for. Only whole-message keywords act; anything else is recorded as `other`. */
export function inboundIntent(body: string): InboundIntent {
  const text = body
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (STOP.test(text)) return 'stop';
  if (START.test(text)) return 'start';
  if (HELP.test(text)) return 'help';
  if (PAID.test(text)) return 'paid';
  if (CALL_ME.test(text)) return 'call_me';
  return 'other';
}

export interface InboundSmsDeps extends WebhookDeps {
  logger: Logger;
  /** Tells the account holder about replies a person must act on (PAID, CALL ME). */
  email: EmailSender;
}

/**
 * Records a debtor's text and acts on it. The sender's number may belong to debtors of several tenants (the
 * platform sends from one number): STOP and START apply to every client with that number, because the request is
 * about texts from this number; the reply itself is filed under the client texted most recently. STOP goes through
 * the collections core (SMS stopped and the client's queued texts cancelled, audited on each invoice); PAID and
 * CALL ME change no balance or schedule: a person reconciles or calls back.
 */
export async function handleInboundSms(deps: InboundSmsDeps, msg: InboundSms): Promise<void> {
  const { db } = deps;
  const intent = inboundIntent(msg.body);
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
    let cancelled = 0;
    for (const c of clients) {
      if (intent === 'stop') {
        const stopped = await stopContactChannels(deps, {
          tenantId: c.tenantId,
          clientId: c.id,
          channels: ['sms'],
          reason: 'the debtor replied STOP',
          actor: 'debtor:sms-reply',
        });
        if (stopped.added.length > 0) changed.push(c.id);
        cancelled += stopped.cancelledContacts;
      } else if (await resumeSms(db, c.id)) changed.push(c.id);
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
    if (intent === 'stop') action.contacts_cancelled = cancelled;
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
    await recordDeliveryEvent(db, {
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
    await deps.email
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
        deps.logger.warn(
          { tenantId: owner.tenantId, err: { message: err.message } },
          'could not notify the account holder of an SMS reply',
        ),
      );
  }
}

/** START: SMS may be used again for this client (one guarded statement; a STOP holding the client's lock goes first). */
async function resumeSms(db: Database, clientId: string): Promise<boolean> {
  const n = await db.$executeRaw`UPDATE clients SET stopped_channels = array_remove(stopped_channels, 'sms'::"Channel"), updated_at = now()
    WHERE id = ${clientId}::uuid AND 'sms'::"Channel" = ANY(stopped_channels)`;
  return n > 0;
}
