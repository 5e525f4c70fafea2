import type { Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { PaymentEvent } from '@recoup/providers/payments';
import {
  applyCheckoutPayment,
  applyPayment,
  chargebackPayment,
  checkoutAllocations,
  CollectionsError,
  refundPayment,
  type CollectionsDeps,
} from '@recoup/collections';

export interface HandledEvent {
  event_id: string;
  type: string;
  /** processed | needs_review (another currency: recorded, no balance moved) | duplicate | ignored */
  result: string;
  invoice_id?: string;
  invoice_status?: string;
  /** A pay-all payment: each invoice's share and what it did. */
  invoices?: Array<{ invoice_id: string; amount_pence: number; result: string; status: string }>;
}

/**
 * Applies verified Stripe events. Each event id is processed once: the webhook_events row
 * (unique provider + event id) survives Redis loss; the Payment's unique external id stops
 * checkout.session.completed and payment_intent.succeeded for the same payment counting twice.
 */
export class PaymentEventsService {
  constructor(private readonly deps: { db: Database; collections: CollectionsDeps; logger: Logger }) {}

  async handle(event: PaymentEvent, payload: unknown): Promise<HandledEvent> {
    const { db } = this.deps;
    const base = { event_id: event.eventId, type: event.eventType };
    let row = await db.webhookEvent.findUnique({ where: { provider_eventId: { provider: 'stripe', eventId: event.eventId } } });
    if (row && row.status !== 'received') return { ...base, result: 'duplicate' };
    if (!row) {
      try {
        row = await db.webhookEvent.create({
          data: { provider: 'stripe', eventId: event.eventId, eventType: event.eventType, payload: payload as object },
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002') return { ...base, result: 'duplicate' };
        throw err;
      }
    }
    const result = await this.apply(event);
    await db.webhookEvent.update({
      where: { id: row.id },
      data: { status: result.result === 'ignored' ? 'ignored' : 'processed', processedAt: new Date() },
    });
    return { ...base, ...result };
  }

  private async apply(event: PaymentEvent): Promise<Omit<HandledEvent, 'event_id' | 'type'>> {
    const { db, collections, logger } = this.deps;
    switch (event.kind) {
      case 'ignored':
        return { result: 'ignored' };
      case 'payment_succeeded': {
        const payAll = event.checkoutSessionId ? await db.paymentLink.findUnique({ where: { externalId: event.checkoutSessionId } }) : null;
        if (payAll && checkoutAllocations(payAll.allocations)) {
          // The debtor portal's pay-all link: each invoice gets its share, in one transaction of the core.
          const r = await applyCheckoutPayment(collections, {
            tenantId: payAll.tenantId,
            checkoutExternalId: payAll.externalId,
            paymentRef: event.paymentRef,
            amountPence: event.amountPence,
            currency: event.currency,
            method: 'stripe',
            receivedAt: event.occurredAt,
            actor: 'stripe',
          });
          return {
            result: r.outcome === 'applied' ? 'processed' : r.outcome,
            invoice_id: r.invoices[0]?.invoiceId,
            invoice_status: r.invoices[0]?.status,
            invoices: r.invoices.map((i) => ({
              invoice_id: i.invoiceId,
              amount_pence: i.amountPence,
              result: i.outcome,
              status: i.status,
            })),
          };
        }
        let { invoiceId, tenantId, installmentId } = event.metadata;
        if ((!invoiceId || !tenantId) && event.checkoutSessionId) {
          const link = await db.paymentLink.findUnique({ where: { externalId: event.checkoutSessionId } });
          invoiceId = link?.invoiceId;
          tenantId = link?.tenantId;
          installmentId = installmentId ?? link?.installmentId ?? undefined;
        }
        if (!invoiceId || !tenantId || !/^[0-9a-f-]{36}$/i.test(invoiceId) || !/^[0-9a-f-]{36}$/i.test(tenantId)) {
          logger.warn({ eventId: event.eventId }, 'Stripe payment without our invoice metadata: ignored');
          return { result: 'ignored' };
        }
        const uuid = /^[0-9a-f-]{36}$/i;
        let recorded;
        try {
          // Applied at the event's own amount and currency; an instalment or link is settled only if this covers it.
          recorded = await applyPayment(collections, {
            tenantId,
            invoiceId,
            installmentId: installmentId && uuid.test(installmentId) ? installmentId : null,
            amountPence: event.amountPence,
            currency: event.currency,
            method: 'stripe',
            externalId: event.paymentRef,
            paymentLinkExternalId: event.checkoutSessionId ?? null,
            receivedAt: event.occurredAt,
            actor: 'stripe',
            unknownInstallment: 'ignore',
          });
        } catch (err) {
          if (err instanceof CollectionsError && err.code === 'not_found') return { result: 'ignored' };
          throw err;
        }
        if (recorded.outcome === 'duplicate') return { result: 'duplicate', invoice_id: recorded.payment.invoiceId };
        return {
          result: recorded.outcome === 'needs_review' ? 'needs_review' : 'processed',
          invoice_id: recorded.invoice.id,
          invoice_status: recorded.invoice.status,
        };
      }
      case 'refunded': {
        const r = await refundPayment(collections, {
          externalId: event.paymentRef,
          refundedPenceTotal: event.refundedPence,
          tenantId: event.metadata.tenantId,
          actor: 'stripe',
        });
        return r.outcome === 'applied'
          ? { result: 'processed', invoice_id: r.invoice.id, invoice_status: r.invoice.status }
          : { result: 'ignored' };
      }
      case 'disputed': {
        const r = await chargebackPayment(collections, {
          externalId: event.paymentRef,
          amountPence: event.amountPence,
          tenantId: event.metadata.tenantId,
          actor: 'stripe',
        });
        return r.outcome === 'applied'
          ? { result: 'processed', invoice_id: r.invoice.id, invoice_status: r.invoice.status }
          : { result: 'ignored' };
      }
    }
  }
}
