import { z } from 'zod';
import { ProblemDetails } from '@recoup/contracts';
import { ApiRouter, type DocumentedRoute } from '@recoup/http';

/** The Twilio voice webhook parameters these routes read (Twilio posts many more; all are signed). */
const TwilioVoiceForm = z
  .object({
    CallSid: z.string().regex(/^CA[0-9a-f]{32}$/),
    AccountSid: z.string().regex(/^AC[0-9a-f]{32}$/),
    From: z.string(),
    To: z.string(),
    CallStatus: z
      .enum(['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'canceled', 'failed'])
      .optional(),
    AnsweredBy: z.string().optional().describe('Answering-machine detection: human, machine_start, fax, unknown'),
    DialCallStatus: z.string().optional().describe('Outcome of a <Dial> transfer'),
    SpeechResult: z.string().optional(),
    CallDuration: z.string().optional(),
  })
  .meta({ id: 'TwilioVoiceWebhookForm' });

const FORM_EXAMPLE = {
  CallSid: 'CA0123456789abcdef0123456789abcdef',
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  From: '+441234567890',
  To: '+447700900123',
  CallStatus: 'in-progress',
};

const Query = z.object({ call: z.uuid().optional().describe('Our call id (set on the URL we give Twilio)') });

const webhook = (path: string, summary: string, operationId: string, twiml: string): DocumentedRoute => ({
  method: 'post',
  path,
  operationId,
  summary,
  description: `${summary}. Signed by Twilio (X-Twilio-Signature over the public URL and the form); a redelivery gets the first answer.`,
  tags: ['twilio-webhooks'],
  security: [{ twilioSignature: [] }],
  request: { body: TwilioVoiceForm, bodyContentType: 'application/x-www-form-urlencoded', query: Query },
  responses: {
    200: { description: 'TwiML', schema: z.string(), contentType: 'text/xml' },
    403: { description: 'X-Twilio-Signature missing or wrong', schema: ProblemDetails, contentType: 'application/problem+json' },
  },
  example: { request: FORM_EXAMPLE, responses: { 200: twiml } },
});

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** The voice webhooks (served by voice-webhooks.routes.ts with plain Express) as the OpenAPI document shows them. */
export function voiceWebhookDocs(): ApiRouter {
  return new ApiRouter()
    .document(
      webhook(
        '/api/webhooks/twilio/voice/answer',
        'Call answered: the recording notice, then the media stream to the AI agent',
        'twilioVoiceAnswer',
        '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://voice.example.co.uk/media-stream"/></Connect></Response>',
      ),
    )
    .document(
      webhook(
        '/api/webhooks/twilio/voice/status',
        'Call status callback (ringing, answered, completed, failed)',
        'twilioVoiceStatus',
        EMPTY,
      ),
    )
    .document(
      webhook(
        '/api/webhooks/twilio/voice/amd',
        'Answering-machine detection result: a machine never hears the debt',
        'twilioVoiceAmd',
        EMPTY,
      ),
    )
    .document(
      webhook(
        '/api/webhooks/twilio/voice/transfer',
        'Outcome of a transfer to a person: not answered means a call-back is promised and recorded',
        'twilioVoiceTransfer',
        EMPTY,
      ),
    )
    .document(
      webhook('/api/webhooks/twilio/ai-collect', 'Speech gathered on the fallback (no media stream) path', 'twilioAiCollect', EMPTY),
    )
    .document(webhook('/api/webhooks/twilio/ai-respond', 'The agent answers on the fallback path', 'twilioAiRespond', EMPTY));
}
