import { PredictResponse, type EscalationAction, type PaymentBand, type PredictRequest, type StrategyResponse } from '@recoup/contracts';
import { contactForBand, daysOverdue, isCollectable, paymentBand, type ContactReach, type NextContact } from '@recoup/collections';
import type { ComplianceService } from '@recoup/compliance';
import type { ClientModel, Database, InvoiceModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { TenantRecord } from '../http/tenant-context';
import { contactPurpose } from './escalation.service';

export interface StrategyOptions {
  db: Database;
  compliance: ComplianceService;
  predictionUrl: string;
  /** Sent as `Authorization: Bearer`: prediction refuses callers without it (or a key). */
  internalToken: string | undefined;
  timeoutMs: number;
  logger: Logger;
}

export interface Prediction {
  probability: number;
  band: PaymentBand;
  source: 'model' | 'fallback';
  modelVersion: string | null;
}

/**
 * Rules-based estimate used when the prediction service is down or slow: payment likelihood
 * falls with days overdue (a common collections rule of thumb), lower again for a disputed
 * debt and after part payments stall; a card on file helps.
 */
export function fallbackProbability(features: PredictRequest): number {
  const d = features.days_overdue;
  let p = d <= 0 ? 0.9 : d <= 15 ? 0.8 : d <= 30 ? 0.65 : d <= 60 ? 0.45 : d <= 90 ? 0.3 : 0.15;
  if (features.invoice_disputed) p -= 0.15;
  if (features.payment_method_on_file) p += 0.05;
  p -= Math.min(features.previous_late_payments ?? 0, 5) * 0.02;
  return Math.round(Math.min(Math.max(p, 0.01), 0.99) * 1000) / 1000;
}

export interface Recommendation {
  action: string;
  channel: EscalationAction | null;
  stage: NextContact['stage'] | null;
}

/** What can reach this debtor: their details, and what the tenant's tier includes. */
export function contactReach(client: Pick<ClientModel, 'phone' | 'email'>, tenant: Pick<TenantRecord, 'limits'>): ContactReach {
  return {
    email: Boolean(client.email),
    phone: Boolean(client.phone),
    smsInTier: (tenant.limits.monthly.sms ?? 0) > 0,
    aiCallsInTier: (tenant.limits.monthly.ai_calls ?? 0) > 0,
  };
}

const ACTION_OF_LEVEL: Record<number, string> = {
  1: 'send_gentle_reminder',
  2: 'send_escalation_reminder',
  3: 'send_final_notice',
  4: 'place_ai_call',
};

/** What to do next for a band: the collection ladder's contact for it (`contactForBand`), named for the API. */
export function recommend(
  band: PaymentBand,
  invoice: Pick<InvoiceModel, 'status'>,
  client: Pick<ClientModel, 'phone' | 'email'>,
  tenant: Pick<TenantRecord, 'limits'>,
): Recommendation {
  if (!isCollectable(invoice.status)) return { action: 'none', channel: null, stage: null };
  const next = contactForBand(band, contactReach(client, tenant));
  const action = band === 'consider_write_off' ? 'send_final_notice_then_review_write_off' : (ACTION_OF_LEVEL[next.level] ?? 'none');
  return { action, channel: next.channel, stage: next.stage };
}

export class StrategyService {
  constructor(private readonly options: StrategyOptions) {}

  async features(invoice: InvoiceModel, client: ClientModel): Promise<PredictRequest> {
    const [paid, partials] = await Promise.all([
      this.options.db.invoice.findMany({
        where: { tenantId: invoice.tenantId, clientId: client.id, status: 'paid', id: { not: invoice.id } },
        select: { dueDate: true, payments: { select: { receivedAt: true }, orderBy: { receivedAt: 'desc' }, take: 1 } },
        take: 200,
      }),
      this.options.db.payment.count({ where: { invoiceId: invoice.id } }),
    ]);
    const lateness = paid.map((p) =>
      Math.max(0, Math.round(((p.payments[0]?.receivedAt.getTime() ?? p.dueDate.getTime()) - p.dueDate.getTime()) / 86_400_000)),
    );
    return {
      invoice_amount: Math.max(invoice.amountPence - invoice.paidPence, 0) / 100,
      days_overdue: daysOverdue(invoice.dueDate),
      previous_late_payments: lateness.filter((d) => d > 0).length,
      client_age_days: Math.max(0, Math.round((Date.now() - client.createdAt.getTime()) / 86_400_000)),
      ...(client.industryCode ? { industry_code: client.industryCode } : {}),
      collection_stage: Math.min(invoice.collectionStage, 10),
      previous_disputes: client.disputeOpenedAt ? 1 : 0,
      payment_method_on_file: client.paymentMethodOnFile,
      partial_payments: partials,
      previous_paid_invoices: paid.length,
      average_days_late: lateness.length ? lateness.reduce((a, b) => a + b, 0) / lateness.length : 0,
      invoice_disputed: invoice.status === 'disputed',
    };
  }

  /** Asks the prediction service; on timeout, error or a malformed answer, the rules-based estimate. */
  async predict(features: PredictRequest): Promise<Prediction> {
    try {
      const res = await fetch(`${this.options.predictionUrl.replace(/\/$/, '')}/predict`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.options.internalToken ? { authorization: `Bearer ${this.options.internalToken}` } : {}),
        },
        body: JSON.stringify(features),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (!res.ok) throw new Error(`prediction answered ${res.status}`);
      const parsed = PredictResponse.parse(await res.json());
      return { probability: parsed.probability, band: parsed.band, source: 'model', modelVersion: parsed.model_version };
    } catch (err) {
      this.options.logger.warn({ err: { message: (err as Error).message } }, 'prediction unavailable; using the rules-based fallback');
      const probability = fallbackProbability(features);
      return { probability, band: paymentBand(probability), source: 'fallback', modelVersion: null };
    }
  }

  /** The prediction alone (the pipeline's input): no compliance evaluation, which the escalation itself makes. */
  async prediction(invoice: InvoiceModel, client: ClientModel): Promise<Prediction> {
    return this.predict(await this.features(invoice, client));
  }

  async strategy(
    invoice: InvoiceModel,
    client: ClientModel,
    tenant: TenantRecord,
    actor: string,
  ): Promise<StrategyResponse & { stage: Recommendation['stage'] }> {
    const features = await this.features(invoice, client);
    const prediction = await this.predict(features);
    const rec = recommend(prediction.band, invoice, client, tenant);
    let compliance: StrategyResponse['compliance'] = { allowed: false, reasons: [] };
    let earliest: string | null = null;
    if (rec.channel) {
      const decision = await this.options.compliance.evaluate({
        tenantId: tenant.id,
        clientId: client.id,
        invoiceId: invoice.id,
        channel: rec.channel,
        purpose: contactPurpose(rec.channel, rec.stage ?? 'gentle_reminder'),
        actor,
      });
      compliance = {
        allowed: decision.allowed,
        reasons: decision.reasons.filter((r) => r.severity === 'deny').map((r) => ({ code: r.code, message: r.message })),
      };
      earliest = decision.nextAllowedAt ? decision.nextAllowedAt.toISOString() : null;
    }
    return {
      invoice_id: invoice.id,
      probability: prediction.probability,
      band: prediction.band,
      recommended_action: rec.action,
      channel: rec.channel,
      earliest_compliant_time: earliest,
      compliance,
      source: prediction.source,
      model_version: prediction.modelVersion,
      days_overdue: features.days_overdue,
      stage: rec.stage,
    };
  }
}
