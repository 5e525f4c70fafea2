import type { ContactPurpose as ContractPurpose } from '@recoup/contracts';
import type { Channel } from './contact.types';

/**
 * Why the platform wants to contact someone. The attributes decide which rules apply: a contact
 * that demands payment is what a dispute (CONC 7.14) or a Breathing Space moratorium
 * (SI 2020/1311 reg 7) stops; a statutory notice still goes out after a stop request (CONC 7.9.9G).
 * The names are the `ContactPurpose` enum of @recoup/contracts (the job payloads use it); the
 * `satisfies` below makes a purpose added there without rules here a type error.
 */
export interface PurposeInfo {
  demandsPayment: boolean;
  statutory: boolean;
  /** The contact confirms what the debtor just agreed (so it may follow a conversation at once). */
  confirmsAgreement: boolean;
  /** Channels this purpose may use: calls are only ever collection calls. */
  channels: readonly Channel[];
}

const ALL: readonly Channel[] = ['email', 'sms', 'ai_call', 'ivr_call', 'letter'];
const WRITTEN: readonly Channel[] = ['email', 'sms', 'letter'];

export const CONTACT_PURPOSES = {
  reminder: { demandsPayment: true, statutory: false, confirmsAgreement: false, channels: ALL },
  final_notice: { demandsPayment: true, statutory: false, confirmsAgreement: false, channels: ['email', 'letter', 'sms'] },
  payment_link: { demandsPayment: true, statutory: false, confirmsAgreement: false, channels: ['email', 'sms'] },
  payment_plan: { demandsPayment: true, statutory: false, confirmsAgreement: false, channels: ALL },
  payment_plan_confirmation: { demandsPayment: true, statutory: false, confirmsAgreement: true, channels: WRITTEN },
  promise_to_pay_confirmation: { demandsPayment: true, statutory: false, confirmsAgreement: true, channels: ['sms', 'email'] },
  receipt: { demandsPayment: false, statutory: false, confirmsAgreement: false, channels: WRITTEN },
  dispute_acknowledgement: { demandsPayment: false, statutory: false, confirmsAgreement: false, channels: WRITTEN },
  breathing_space_acknowledgement: { demandsPayment: false, statutory: false, confirmsAgreement: false, channels: ['email', 'letter'] },
  statutory_notice: { demandsPayment: false, statutory: true, confirmsAgreement: false, channels: ['email', 'letter'] },
} as const satisfies Record<ContractPurpose, PurposeInfo>;

export type ContactPurpose = keyof typeof CONTACT_PURPOSES;
export const CONTACT_PURPOSE_NAMES = Object.keys(CONTACT_PURPOSES) as ContactPurpose[];

export function purposeInfo(purpose: ContactPurpose): PurposeInfo {
  if (!Object.hasOwn(CONTACT_PURPOSES, purpose)) throw new Error(`unknown contact purpose "${String(purpose)}"`);
  return CONTACT_PURPOSES[purpose];
}
