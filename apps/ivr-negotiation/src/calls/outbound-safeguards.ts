import {
  DEBT_ADVICE_SIGNPOSTING,
  MAX_IDENTITY_ATTEMPTS,
  identityAnswerMatches,
  identityMethodFor,
  identityQuestion,
  recordVulnerability,
  type CollectionsDeps,
  type IdentityMethod,
  type VulnerabilityCategory,
} from '@recoup/collections';
import type { AccountData } from './conversation';

/**
 * The voice-trust order of an outbound IVR call, enforced by our code (CONC 7.9.7R; UK GDPR Arts. 13, 21; FCA FG21/1):
 * the recording notice, then ask for the named person and the identity question, and only once our check accepted the
 * answer the balance and the offer. Signs of vulnerability pause collection and signpost free debt advice.
 */

/** Said first on every outbound IVR call (and the transcript's first turn): recording starts after it. */
export function recordingNotice(creditorName: string): string {
  return `Hello, this is an automated call from ${creditorName}. This call is recorded for our records; if you would rather it was not, just say so.`;
}

/** The greeting before identity: the notice, the named person, the identity question. No balance, no debt. */
export function verifyGreeting(account: AccountData, method: IdentityMethod): string {
  const who = account.customerName ? `May I speak to ${account.customerName}? ` : '';
  return `${recordingNotice(account.creditorName)} ${who}${identityQuestion(method)} You can also key it in, then press hash.`;
}

/** A call-back request for someone who is not the debtor or could not confirm: nothing about the debt (CONC 7.9.8G). */
export function callBackRequest(account: AccountData, callbackNumber?: string): string {
  const number = callbackNumber ? ` on ${callbackNumber.replace(/^\+44/, '0').split('').join(' ')}` : '';
  return `Sorry to have troubled you. Could you please ask ${account.customerName ?? 'the account holder'} to call ${account.creditorName} back${number}? Thank you, goodbye.`;
}

/** Left on an answering machine after its beep: who called and the number, never the debt (CONC 7.9.8G). */
export function voicemailMessage(account: AccountData, callbackNumber?: string): string {
  const number = callbackNumber ? callbackNumber.replace(/^\+44/, '0').split('').join(' ') : 'the number this call came from';
  return `This is a message for ${account.customerName ?? 'the account holder'} from ${account.creditorName}. Please call us back on ${number}. Thank you.`;
}

export const WRONG_PERSON =
  /\b(wrong number|wrong person|not here|isn'?t here|no one by that name|nobody by that name|not available|not me)\b/i;
export const RECORDING_OBJECTION =
  /\b((don'?t|do not) (want to be |want it )?record|not (be )?recorded|stop (the )?recording|no recording)/i;

/** Cues of vulnerability in what the debtor said (FCA FG21/1's drivers; CONC 7.10 capacity), by category. */
export function vulnerabilityCue(text: string): VulnerabilityCategory | null {
  const t = text.toLowerCase();
  if (/\b(don'?t understand|confused|power of attorney|dementia)\b/.test(t)) return 'mental_capacity';
  if (/\b(hospital|illness|seriously ill|cancer|mental health|depress|anxiety|can'?t cope)/.test(t)) return 'health';
  if (/\b(lost my job|redundan|bereave|passed away|died|divorce|separated)/.test(t)) return 'life_event';
  if (/\b(struggling|can'?t afford (to eat|food|rent|bills)|food bank|in debt)/.test(t)) return 'resilience';
  return null;
}

/** What the debtor hears once vulnerability is recorded: no payment asked for, free debt advice, a person follows up. */
export const VULNERABLE_CLOSING = `I am sorry to hear that. We will not ask you for any payment today, and a member of our team will be in touch. ${DEBT_ADVICE_SIGNPOSTING} Take care. Goodbye.`;

export interface IdentityFacts {
  method: IdentityMethod;
  record: { postcode: string | null; address: unknown; dateOfBirth: Date | null; invoiceReference: string };
}

/** The identity check of an outbound call: the tenant's method (or the reference when the record lacks its datum). */
export async function identityFactsOf(
  core: CollectionsDeps,
  row: { tenantId: string; clientId: string | null; invoiceId: string | null },
): Promise<IdentityFacts | null> {
  if (!row.clientId || !row.invoiceId) return null;
  const invoice = await core.db.invoice.findFirst({
    where: { id: row.invoiceId, tenantId: row.tenantId, clientId: row.clientId },
    include: { client: true, tenant: { select: { identityCheck: true } } },
  });
  if (!invoice) return null;
  const record = {
    postcode: invoice.client.postcode,
    address: invoice.client.address,
    dateOfBirth: invoice.client.dateOfBirth,
    invoiceReference: invoice.reference,
  };
  return { method: identityMethodFor(invoice.tenant.identityCheck, record), record };
}

export type VerifyVerdict = 'verified' | 'retry' | 'failed' | 'wrong_person';

/** One answer to the identity question, checked by our code; `attempt` counts from 1. */
export function judgeIdentityAnswer(facts: IdentityFacts, answer: { speech: string; digits: string }, attempt: number): VerifyVerdict {
  if (WRONG_PERSON.test(answer.speech)) return 'wrong_person';
  if (identityAnswerMatches(facts.method, facts.record, answer)) return 'verified';
  return attempt >= MAX_IDENTITY_ATTEMPTS ? 'failed' : 'retry';
}

/** Flags the debtor for a person and pauses collection through the core. */
export async function recordIvrVulnerability(
  core: CollectionsDeps,
  row: { id: string; tenantId: string; clientId: string | null; invoiceId: string | null },
  category: VulnerabilityCategory,
): Promise<void> {
  if (!row.clientId) return;
  await recordVulnerability(core, {
    tenantId: row.tenantId,
    clientId: row.clientId,
    invoiceId: row.invoiceId,
    category,
    source: 'ivr',
    sourceId: row.id,
    actor: 'ivr',
  });
}
