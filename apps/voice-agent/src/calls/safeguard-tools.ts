import {
  DEBT_ADVICE_SIGNPOSTING,
  MAX_IDENTITY_ATTEMPTS,
  VULNERABILITY_CATEGORIES,
  identityAnswerMatches,
  identityMethodFor,
  identityQuestion,
  recordCallbackRequest,
  recordVulnerability,
  type CollectionsDeps,
  type IdentityMethod,
} from '@recoup/collections';
import type { CallModel, Database } from '@recoup/db';
import { z } from 'zod';
import type { LiveCallControl } from './live-call-control';

/** Tools that disclose the debt or take money: refused by our code until the caller's identity was accepted. */
export const IDENTITY_REQUIRED = new Set(['send_payment_link', 'record_promise_to_pay', 'propose_payment_plan']);

export const SafeguardArgs = {
  verify_identity: z.object({ answer: z.string().max(200).default(''), keyed: z.boolean().optional() }),
  wrong_person: z.object({ reason: z.string().max(200).optional() }),
  stop_recording: z.object({}).passthrough(),
  record_vulnerability: z.object({
    category: z.enum(VULNERABILITY_CATEGORIES).default('life_event'),
    note: z.string().max(300).optional(),
  }),
  transfer_to_agent: z.object({ reason: z.string().max(200).optional() }),
} as const;

export interface SafeguardResult {
  ok: boolean;
  message: string;
  endCall?: boolean;
  data?: Record<string, unknown>;
}

export interface SafeguardDeps {
  db: Database;
  core: CollectionsDeps;
  live: LiveCallControl;
  /** The operator's default transfer number (a tenant's transfer_phone wins). */
  transferNumber?: string;
  /** Our caller id, shown to the person the call is transferred to and read out in call-back requests. */
  callerId?: string;
  /** Where Twilio reports how the transfer went (a failed one becomes a call-back request). */
  transferActionUrl(callId: string): string;
  /** Stores what our code (not the model) said on the line. */
  saveTurn?(callId: string, speaker: 'ai' | 'user', text: string, itemId: string | null): Promise<void>;
  now(): Date;
}

interface StoredParams {
  recipient_name?: string;
  business_name?: string;
  identity_method?: IdentityMethod;
  after_identity?: string;
}

const ACTOR = 'voice_agent';
const spoken = (n: string) => n.replace(/^\+44/, '0').split('').join(' ');

/** The call-back request a wrong person, or someone who could not confirm, hears: no debt detail (CONC 7.9.8G). */
export function callBackRequest(params: StoredParams, callerId?: string): string {
  const number = callerId ? ` on ${spoken(callerId)}` : '';
  return `Sorry to have troubled you. Could you please ask ${params.recipient_name ?? 'them'} to call ${params.business_name ?? 'us'} back${number}? Thank you, goodbye.`;
}

/**
 * The answer to the identity question, checked by our code against the record (normalised; bounded attempts). Only
 * on success does the agent learn what the call is about (the disclosure briefing).
 */
export async function verifyIdentity(
  d: SafeguardDeps,
  call: CallModel,
  args: { answer: string; keyed?: boolean },
): Promise<SafeguardResult> {
  const params = (call.params ?? {}) as StoredParams;
  const row = await d.db.call.findUniqueOrThrow({
    where: { id: call.id },
    include: { client: true, tenant: true, invoice: { select: { reference: true } } },
  });
  if (row.identityVerifiedAt) return { ok: true, message: params.after_identity ?? 'Identity already confirmed.' };
  const record = {
    postcode: row.client.postcode,
    address: row.client.address,
    dateOfBirth: row.client.dateOfBirth,
    invoiceReference: row.invoice?.reference ?? '',
  };
  const method = params.identity_method ?? identityMethodFor(row.tenant.identityCheck, record);
  // One attempt counted per answer, atomically: parallel answers cannot exceed the bound.
  const { count } = await d.db.call.updateMany({
    where: { id: call.id, identityVerifiedAt: null, identityAttempts: { lt: MAX_IDENTITY_ATTEMPTS } },
    data: { identityAttempts: { increment: 1 } },
  });
  if (count === 0) return leaveCallBackRequest(d, call, 'No more attempts.');
  const answer = args.keyed ? { digits: args.answer } : { speech: args.answer };
  if (identityAnswerMatches(method, record, answer)) {
    await d.db.call.update({ where: { id: call.id }, data: { identityVerifiedAt: d.now() } });
    return { ok: true, message: params.after_identity ?? 'Identity confirmed.', data: { method } };
  }
  const used = row.identityAttempts + 1;
  if (used >= MAX_IDENTITY_ATTEMPTS)
    return {
      ...(await leaveCallBackRequest(d, call, 'That does not match our records and no attempts are left.')),
      data: { method, attempts: used },
    };
  return {
    ok: false,
    message: `That does not match our records. Ask once more, without hints: ${identityQuestion(method)}`,
    data: { method, attempts: used },
  };
}

