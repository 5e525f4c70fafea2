/**
 * The identity check of a call the debtor placed, made by our code against the record (never by a model): the caller
 * must give something only the debtor knows before anything about the debt is said (CONC 7.9.7R). The comparison is
 * the collections core's (`identity/identity-check.ts`), shared with outbound IVR calls and the voice agent's
 * verify_identity; this file keeps the inbound flow's own terms.
 */
import {
  identityAnswerMatches as answerMatches,
  postcodeOf as postcodeOnFile,
  referenceCharacters,
  spokenCharacters,
} from '@recoup/collections';

export { referenceCharacters, spokenCharacters };

/** What the caller gave: speech (Twilio's SpeechResult) or keys (Digits, without the #). */
export interface InboundAnswer {
  speech: string;
  digits: string;
}

export type IdentityMethod = 'reference_last4' | 'postcode';

/** The postcode in a client's free-form address JSON (`{ lines, postcode }` or `{ line1, ..., postcode }`), if any. */
export function postcodeOf(address: unknown): string | null {
  return postcodeOnFile({ address });
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
  return answerMatches(
    method === 'postcode' ? 'postcode' : 'invoice_reference',
    { address: record.address, invoiceReference: record.reference },
    answer,
  );
}
