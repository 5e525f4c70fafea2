import type { ClientModel } from '@recoup/db';

/** What an erased value reads as in a JSON document or a text column that cannot be null. */
export const ERASED = '[erased]';
/** The name an erased debtor keeps: the row stays for the retained ledger (UK GDPR Art. 17(3)(b), (e)). */
export const ERASED_DEBTOR_NAME = 'Erased debtor';

/**
 * JSON keys whose values are contact details or free text about a person (a recipient, a transcript, a reason given
 * on a call): erased whatever they hold. Ids, amounts, dates, statuses and rule codes stay — they are the fact of a
 * contact or the ledger, which the law keeps.
 */
const PERSONAL_KEY =
  /(e-?mail|phone|name|address|recipient|^to$|^from$|^to_|^from_|body|text|transcript|note|reason|message|url|postcode|line\d|city|customer|billing|shipping|adviser|caller|reply|utterance|speech|said)/i;
const EMAIL = /[^\s@]+@[^\s@]+\.[^\s@]+/;
/**
 * Seven or more digits, allowing spaces, dashes, dots and brackets between them (a phone number in any format), not
 * inside a word (a provider id such as `pi_3Nx1234567` is not a phone number).
 */
const PHONE = /(?<![\w+])\+?\d(?:[\s\-.()]*\d){6,}(?!\w)/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * The strings that identify one debtor: name, email, phone (and its digits), address lines, adviser and vulnerability
 * note. A scrubbed value must contain none of them (compared case-insensitively, phone digits ignoring formatting).
 */
export class DebtorIdentifiers {
  readonly strings: string[];
  readonly phoneDigits: string[];

  constructor(values: Array<string | null | undefined>, phones: Array<string | null | undefined>) {
    const strings = new Set<string>();
    for (const v of values) {
      const s = v?.trim().toLowerCase();
      if (s && s.length >= 3) strings.add(s);
    }
    this.strings = [...strings];
    this.phoneDigits = [...new Set(phones.map((p) => (p ?? '').replace(/\D/g, '')).filter((d) => d.length >= 7))];
  }

  static of(
    client: Pick<ClientModel, 'name' | 'email' | 'phone' | 'address' | 'debtAdviser' | 'vulnerabilityNote'>,
    extra: { names?: Array<string | null>; phones?: Array<string | null> } = {},
  ): DebtorIdentifiers {
    const phones = [client.phone, ...(extra.phones ?? [])];
    return new DebtorIdentifiers(
      [
        client.name,
        client.email,
        client.vulnerabilityNote,
        ...phones,
        ...(extra.names ?? []),
        ...jsonStrings(client.address),
        ...jsonStrings(client.debtAdviser),
      ],
      [...phones, ...jsonStrings(client.debtAdviser).filter((s) => PHONE.test(s))],
    );
  }

  /** True when the text contains any identifier of the debtor. */
  matches(text: string): boolean {
    const lower = text.toLowerCase();
    if (this.strings.some((s) => lower.includes(s))) return true;
    if (this.phoneDigits.length === 0) return false;
    const digits = text.replace(/\D/g, '');
    // A UK number may be written +44 7700… or 07700…: compare the national part (last 9 digits) as well.
    return this.phoneDigits.some((p) => digits.includes(p) || (p.length >= 9 && digits.includes(p.slice(-9))));
  }
}

/** Every string inside a JSON value (address lines, adviser fields). */
export function jsonStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(jsonStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(jsonStrings);
  return [];
}

/** A text value with the debtor's identifiers, or anything shaped like an email or a phone number, erased. */
export function scrubText(text: string, ids: DebtorIdentifiers): string {
  if (UUID.test(text) || ISO_INSTANT.test(text)) return text;
  return ids.matches(text) || EMAIL.test(text) || PHONE.test(text) ? ERASED : text;
}

export function scrubNullableText(text: string | null, ids: DebtorIdentifiers): string | null {
  return text === null ? null : scrubText(text, ids);
}

/**
 * A JSON document with its personal data erased: values under personal keys become null, any other string carrying an
 * identifier (or an email or phone number) becomes `[erased]`; numbers, booleans, ids and dates stay.
 */
export function scrubJson(value: unknown, ids: DebtorIdentifiers): unknown {
  if (typeof value === 'string') return scrubText(value, ids);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, ids));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, PERSONAL_KEY.test(k) ? null : scrubJson(v, ids)]));
  }
  return value;
}

/** Whether a JSON value would change when scrubbed (so only rows that hold personal data are rewritten and counted). */
export function holdsPersonalData(value: unknown, ids: DebtorIdentifiers): boolean {
  return value !== null && value !== undefined && JSON.stringify(scrubJson(value, ids)) !== JSON.stringify(value);
}
