/**
 * Identity before disclosure (CONC 7.9.7R, 7.6): a caller must give something only the debtor knows before anything
 * about the debt is said. The answer is checked here, by our code against the record, never by a model: the voice
 * agent's verify_identity tool, the IVR's outbound and inbound calls all use these functions.
 */

/** What a tenant asks for (tenants.identity_check). */
export type IdentityMethod = 'postcode' | 'date_of_birth' | 'invoice_reference';
export const IDENTITY_METHODS: readonly IdentityMethod[] = ['postcode', 'date_of_birth', 'invoice_reference'];

/** Answers a caller may give on one call before it ends politely (a guess-proof bound, not a usability one). */
export const MAX_IDENTITY_ATTEMPTS = 2;

/** What the record holds to check an answer against. */
export interface IdentityRecord {
  postcode?: string | null;
  /** The free-form address JSON, whose `postcode` is used when the column is empty. */
  address?: unknown;
  dateOfBirth?: Date | null;
  invoiceReference: string;
}

/** What the caller gave: speech (a transcript) and/or keypad digits. */
export interface IdentityAnswer {
  speech?: string;
  digits?: string;
}

/** Letters and digits of a text, lower case: "SW1A 1AA" -> "sw1a1aa". */
export function referenceCharacters(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const NUMBER_WORDS: Record<string, string> = {
  zero: '0',
  oh: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
};

/** Words around an answer ("yes, my postcode is ...", "it ends in ..."), not part of it. */
const FILLER = new Set(
  "yes yeah yep ok okay sure right so well um erm er uh my it its it's is the a that this our postcode post code reference ref invoice number last four characters digits are ends end ending with in of date birth born on i am i'm was please thanks thank you".split(
    ' ',
  ),
);

/** What a caller said, as letters and digits, number words read as digits: "S W one A, 2 A A" -> "sw1a2aa". */
export function spokenCharacters(text: string): string {
  const words = text.toLowerCase().split(/[\s,.-]+/);
  return referenceCharacters(words.map((w) => NUMBER_WORDS[w] ?? w).join(''));
}

/** The answer without the words around it: "Yes, my postcode is SW1A 1AA." -> "sw1a1aa". */
export function answerCharacters(text: string): string {
  const words = text
    .toLowerCase()
    .replace(/[!?.,;:]/g, ' ')
    .split(/[\s-]+/)
    .filter((w) => w && !FILLER.has(w));
  return referenceCharacters(words.map((w) => NUMBER_WORDS[w] ?? w).join(''));
}

/** The postcode on file: the column, else `postcode` in the address JSON (`{ lines, postcode }`). */
export function postcodeOf(record: Pick<IdentityRecord, 'postcode' | 'address'>): string | null {
  if (record.postcode?.trim()) return record.postcode;
  const a = record.address;
  if (!a || typeof a !== 'object') return null;
  const o = a as Record<string, unknown>;
  const value = o.postcode ?? o.postal_code ?? o.postalCode;
  return typeof value === 'string' && value.trim() ? value : null;
}

/**
 * The method used on a call: the tenant's, unless the record lacks that datum (no postcode, no date of birth on file),
 * then the invoice reference, which every call has.
 */
export function identityMethodFor(tenantMethod: string | null | undefined, record: IdentityRecord): IdentityMethod {
  const wanted = (IDENTITY_METHODS as readonly string[]).includes(tenantMethod ?? '') ? (tenantMethod as IdentityMethod) : 'postcode';
  if (wanted === 'postcode' && !postcodeOf(record)) return 'invoice_reference';
  if (wanted === 'date_of_birth' && !record.dateOfBirth) return 'invoice_reference';
  return wanted;
}

/** How the agent asks for it (no debt detail: the reference is asked for, never read out). */
export function identityQuestion(method: IdentityMethod): string {
  switch (method) {
    case 'postcode':
      return 'Before I go on, could you confirm the postcode we hold for you?';
    case 'date_of_birth':
      return 'Before I go on, could you confirm your date of birth? You can also key it in as eight digits, day, month and year.';
    case 'invoice_reference':
      return 'Before I go on, could you confirm the last four characters of the reference on the letter or invoice we sent you?';
  }
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** A date of birth as said or keyed ("5 March 1980", "05/03/1980", "1980-03-05", keys 05031980) -> "1980-03-05", else null. */
export function parseSpokenDate(text: string): string | null {
  const t = text.toLowerCase().replace(/(\d)(st|nd|rd|th)\b/g, '$1');
  const pad = (n: number) => String(n).padStart(2, '0');
  const valid = (y: number, m: number, d: number) => {
    const dt = new Date(Date.UTC(y, m - 1, d));
    return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d ? `${y}-${pad(m)}-${pad(d)}` : null;
  };
  let m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(t);
  if (m) return valid(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^\s*(\d{2})(\d{2})(\d{4})\s*$/.exec(t);
  if (m) return valid(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /(\d{1,2})[\s/.-]+(\d{1,2})[\s/.-]+(\d{4})/.exec(t);
  if (m) return valid(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /(\d{1,2})\s+(?:of\s+)?([a-z]+)\s*,?\s+(\d{4})/.exec(t);
  if (m) {
    const month = MONTHS.indexOf((m[2] ?? '').slice(0, 3)) + 1;
    return month > 0 ? valid(Number(m[3]), month, Number(m[1])) : null;
  }
  return null;
}

/**
 * Whether the answer confirms the record: the postcode on file (spaces and case aside), the date of birth (any common
 * spoken or keyed form), or the last four characters of the invoice reference (the whole reference too).
 */
export function identityAnswerMatches(method: IdentityMethod, record: IdentityRecord, answer: IdentityAnswer): boolean {
  const speech = (answer.speech ?? '').trim();
  const digits = (answer.digits ?? '').replace(/[^0-9]/g, '');
  if (!speech && !digits) return false;
  switch (method) {
    case 'postcode': {
      const expected = postcodeOf(record);
      if (!expected) return false;
      const want = referenceCharacters(expected);
      return [spokenCharacters(speech || digits), answerCharacters(speech || digits)].some((said) => said.length > 0 && said === want);
    }
    case 'date_of_birth': {
      if (!record.dateOfBirth) return false;
      const given = parseSpokenDate(digits || speech);
      return given !== null && given === record.dateOfBirth.toISOString().slice(0, 10);
    }
    case 'invoice_reference': {
      const reference = referenceCharacters(record.invoiceReference);
      const last4 = reference.slice(-4);
      if (last4.length < 4) return false;
      const given = digits ? [digits] : [spokenCharacters(speech), answerCharacters(speech)];
      return given.some((g) => g === last4 || g === reference);
    }
  }
}