/**
 * The call ends with the call-back request, said by our code (not left to the model) and stored: whoever answered
 * hears no debt detail (CONC 7.9.7R, 7.9.8G).
 */
async function leaveCallBackRequest(d: SafeguardDeps, call: CallModel, why: string): Promise<SafeguardResult> {
  const request = callBackRequest((call.params ?? {}) as StoredParams, d.callerId);
  d.live.closeWith(call.id, { say: [request] });
  await d.saveTurn?.(call.id, 'ai', request, `closing:${call.id}`);
  return {
    ok: false,
    message: `${why} Say nothing about why you called and nothing more than "Thank you." A call-back request is left by our system, then the call ends.`,
    endCall: true,
  };
}

/** Not the debtor (or they cannot come to the phone): a call-back request with no debt detail, then the end. */
export async function wrongPerson(d: SafeguardDeps, call: CallModel): Promise<SafeguardResult> {
  return { ...(await leaveCallBackRequest(d, call, 'Not the person asked for.')), ok: true };
}

/** The debtor objects to the recording: stored, and the live recording stopped through the Recordings API. */
export async function stopRecording(d: SafeguardDeps, call: CallModel): Promise<SafeguardResult> {
  const result = await d.live.stopRecording(call.id);
  return {
    ok: true,
    message: 'The recording has been stopped. Tell them so in one sentence, then carry on where you were.',
    data: { recording: result },
  };
}

/**
 * Signs of vulnerability (FCA FG21/1; CONC 7.2.1R, 7.10): the debtor is flagged for a person and collection pauses
 * through the core; the call ends with the free debt-advice signposting, played by our code (not left to the model)
 * and stored in the transcript.
 */
export async function recordVulnerabilityTool(
  d: SafeguardDeps,
  call: CallModel,
  args: { category: (typeof VULNERABILITY_CATEGORIES)[number]; note?: string },
): Promise<SafeguardResult> {
  const { cancelledContacts } = await recordVulnerability(d.core, {
    tenantId: call.tenantId,
    clientId: call.clientId,
    invoiceId: call.invoiceId,
    category: args.category,
    note: args.note ?? null,
    source: 'call',
    sourceId: call.id,
    actor: ACTOR,
  });
  // Special-category data may follow (UK GDPR Art. 9): the transcript needs the explicit scope from now on.
  await d.db.call.update({ where: { id: call.id }, data: { sensitive: true } });
  const closing = `${DEBT_ADVICE_SIGNPOSTING} A member of our team will be in touch, and we will not ask you for payment in the meantime. Take care. Goodbye.`;
  d.live.closeWith(call.id, { say: [closing] });
  await d.saveTurn?.(call.id, 'ai', closing, `closing:${call.id}`);
  return {
    ok: true,
    message:
      'Collection is paused and a person will review the account. Say, kindly and in one or two sentences, that you are sorry to hear it, that nothing more will be asked today, and that details of free debt advice follow. Then call end_call.',
    endCall: true,
    data: { cancelled_contacts: cancelledContacts, signposted: true },
  };
}

/**
 * The debtor asks for a person: a warm transfer (<Dial> to the tenant's number, our caller id shown) by a call update
 * once the agent's words have played; no number configured, a call-back request through the core.
 */
export async function transferToAgent(d: SafeguardDeps, call: CallModel, args: { reason?: string }): Promise<SafeguardResult> {
  const tenant = await d.db.tenant.findUniqueOrThrow({ where: { id: call.tenantId }, select: { transferPhone: true } });
  const number = tenant.transferPhone ?? d.transferNumber;
  if (!number) {
    if (call.invoiceId)
      await recordCallbackRequest(d.core, {
        tenantId: call.tenantId,
        invoiceId: call.invoiceId,
        at: new Date(d.now().getTime() + 86_400_000),
        reason: `asked for a person${args.reason ? `: ${args.reason}` : ''}`,
        source: 'call',
        actor: ACTOR,
      });
    return {
      ok: true,
      message:
        'Nobody can take the call right now: a call back from a member of the team is arranged. Tell them so, then say goodbye and call end_call.',
      data: { transferred: false, callback: true },
    };
  }
  await d.db.call.update({ where: { id: call.id }, data: { transferredAt: d.now() } });
  d.live.closeWith(call.id, {
    say: ['Putting you through to a member of the team now.'],
    dial: { number, callerId: d.callerId, action: d.transferActionUrl(call.id) },
  });
  return {
    ok: true,
    message: 'Say, in one short sentence, that you are putting them through now.',
    endCall: true,
    data: { transferred: true },
  };
}
