import type { Database } from '@recoup/db';
import { renderTemplate, type RenderedEmail, type RenderedLetter, type RenderedSms } from '@recoup/templates';
import type { NotificationJob } from './delivery.service';
import type { SendSubject } from './delivery.repository';
import { TemplateInputError, stageOf, templateVariables } from './message-variables';

export type RenderedMessage = RenderedEmail | RenderedSms | RenderedLetter;
export type Creditor = { name: string; phone: string; email: string; address: string };

export interface MessageSubject {
  data: NotificationJob;
  client: SendSubject['client'];
  invoice: SendSubject['invoice'];
  now: Date;
}

/** The job's message as the debtor gets it, from a fresh read of the debtor and invoice (and the plan, for plan stages). */
export async function renderMessage(
  db: Database,
  linkBaseUrl: string,
  { data, client, invoice, now }: MessageSubject,
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
  const variables = templateVariables({
    stage,
    tenant: client.tenant,
    client,
    invoice,
    plan,
    jobVariables: data.variables,
    linkBaseUrl,
    now,
  });
  return { creditor: variables.creditor as Creditor, rendered: renderTemplate(stage, data.channel, variables) as RenderedMessage };
}
