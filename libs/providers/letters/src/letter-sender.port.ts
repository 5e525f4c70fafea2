/** A UK postal address: up to six lines above the postcode (Royal Mail's addressing guidance). */
export interface PostalAddress {
  lines: string[];
  postcode: string;
  country?: string;
}

/** What the letter says, laid out by renderLetterPdf. Plain data, no template or vendor types. */
export interface LetterContent {
  date: string;
  sender: { name: string; addressLines: string[]; phone?: string; email?: string };
  subject: string;
  greeting: string;
  paragraphs: string[];
  facts: Array<[string, string]>;
  action?: { label: string; url: string };
  notices: string[];
  signOff: string[];
}

export interface OutboundLetter {
  /** Our send key (the BullMQ job id): posting the same key twice posts once. */
  idempotencyKey: string;
  recipientName: string;
  address: PostalAddress;
  content: LetterContent;
}

export interface PostedLetter {
  provider: string;
  providerMessageId: string;
  costPence: number;
  pages: number;
  replayed: boolean;
}

/** The letter provider: takes a rendered PDF for printing and posting. */
export interface LetterSender {
  readonly provider: string;
  send(letter: OutboundLetter): Promise<PostedLetter>;
}

/** Second-class print and post of a single A4 sheet, typical hybrid-mail pricing. */
export const LETTER_COST_PENCE = 95;
