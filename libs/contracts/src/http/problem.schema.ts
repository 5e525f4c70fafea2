import { z } from 'zod';

/** RFC 9457 problem details, with `errors` naming each failing field. */
export const ProblemDetails = z
  .object({
    type: z.string().default('about:blank'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    request_id: z.string().optional(),
    errors: z
      .array(
        z.object({
          field: z.string().describe('Dotted path of the failing field, e.g. body.amount'),
          pointer: z.string().describe('JSON Pointer (RFC 6901) into the request part'),
          detail: z.string(),
        }),
      )
      .optional(),
  })
  .meta({ id: 'ProblemDetails' });
export type ProblemDetails = z.infer<typeof ProblemDetails>;
