import { z } from 'zod';

export const PlaceAiCallJob = z.object({
  tenant_id: z.uuid(),
  client_id: z.uuid(),
  invoice_id: z.uuid(),
  requested_by: z.string().min(1),
  /** Offer a payment link by SMS during the call (voice-agent's send_payment_link tool). */
  enable_payment_during_call: z.boolean().optional(),
});
export type PlaceAiCallJob = z.infer<typeof PlaceAiCallJob>;

export const PlaceIvrCallJob = PlaceAiCallJob;
export type PlaceIvrCallJob = z.infer<typeof PlaceIvrCallJob>;
