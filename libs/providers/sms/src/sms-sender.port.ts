/** A text message to send, in our terms. */
export interface OutboundSms {
  /** Our send key (the BullMQ job id): sending the same key twice delivers once. */
  idempotencyKey: string;
  /** E.164. */
  to: string;
  body: string;
  /** Where the provider reports delivery status (signed callback URL), if any. */
  statusCallbackUrl?: string;
}

export interface SentSms {
  provider: string;
  providerMessageId: string;
  /** Estimated cost in pence (the provider prices a message later). */
  costPence: number;
  replayed: boolean;
}

export interface SmsSender {
  readonly provider: string;
  send(sms: OutboundSms): Promise<SentSms>;
  /**
   * The message already accepted for this send since `since`, if the provider can be asked (null:
   * none). Used when a worker died between the provider accepting a send and our row recording it.
   */
  findSent?(sms: OutboundSms, since: Date): Promise<SentSms | null>;
}

/** A UK SMS segment costs about 4p on Twilio; multi-part messages are billed per segment. */
export const SMS_SEGMENT_COST_PENCE = 4;

/** Segments of a GSM-7 (160/153) or UCS-2 (70/67) message, enough for a cost estimate. */
export function estimateSegments(body: string): number {
  const gsm = /^[\x20-\x7E\n\r£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà€^{}\\[~\]|]*$/.test(body);
  const single = gsm ? 160 : 70;
  const multi = gsm ? 153 : 67;
  return body.length <= single ? 1 : Math.ceil(body.length / multi);
}
