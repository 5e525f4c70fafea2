import { renderLetterPdf } from './letter-pdf.renderer';
import { LetterDeliveryError } from './letter-delivery';
import type { LetterSender, OutboundLetter, PostedLetter } from './letter-sender.port';

/** Stannp's UK/EU API region (UK data stays in the EU region: https://www.stannp.com/uk/direct-mail-api). */
export const STANNP_EU_API = 'https://api-eu1.stannp.com/v1';

export interface StannpOptions {
  apiKey: string;
  /** STANNP_API_BASE_URL: the region's API origin (default eu1), or a loopback fake in tests. */
  baseUrl?: string;
  /** Stannp's test mode: the PDF is produced and priced but nothing is printed or charged. */
  test?: boolean;
  /** Stannp addon codes, e.g. FIRST_CLASS (first-class postage) or CONFIDENTIAL (confidential envelope). */
  addons?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

interface StannpReply {
  success?: boolean;
  error?: string;
  data?: { id?: string | number; cost?: string | number; status?: string; pdf?: string };
}

/**
 * Posts our rendered letter through Stannp (Bristol, UK: print-and-post priced per letter, no monthly minimum, Royal
 * Mail second or first class) with its documented REST API — Stannp publishes no Node SDK. The PDF already carries
 * the address in the DL window (letter-pdf.renderer), so it goes to `POST /letters/post` ("already mail merged") as a
 * multipart file; our send key is Stannp's `idempotency_key`, and Stannp answers a repeat with 409 and the original
 * letter, so a retried job posts one letter.
 */
export class StannpLetterSender implements LetterSender {
  readonly provider = 'stannp';
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly o: StannpOptions) {
    this.baseUrl = (o.baseUrl ?? STANNP_EU_API).replace(/\/+$/, '');
    this.fetch = o.fetch ?? fetch;
  }

  async send(letter: OutboundLetter): Promise<PostedLetter> {
    const { pdf, pages } = await renderLetterPdf(letter.recipientName, letter.address, letter.content);
    const form = new FormData();
    form.set('test', this.o.test ? 'true' : 'false');
    form.set('country', (letter.address.country ?? 'GB').toUpperCase());
    form.set('idempotency_key', letter.idempotencyKey);
    // Printed on one side: the letters are short, and a debtor's notice should not be missed on a reverse page.
    form.set('duplex', 'false');
    form.set('tags', 'recoup');
    if (this.o.addons) form.set('addons', this.o.addons);
    form.set('pdf', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), `${letter.idempotencyKey}.pdf`);
    const reply = await this.call('/letters/post', { method: 'POST', body: form });
    const id = reply.body.data?.id;
    if (id === undefined || id === null || String(id) === '')
      throw new LetterDeliveryError('Stannp answered without a letter id', 'transient');
    return {
      provider: this.provider,
      providerMessageId: String(id),
      costPence: poundsToPence(reply.body.data?.cost),
      pages,
      replayed: reply.status === 409,
    };
  }

  /** The letter's current status from Stannp (GET /letters/get/:id): what a webhook is checked against. */
  async status(providerMessageId: string): Promise<string> {
    const reply = await this.call(`/letters/get/${encodeURIComponent(providerMessageId)}`, { method: 'GET' });
    return String(reply.body.data?.status ?? 'unknown');
  }

  private async call(path: string, init: RequestInit): Promise<{ status: number; body: StannpReply }> {
    let res: Response;
    try {
      res = await this.fetch(`${this.baseUrl}${path}`, {
        ...init,
        // HTTP basic with the API key as the user name and no password, as Stannp documents.
        headers: { authorization: `Basic ${Buffer.from(`${this.o.apiKey}:`).toString('base64')}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new LetterDeliveryError(`Stannp unreachable: ${(err as Error).message}`, 'transient');
    }
    const text = await res.text();
    let body: StannpReply = {};
    try {
      body = JSON.parse(text) as StannpReply;
    } catch {
      body = {};
    }
    if (res.status === 409 && body.data) return { status: 409, body };
    if (res.ok && body.success !== false) return { status: res.status, body };
    const retryAfter = Number(res.headers.get('retry-after'));
    const kind = res.status === 429 || res.status === 408 || res.status >= 500 ? 'transient' : 'permanent';
    throw new LetterDeliveryError(`Stannp ${res.status}: ${body.error ?? (text.slice(0, 200) || 'no body')}`, kind, {
      status: res.status,
      retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    });
  }
}

/** "0.78" (pounds, as Stannp prices) → 78 pence, rounded to the penny. */
function poundsToPence(cost: string | number | undefined): number {
  const pounds = Number(cost);
  return Number.isFinite(pounds) ? Math.round(pounds * 100) : 0;
}
