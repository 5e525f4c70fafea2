import type { PaymentLinkRequest, PaymentLinks } from './payment-links.port';

/** What every PaymentLinks adapter promises; run against the sandbox and the Stripe adapter on its fake. */
export function describePaymentLinksContract(name: string, make: () => PaymentLinks | Promise<PaymentLinks>): void {
  describe(`PaymentLinks contract: ${name}`, () => {
    let links: PaymentLinks;
    beforeAll(async () => {
      links = await make();
    });
    const req = (over: Partial<PaymentLinkRequest> = {}): PaymentLinkRequest => ({
      tenantId: '11111111-1111-4111-8111-111111111111',
      invoiceId: '22222222-2222-4222-8222-222222222222',
      amountPence: 2_500,
      currency: 'GBP',
      description: 'Invoice INV-9 from Acme Ltd',
      idempotencyKey: `contract-${Math.random()}`,
      ...over,
    });

    it('returns its provider name, an external id and an absolute URL', async () => {
      const link = await links.create(req());
      expect(link.provider).toBe(links.provider);
      expect(link.externalId).toMatch(/^cs_/);
      expect(() => new URL(link.url)).not.toThrow();
    });

    it('gives the same link for the same idempotency key and a new one for a new key', async () => {
      const key = `same-${Math.random()}`;
      const a = await links.create(req({ idempotencyKey: key }));
      const b = await links.create(req({ idempotencyKey: key }));
      const c = await links.create(req());
      expect(b).toEqual(a);
      expect(c.externalId).not.toBe(a.externalId);
    });

    it('answers its health probe', async () => {
      await expect(links.ping()).resolves.toMatch(/^(up|sandbox)$/);
    });
  });
}
