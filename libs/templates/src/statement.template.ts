import { z } from 'zod';
import { renderEmail, renderLetter } from './document.renderer';
import { formatPence, formatUkDate, formatUkShortDate } from './format';
import { MONEYHELPER, contactChoices, greeting, howToDispute, signOff } from './shared-content';
import { countSmsSegments } from './sms-segments';
import { TemplateRenderError, TemplateVariablesError, gsm7Safe } from './template-catalog';
import type { MessageDocument, RenderedEmail, RenderedLetter, RenderedSms } from './template.types';
import { BaseVariablesSchema, type BaseVariables } from './template-variables.schema';

/**
 * The statement: one message listing every overdue invoice a debtor owes one creditor, each with the balance the
 * collections core quotes for it (quoteInvoiceBalance: principal, plus statutory interest and compensation only where
 * the creditor claims them). It replaces the invoices' separate reminders of one run, so the debtor gets one message
 * (and the compliance engine counts one contact) instead of one per invoice. It says everything a demand must: who asks,
 * for what, how to pay, how to query any invoice (collection of it pauses, CONC 7.14) and how to change or stop contact
 * (CONC 7.9); consumers are pointed to free debt advice (CONC 7.3).
 */

const StatementInvoiceSchema = z
  .object({
    reference: BaseVariablesSchema.shape.invoice.shape.reference,
    amountPence: z.number().int().positive(),
    paidPence: z.number().int().nonnegative(),
    issueDate: BaseVariablesSchema.shape.invoice.shape.issueDate,
    dueDate: BaseVariablesSchema.shape.invoice.shape.dueDate,
    /** The one balance of this invoice as the core quotes it (principal plus any claimed charges). */
    balancePence: z.number().int().positive(),
    /** Of which statutory interest and fixed compensation (Late Payment Act 1998); 0 when none is claimed. */
    chargesPence: z.number().int().nonnegative(),
  })
  .refine((i) => i.paidPence <= i.amountPence, 'paidPence cannot exceed amountPence')
  .refine((i) => i.chargesPence < i.balancePence, 'chargesPence must be part of balancePence');

export const StatementVariablesSchema = BaseVariablesSchema.omit({
  invoice: true,
  claimStatutoryInterest: true,
  interestFrozenPeriods: true,
})
  .extend({ invoices: z.array(StatementInvoiceSchema).min(1).max(50) })
  .refine((v) => v.debtor.kind === 'business' || v.invoices.every((i) => i.chargesPence === 0), {
    message: 'statutory interest under the Late Payment Act applies to business debts only',
    path: ['invoices'],
  })
  .refine((v) => new Set(v.invoices.map((i) => i.reference)).size === v.invoices.length, {
    message: 'each invoice once',
    path: ['invoices'],
  });

export type StatementVariables = z.infer<typeof StatementVariablesSchema>;
export type StatementChannel = 'email' | 'sms' | 'letter';
export type RenderedStatement = RenderedEmail | RenderedSms | RenderedLetter;

/** SMS parts a statement may use, whatever the number of invoices (references beyond the first three are counted). */
export const STATEMENT_SMS_BUDGET = 3;
const SMS_REFERENCES = 3;

const total = (v: StatementVariables) => v.invoices.reduce((a, i) => a + i.balancePence, 0);

function statementDocument(v: StatementVariables): MessageDocument {
  const n = v.invoices.length;
  const consumer = v.debtor.kind === 'consumer';
  const charges = v.invoices.some((i) => i.chargesPence > 0);
  const rows: Array<[string, string]> = v.invoices.map((i) => [
    `Invoice ${i.reference}, due ${formatUkDate(i.dueDate)}`,
    `${formatPence(i.balancePence)}${i.paidPence > 0 ? ` (of ${formatPence(i.amountPence)}, ${formatPence(i.paidPence)} paid)` : ''}${i.chargesPence > 0 ? `, including ${formatPence(i.chargesPence)} interest and compensation` : ''}`,
  ]);
  rows.push(['Total now due', formatPence(total(v))]);
  return {
    subject: n === 1 ? `Statement: 1 overdue invoice from ${v.creditor.name}` : `Statement: ${n} overdue invoices from ${v.creditor.name}`,
    greeting: greeting(baseOf(v)),
    paragraphs: [
      `This is a statement from ${v.creditor.name} as of ${formatUkDate(v.today)}. ${n === 1 ? 'One invoice is' : `${n} invoices are`} past due, ${formatPence(total(v))} in all. Each is listed below with its balance.`,
      'If you have already paid, thank you, and please ignore this message.',
      consumer
        ? 'We understand that things do not always go to plan. If something has changed, please let us know and we will work with you to find a way forward.'
        : 'If there is a problem with any of these invoices or with timing, please let us know so we can sort it out together.',
      ...(charges
        ? [
            'As these are business debts, the Late Payment of Commercial Debts (Interest) Act 1998 allows us to claim statutory interest and fixed compensation; the balances below include them to date.',
          ]
        : []),
    ],
    facts: rows,
    action: { label: 'See and pay online', url: v.links.pay },
    notices: [
      `How to pay: online at ${v.links.pay}, where you can pay everything at once or one invoice at a time, or call us on ${v.creditor.phone}.`,
      howToDispute(baseOf(v)),
      contactChoices(baseOf(v)),
      ...(consumer
        ? [
            `If you are finding it hard to pay, please tell us: we can agree a plan you can afford, and you can propose one at ${v.links.pay}. Free, confidential debt advice is available from ${MONEYHELPER}.`,
          ]
        : []),
    ],
    signOff: signOff(baseOf(v)),
  };
}

