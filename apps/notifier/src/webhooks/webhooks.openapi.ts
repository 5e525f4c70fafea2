import { z } from 'zod';
import { ProblemDetails } from '@recoup/contracts';
import { ApiRouter } from '@recoup/http';
import { StannpWebhookBody } from '@recoup/providers/letters';
import { BOARD_PATH } from '../admin/queue-board';

const problem = (description: string) => ({ description, schema: ProblemDetails, contentType: 'application/problem+json' });

/** The Twilio SMS parameters these routes read (Twilio posts more; all are signed). */
const TwilioSmsForm = z
  .object({
    MessageSid: z.string().regex(/^(SM|MM)[0-9a-f]{32}$/),
    AccountSid: z.string().regex(/^AC[0-9a-f]{32}$/),
    From: z.string(),
    To: z.string(),
    MessageStatus: z.enum(['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'received', 'read']).optional(),
    ErrorCode: z.string().optional(),
    Body: z.string().optional().describe('Inbound SMS text'),
  })
  .meta({ id: 'TwilioSmsWebhookForm' });

/** One SendGrid event (the batch is an array of these; SendGrid sends more fields). */
const SendGridEvent = z
  .object({
    email: z.string(),
    timestamp: z.number().int(),
    event: z.enum([
      'processed',
      'dropped',
      'delivered',
      'deferred',
      'bounce',
      'open',
      'click',
      'spamreport',
      'unsubscribe',
      'group_unsubscribe',
    ]),
    sg_event_id: z.string(),
    sg_message_id: z.string().optional(),
    contact_attempt_id: z.string().optional().describe('Our custom argument, set on the message'),
  })
  .meta({ id: 'SendGridEvent' });

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const SMS_STATUS = {
  MessageSid: 'SM0123456789abcdef0123456789abcdef',
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  From: '+441234567890',
  To: '+447700900123',
  MessageStatus: 'delivered',
};

/** The routes the notifier serves with plain Express (webhooks, the queue board), as its OpenAPI document shows them. */
export function notifierPlainRouteDocs(): ApiRouter {
  return new ApiRouter()
    .document({
      method: 'post',
      path: '/webhooks/sendgrid/events',
      operationId: 'sendgridEvents',
      summary: 'SendGrid event webhook: delivery, bounce, open and spam-report events of our emails',
      description:
        'Signed with ECDSA over the timestamp and the exact body; each event is applied once (sg_event_id). A batch with a failing event answers 500 so SendGrid redelivers it; events already applied are skipped.',
      tags: ['provider-webhooks'],
      security: [{ sendgridSignature: [] }],
      request: { body: z.array(SendGridEvent) },
      responses: {
        200: {
          description: 'Batch applied',
          schema: z.object({ received: z.number().int(), recorded: z.number().int(), duplicates: z.number().int() }),
        },
        400: problem('Not a SendGrid event batch (fields named)'),
        403: problem('Signature missing or wrong'),
      },
      example: {
        request: [
          {
            email: 'accounts@example.co.uk',
            timestamp: 1796115600,
            event: 'delivered',
            sg_event_id: 'ZGVsaXZlcmVkLTAtMTIzNDU2Nzg5',
            sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0',
            contact_attempt_id: '3f0d9a52-6c1e-4b7a-9c2d-8e5f4a1b2c3d',
          },
        ],
        responses: { 200: { received: 1, recorded: 1, duplicates: 0 } },
      },
    })
    .document({
      method: 'post',
      path: '/webhooks/twilio/sms-status',
      operationId: 'twilioSmsStatus',
      summary: 'Twilio SMS status callback: delivered, undelivered or failed (with the error code)',
      tags: ['provider-webhooks'],
      security: [{ twilioSignature: [] }],
      request: {
        body: TwilioSmsForm,
        bodyContentType: 'application/x-www-form-urlencoded',
        query: z.object({ attempt: z.uuid().optional().describe('Our contact attempt id') }),
      },
      responses: { 204: { description: 'Applied (or a duplicate)' }, 403: problem('X-Twilio-Signature missing or wrong') },
      example: { request: SMS_STATUS },
    })
    .document({
      method: 'post',
      path: '/webhooks/twilio/sms-inbound',
      operationId: 'twilioSmsInbound',
      summary: "A debtor's SMS reply: STOP opts out, a dispute or hardship reply pauses collection, anything else reaches the creditor",
      tags: ['provider-webhooks'],
      security: [{ twilioSignature: [] }],
      request: { body: TwilioSmsForm, bodyContentType: 'application/x-www-form-urlencoded' },
      responses: {
        200: { description: 'Empty TwiML (no auto-reply)', schema: z.string(), contentType: 'text/xml' },
        403: problem('X-Twilio-Signature missing or wrong'),
      },
      example: {
        request: { ...SMS_STATUS, MessageStatus: 'received', From: '+447700900123', To: '+441234567890', Body: 'I will pay on Friday' },
        responses: { 200: EMPTY_TWIML },
      },
    })
    .document({
      method: 'post',
      path: '/webhooks/stannp/events',
      operationId: 'stannpEvents',
      summary: "Stannp's letter status webhook: printed, handed to Royal Mail, delivered, returned",
      description:
        "Signed with a hex HMAC-SHA256 of the exact body; each letter status is recorded once. Stannp's test_url check is answered 200.",
      tags: ['provider-webhooks'],
      security: [{ stannpSignature: [] }],
      request: { body: StannpWebhookBody },
      responses: {
        200: {
          description: 'Batch applied',
          schema: z.object({ event: z.string(), received: z.number().int(), recorded: z.number().int(), duplicates: z.number().int() }),
        },
        400: problem('Not a Stannp webhook body (fields named)'),
        403: problem('Signature missing or wrong, or STANNP_WEBHOOK_SECRET not configured'),
      },
      example: {
        request: {
          webhook_id: 1234,
          event: 'mailpiece_status',
          created: '2026-11-30T09:00:00+00:00',
          mailpieces: [{ id: '987654', status: 'delivered' }],
        },
        responses: { 200: { event: 'mailpiece_status', received: 1, recorded: 1, duplicates: 0 } },
      },
    })
    .document({
      method: 'get',
      path: BOARD_PATH,
      operationId: 'queueBoard',
      summary: 'Bull Board: the notifications queue and its dead-letter queue (HTML UI and its JSON API beneath this path)',
      description:
        'Operator only: `Authorization: Bearer <ADMIN_API_KEY>`, or HTTP Basic with the key as the password so a browser can open it.',
      tags: ['admin'],
      security: [{ basicAuth: [] }, { bearerAuth: [] }],
      mount: true,
      responses: {
        200: { description: 'The board (HTML)', schema: z.string(), contentType: 'text/html' },
        403: problem('ADMIN_API_KEY is not configured: the board is closed'),
      },
      example: {
        responses: { 200: '<!DOCTYPE html><html><head><title>Recoup notifier</title></head><body><div id="root"></div></body></html>' },
      },
    });
}
