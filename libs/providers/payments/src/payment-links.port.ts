/** What a payment link is for: an invoice (or one instalment of its plan). Amounts in integer pence. */
export interface PaymentLinkRequest {
  tenantId: string;
  invoiceId: string;
  installmentId?: string | null;
  amountPence: number;
  /** ISO 4217, upper case (GBP). */
  currency: string;
  /** Shown to the payer, e.g. "Invoice INV-1001 from Acme Ltd". */
  description: string;
  customerEmail?: string | null;
  /** The same key returns the same link (Stripe's Idempotency-Key; the sandbox derives its id from it). */
  idempotencyKey: string;
  /**
   * A pay-all link (the debtor portal): one line per invoice, adding up to `amountPence`; `invoiceId` is then the first
   * of them. The payment is applied per invoice at these amounts (libs/collections applyCheckoutPayment).
   */
  lineItems?: PaymentLinkLine[];
}

export interface PaymentLinkLine {
  invoiceId: string;
  amountPence: number;
  /** Shown to the payer, e.g. "Invoice INV-1001". */
  description: string;
}

export interface CreatedPaymentLink {
  /** `stripe` or `sandbox`. */
  provider: string;
  /** The provider's id of the link (a Checkout Session id); payment events carry it back. */
  externalId: string;
  url: string;
}

/** The payments port: no vendor type crosses it. */
export interface PaymentLinks {
  readonly provider: string;
  create(request: PaymentLinkRequest): Promise<CreatedPaymentLink>;
  /** Health probe: the provider answers (or "sandbox"). */
  ping(): Promise<'up' | 'sandbox'>;
}

export class PaymentProviderError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'PaymentProviderError';
  }
}
