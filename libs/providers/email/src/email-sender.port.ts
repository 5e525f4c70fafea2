/** An email to send, in our terms. No vendor type crosses this port. */
export interface OutboundEmail {
  /** Our send key (the BullMQ job id): sending the same key twice delivers once. */
  idempotencyKey: string;
  to: string;
  toName?: string;
  subject: string;
  html: string;
  text: string;
  /** Carried through the provider and back on its event webhook (our message and contact attempt ids). */
  customArgs: Record<string, string>;
  categories?: string[];
}

export interface SentEmail {
  provider: string;
  providerMessageId: string;
  costPence: number;
  /** True when this key had already been sent: nothing new went out. */
  replayed: boolean;
}

export interface EmailSender {
  readonly provider: string;
  send(email: OutboundEmail): Promise<SentEmail>;
  /**
   * The message already accepted for this key, if the provider can be asked (null: none). Used when
   * a worker died between the provider accepting a send and our row recording it.
   */
  findSent?(idempotencyKey: string): Promise<SentEmail | null>;
}
