/**
 * The identity check of a call the debtor placed, made by our code against the record (never by a model): the caller
 * must give something only the debtor knows before anything about the debt is said (CONC 7.9.7R). Pure functions, so
 * the voice agent's verify_identity step (the voice-trust issue) can share them.
 */

/** Characters of a reference as a caller can give them: letters and digits, lower case. */
export function referenceCharacters(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** What the caller gave: speech (Twilio's SpeechResult) or keys (Digits, without the #). */
export interface InboundAnswer {
  speech: string;
  digits: string;
}

export type IdentityMethod = 'reference_last4' | 'postcode';

/** The postcode in a client's free-form address JSON (`{ lines, postcode }` or `{ line1, ..., postcode }`), if any. */
export function postcodeOf(address: unknown): string | null {
  if (!address || typeof address !== 'object') return null;
  const a = address as Record<string, unknown>;
  const value = a.postcode ?? a.postal_code ?? a.postalCode;
  return typeof value === 'string' && value.trim() ? value : null;
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

/** What a caller said, as letters and digits, number words read as digits: "S W one A, 2 A A" -> "sw1a2aa". */
export function spokenCharacters(text: string): string {
  const words = text.toLowerCase().split(/[\s,.-]+/);
  return referenceCharacters(words.map((w) => NUMBER_WORDS[w] ?? w).join(''));
}

/**
 * Whether the answer confirms the record: the postcode on file (spaces and case aside), or the last four characters of
 * the invoice reference (the whole reference is accepted too). Keys are compared as keyed; a reference whose last four
 * include letters can only be confirmed by speech.
 */
export function identityAnswerMatches(
  method: IdentityMethod,
  record: { reference: string; address: unknown },
  answer: InboundAnswer,
): boolean {
  if (!answer.speech && !answer.digits) return false;
  if (method === 'postcode') {
    const expected = postcodeOf(record.address);
    const said = spokenCharacters(answer.speech || answer.digits);
    return !!expected && said.length > 0 && said === referenceCharacters(expected);
  }
  const reference = referenceCharacters(record.reference);
  const last4 = reference.slice(-4);
  if (last4.length < 4) return false;
  const given = answer.digits ? answer.digits : spokenCharacters(answer.speech);
  return given === last4 || given === reference;
}