function statementSms(v: StatementVariables): string {
  const refs = v.invoices.slice(0, SMS_REFERENCES).map((i) => i.reference);
  const more = v.invoices.length - refs.length;
  const list = `${refs.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  const n = v.invoices.length;
  const oldest = v.invoices.reduce((a, i) => (i.dueDate < a ? i.dueDate : a), v.invoices[0]?.dueDate ?? v.today);
  return `${v.creditor.name}: ${n === 1 ? '1 invoice' : `${n} invoices`} overdue since ${formatUkShortDate(oldest)}, ${formatPence(total(v))} in all (${list}). See and pay: ${v.links.pay} Dispute: ${v.links.dispute} Contact choices: ${v.links.preferences}${v.debtor.kind === 'consumer' ? ' Free advice: moneyhelper.org.uk' : ''} Reply STOP to stop texts`;
}

/** The shared wording's view of a statement: the creditor, debtor, links and date are the base variables' own. */
function baseOf(v: StatementVariables): BaseVariables {
  const first = v.invoices[0];
  if (!first) throw new TemplateRenderError('statement', 'no invoices');
  return {
    debtor: v.debtor,
    creditor: v.creditor,
    links: v.links,
    today: v.today,
    claimStatutoryInterest: false,
    invoice: {
      reference: first.reference,
      amountPence: first.amountPence,
      paidPence: first.paidPence,
      issueDate: first.issueDate,
      dueDate: first.dueDate,
    },
  };
}

/** Renders the statement for a channel; a missing or malformed variable throws TemplateVariablesError naming it. */
export function renderStatement(channel: StatementChannel, variables: unknown): RenderedStatement {
  const id = `statement.${channel}`;
  const parsed = StatementVariablesSchema.safeParse(variables);
  if (!parsed.success)
    throw new TemplateVariablesError(
      id,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  const v = parsed.data;
  if (channel === 'email') return renderEmail(statementDocument(v));
  if (channel === 'letter') return renderLetter(statementDocument(v), baseOf(v));
  if (channel !== 'sms') throw new TemplateRenderError(id, `unknown channel ${String(channel)}`);
  const text = gsm7Safe(statementSms(v));
  const segments = countSmsSegments(text);
  if (segments.segments > STATEMENT_SMS_BUDGET)
    throw new TemplateRenderError(id, `SMS needs ${segments.segments} parts, over its budget of ${STATEMENT_SMS_BUDGET}`);
  return { channel: 'sms', text, segments, budget: STATEMENT_SMS_BUDGET };
}

/** Realistic statement variables (three invoices), for previews and tests. */
export function sampleStatementVariables(kind: 'business' | 'consumer'): StatementVariables {
  return {
    debtor: { name: kind === 'business' ? 'Harbour Street Bakery Ltd' : 'Sam Taylor', kind },
    creditor: {
      name: 'Northwind Design Ltd',
      phone: '020 7946 0123',
      email: 'accounts@northwind.example',
      address: '1 Example Street, London, EC1A 1AA',
    },
    links: {
      pay: 'https://pay.recoup.example/a/3q2Zr8xkLm1pQ7vW0tYb4c',
      dispute: 'https://pay.recoup.example/d/3q2Zr8xkLm1pQ7vW0tYb4c',
      preferences: 'https://pay.recoup.example/c/3q2Zr8xkLm1pQ7vW0tYb4c',
    },
    today: '2026-11-30',
    invoices: [
      {
        reference: 'INV-1041',
        amountPence: 42_000,
        paidPence: 0,
        issueDate: '2026-09-01',
        dueDate: '2026-10-01',
        balancePence: 42_000,
        chargesPence: 0,
      },
      {
        reference: 'INV-1057',
        amountPence: 18_550,
        paidPence: 5_000,
        issueDate: '2026-09-15',
        dueDate: '2026-10-15',
        balancePence: 13_550,
        chargesPence: 0,
      },
      {
        reference: 'INV-1063',
        amountPence: 96_000,
        paidPence: 0,
        issueDate: '2026-10-01',
        dueDate: '2026-10-31',
        balancePence: 96_000,
        chargesPence: 0,
      },
    ],
  };
}
