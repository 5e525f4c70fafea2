import { E164 } from '@recoup/contracts';
import { parsePhoneNumberFromString, type CountryCallingCode } from 'libphonenumber-js';

/**
 * The one phone-number rule of the platform: the API's client schema, the compliance engine's dial check and the
 * IVR's caller-ID match all call `checkPhoneNumber`. libs/contracts keeps only the E.164 shape (`E164`): contracts
 * may depend on nothing but zod (it is browser-safe and its tag says so), and the numbering plans behind "valid" are
 * libphonenumber-js's metadata, so the full rule lives here, where the dial decision is made.
 *
 * Ofcom's drama ranges (07700 900000-900999, 020 7946 0000-0999, 01632 960000-960999) are reserved for fiction:
 * valid in format, never allocated to a subscriber, so a call or SMS to one cannot reach a real person.
 * libphonenumber marks them invalid; we accept them everywhere (flagged `fictional`). They are what the docs, the
 * tests, the seed and the sandbox use, and a second rule "valid in sandbox, invalid in production" is exactly the
 * two-rules drift this function removes; in production the provider simply fails such a call.
 */

/** Country calling code per compliance profile (jurisdiction). */
export const CALLING_CODES = { uk: '44', us: '1' } as const;

const COUNTRY_NAMES: Record<string, string> = { '44': 'UK', '1': 'US' };

/** Ofcom's drama ranges, as E.164 prefixes followed by the digits left (Ofcom: "TV and radio drama" numbers). */
const DRAMA_RANGES: readonly RegExp[] = [/^\+447700900\d{3}$/, /^\+4420794600\d{2}$/, /^\+441632960\d{3}$/];

export type PhoneNumberCheck =
  | { valid: true; e164: string; fictional: boolean }
  | { valid: false; /** One sentence naming what is wrong, for the 4xx and the audit. */ reason: string };

export interface PhoneNumberRule {
  /** The country the number must belong to: '44' (default) or '1'. */
  callingCode?: string;
  /**
   * Accept a national or spaced form ("07400 123456") and return its E.164 form. Off for stored numbers: a number
   * that needs reformatting was never verified as dialable, so the API and the dialler take E.164 only.
   */
  normalise?: boolean;
}

export function isDramaNumber(e164: string): boolean {
  return DRAMA_RANGES.some((r) => r.test(e164));
}

/** Whether `value` is a dialable number of the country (mobile, landline or any other valid range), with the reason if not. */
export function checkPhoneNumber(value: string, rule: PhoneNumberRule = {}): PhoneNumberCheck {
  const callingCode = rule.callingCode ?? CALLING_CODES.uk;
  const country = COUNTRY_NAMES[callingCode] ?? `+${callingCode}`;
  const invalid = (why: string): PhoneNumberCheck => ({ valid: false, reason: why });
  const trimmed = value.trim();
  let candidate = trimmed;
  if (rule.normalise) {
    const parsed = parsePhoneNumberFromString(trimmed, { defaultCallingCode: callingCode as CountryCallingCode });
    if (parsed) candidate = parsed.number;
  }
  if (!E164.safeParse(candidate).success) return invalid(`not an E.164 number (a + then the country code and number, e.g. +447400123456)`);
  if (isDramaNumber(candidate))
    return callingCode === CALLING_CODES.uk ? { valid: true, e164: candidate, fictional: true } : invalid(`not a ${country} number`);
  const parsed = parsePhoneNumberFromString(candidate);
  if (!parsed || parsed.countryCallingCode !== callingCode) return invalid(`not a ${country} number (expected +${callingCode})`);
  if (!parsed.isValid()) return invalid(`not a valid ${country} mobile or landline number`);
  if (!rule.normalise && parsed.number !== candidate) return invalid(`not in E.164 form (expected ${parsed.number})`);
  return { valid: true, e164: parsed.number, fictional: false };
}

/** The E.164 form of a caller ID as Twilio or a person gave it, or null when it is no valid number of the country. */
export function normalisePhoneNumber(value: string, callingCode: string = CALLING_CODES.uk): string | null {
  const check = checkPhoneNumber(value, { callingCode, normalise: true });
  return check.valid ? check.e164 : null;
}

/** The rule as a zod schema for server-side bodies: E.164 shape (libs/contracts) plus the numbering plan, the reason as the issue. */
export function phoneNumberSchema(callingCode: string = CALLING_CODES.uk) {
  return E164.superRefine((value, ctx) => {
    const check = checkPhoneNumber(value, { callingCode });
    if (!check.valid) ctx.addIssue({ code: 'custom', message: check.reason });
  });
}

/** A UK phone number (the default profile), refined by the numbering plan. */
export const PhoneNumber = phoneNumberSchema(CALLING_CODES.uk);
