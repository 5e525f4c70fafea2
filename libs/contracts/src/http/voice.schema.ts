import { z } from 'zod';
import { E164, Uuid } from './common.schema';

export const InitiateCallRequest = z
  .object({
    tenant_id: Uuid,
    invoice_id: Uuid,
    client_id: Uuid,
    to: E164,
  })
  .meta({ id: 'InitiateCallRequest' });
export type InitiateCallRequest = z.infer<typeof InitiateCallRequest>;
