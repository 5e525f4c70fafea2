import { z } from 'zod';

export const Uuid = z.uuid();
/** An amount in major units as the product's examples give it (500.00), at most two decimals. */
export const MajorAmount = z
  .number()
  .positive()
  .max(21_474_836.47)
  .refine((n) => Math.abs(Math.round(n * 100) - n * 100) < 1e-6, 'at most two decimal places');
export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/)
  .default('GBP');
export const IsoDate = z.iso.date();
export const Channel = z.enum(['email', 'sms', 'ai_call', 'ivr_call', 'letter']);
export type Channel = z.infer<typeof Channel>;
/** Why the platform contacts someone; the compliance engine attaches its rules to each (libs/compliance). */
export const ContactPurpose = z.enum([
  'reminder',
  'final_notice',
  'payment_link',
  'payment_plan',
  'payment_plan_confirmation',
  'promise_to_pay_confirmation',
  'receipt',
  'dispute_acknowledgement',
  'breathing_space_acknowledgement',
  'statutory_notice',
]);
export type ContactPurpose = z.infer<typeof ContactPurpose>;
/**
 * The shape of a phone number (E.164), the only part of the phone rule contracts can hold (zod only, browser-safe).
 * Whether the number exists in its country's numbering plan is libs/compliance `checkPhoneNumber`, which the API,
 * the dialler and the IVR all apply on top of this; +447700900123 is in Ofcom's drama range, which that rule accepts.
 */
export const E164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number such as +447700900123');

/** Major units (500.00) to integer pence (50000), without floating-point drift. */
export function toPence(major: number): number {
  return Math.round(major * 100);
}
export function toMajor(pence: number): number {
  return pence / 100;
}
