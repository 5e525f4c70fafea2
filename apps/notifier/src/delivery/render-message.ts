import type { Database } from '@recoup/db';
import { renderTemplate, type RenderedEmail, type RenderedLetter, type RenderedSms } from '@recoup/templates';
import type { NotificationJob } from './delivery.service';
import type { SendSubject } from './delivery.repository';
import { TemplateInputError, messageVariables, stageOf, type MessageFacts } from './message-variables';

export type RenderedMessage = RenderedEmail | RenderedSms | RenderedLetter;
export type Creditor = { name: string; phone: string; email: string; address: string };

export interface MessageSubject {
  data: NotificationJob;
  /** The contact attempt the message is for: its debtor link token is minted for it. */
  attempt: { id: string };
  client: SendSubject['client'];
  invoice: SendSubject['invoice'];
  now: Date;
}

/**
 * The job's message as the debtor gets it, from a fresh read of the debtor and invoice (and the plan, for plan stages),
 * quoting the collections core's balance, with /p /d /c links that carry a token minted for this message.
 */
export async function renderMessage(
  db: Database,
  linkBaseUrl: string,
  { data, attempt, client, invoice, now }: MessageSubject,
  facts?: MessageFacts,
): Promise<{ rendered: RenderedMessage; creditor: Creditor }> {
  if (!invoice || !client) throw new TemplateInputError('collection templates need the invoice (invoice_id)');
  const stage = stageOf(data.template_id, data.channel);
  const plan =
    stage === 'payment_plan_proposal' || stage === 'payment_plan_confirmation'
      ? await db.paymentPlan.findFirst({
          where: { invoiceId: invoice.id, status: { in: ['proposed', 'active'] } },
          orderBy: { createdAt: 'desc' },
          include: { installments: { orderBy: { sequence: 'asc' } } },
        })
      : null;
  // A fresh opaque link token for this message (stored hashed) and the core's one balance quote.
  const { variables } = await messageVariables(
    db,
    {
      contactAttemptId: attempt.id,
      stage,
      tenant: client.tenant,
      client,
      invoice,
      plan,
      jobVariables: data.variables,
      linkBaseUrl,
      now,
    },
    facts,
  );
  return { creditor: variables.creditor as Creditor, rendered: renderTemplate(stage, data.channel, variables) as RenderedMessage };
}
