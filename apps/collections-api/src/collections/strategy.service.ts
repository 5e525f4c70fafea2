import { PredictResponse, type EscalationAction, type PaymentBand, type PredictRequest, type StrategyResponse } from '@recoup/contracts';
import type { ComplianceService } from '@recoup/compliance';
import type { ClientModel, Database, InvoiceModel } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { TenantRecord } from '../http/tenant-context';
import { COLLECTABLE, daysOverdue } from '../invoices/invoice.mapper';

export interface StrategyOptions {
  db: Database;
  compliance: ComplianceService;
  predictionUrl: string;
  timeoutMs: number;
  logger: Logger;
}

export interface Prediction {
  probability: number;
  band: PaymentBand;
  source: 'model' | 'fallback';
  modelVersion: string | null;
}

/** The product's bands (as the prediction service applies them): >70% gentle, 40-70% standard, 20-40% immediate, <20% write-off. */
export function bandOf(probability: number): PaymentBand {
  if (probability > 0.7) return 'gentle_reminder';
  if (probability >= 0.4) return 'standard_escalation';
  if (probability >= 0.2) return 'immediate_escalation';
  return 'consider_write_off';
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
  stage: 'gentle_reminder' | 'standard_escalation' | 'final_notice' | null;
}

/** What to do next for a band, given what the tier and the debtor's details allow. */
export function recommend(
  band: PaymentBand,
  invoice: Pick<InvoiceModel, 'status'>,
  client: Pick<ClientModel, 'phone' | 'email'>,
  tenant: TenantRecord,
): Recommendation {
  if (!COLLECTABLE.includes(invoice.status)) return { action: 'none', channel: null, stage: null };
  const aiCalls = (tenant.limits.monthly.ai_calls ?? 0) > 0 && Boolean(client.phone);
  const sms = (tenant.limits.monthly.sms ?? 0) > 0 && Boolean(client.phone);
  const written: EscalationAction = client.email ? 'email' : 'letter';
  switch (band) {
    case 'gentle_reminder':
      return { action: 'send_gentle_reminder', channel: written, stage: 'gentle_reminder' };
    case 'standard_escalation':
      return { action: 'send_escalation_reminder', channel: sms ? 'sms' : written, stage: 'standard_escalation' };
    case 'immediate_escalation':
      return aiCalls
        ? { action: 'place_ai_call', channel: 'ai_call', stage: 'standard_escalation' }
        : { action: 'send_final_notice', channel: written, stage: 'final_notice' };
    case 'consider_write_off':
      return { action: 'send_final_notice_then_review_write_off', channel: 'letter', stage: 'final_notice' };
  }
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
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(features),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      if (!res.ok) throw new Error(`prediction answered ${res.status}`);
      const parsed = PredictResponse.parse(await res.json());
      return { probability: parsed.probability, band: parsed.band, source: 'model', modelVersion: parsed.model_version };
    } catch (err) {
      this.options.logger.warn({ err: { message: (err as Error).message } }, 'prediction unavailable; using the rules-based fallback');
      const probability = fallbackProbability(features);
      return { probability, band: bandOf(probability), source: 'fallback', modelVersion: null };
    }
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
        purpose: rec.stage === 'final_notice' ? 'final_notice' : 'reminder',
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
