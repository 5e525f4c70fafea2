import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { IdempotencyStore } from '@recoup/idempotency';
import { webhookIdempotency } from '@recoup/idempotency';
import type { Logger } from '@recoup/observability';
import { TwilioVoiceWebhooks, connectStreamTwiml, emptyTwiml, gatherSpeechTwiml, sayAndHangupTwiml } from '@recoup/providers/telephony';
import { publicStreamUrl } from '@recoup/providers/twilio';
import type { CallRegistry } from '../bridge/media-streams';
import { MEDIA_STREAM_PATH } from '../bridge/media-streams';
import type { CallService } from '../calls/call-service';
import type { CallTools } from '../calls/call-tools';
import type { GatherFlow } from './gather-flow';

export interface VoiceWebhookDeps {
  authToken: string;
  publicBaseUrl: string;
  /**
   * Other public origins whose Twilio webhooks are forwarded here unchanged (collections-api forwards
   * ai-collect / ai-respond with X-Original-Url): a signature for that URL is accepted too.
   */
  forwardedFrom?: string[];
  idempotency: IdempotencyStore;
  calls: CallService;
  registry: CallRegistry;
  gather: GatherFlow;
  tools: CallTools;
  logger: Logger;
  voicemail: 'message' | 'none';
  hangup(callSid: string): Promise<void>;
  /** Replaces the live call's TwiML (undefined when the telephony adapter cannot). */
  redirect?: (callSid: string, twiml: string) => Promise<void>;
}

const form = (req: Request) => (req.body ?? {}) as Record<string, string>;
const twiml = (res: Response, xml: string) => res.type('text/xml').send(xml);

/**
 * Every Twilio webhook of the AI-call flows: X-Twilio-Signature verified first (403 otherwise), then
 * deduplicated (a redelivery gets the first answer), then handled.
 */
export function voiceWebhooksRouter(deps: VoiceWebhookDeps): Router {
  const router = Router();
  const twilio = new TwilioVoiceWebhooks({
    authToken: deps.authToken,
    publicBaseUrl: deps.publicBaseUrl,
    forwardedFrom: deps.forwardedFrom,
  });
  const signed = twilio.verifySignature;
  // Keyed on signed data only (never I-Twilio-Idempotency-Token): a replay with a new token is still the same event.
  const dedupe = (kind: string): RequestHandler =>
    webhookIdempotency({ store: deps.idempotency, provider: 'twilio-voice', eventId: (req) => `${kind}:${twilio.eventKey(req)}` });
  const callIdOf = (req: Request) => {
    const id = req.query.call ?? req.query.call_id;
    return typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? id : undefined;
  };

  router.post('/api/webhooks/twilio/voice/answer', signed, dedupe('answer'), async (req, res, next) => {
    try {
      const callId = callIdOf(req);
      const call = callId ? await deps.registry.prewarm(callId).then(() => deps.calls.findById(callId)) : null;
      if (!call || call.endedAt) return twiml(res, sayAndHangupTwiml([]));
      const token = await deps.calls.issueStreamToken(call.id);
      const notice = String((call.params as { recording_notice?: string } | null)?.recording_notice ?? '');
      // The notice is spoken before anything else and is the transcript's first turn; recording starts after it.
      if (notice) await deps.calls.noticeSpoken(call.id, notice);
      twiml(
        res,
        connectStreamTwiml({
          streamUrl: publicStreamUrl(deps.publicBaseUrl, MEDIA_STREAM_PATH),
          parameters: { call_id: call.id, token },
          sayFirst: notice ? [notice] : [],
        }),
      );
    } catch (err) {
      next(err);
    }
  });

  router.post('/api/webhooks/twilio/voice/status', signed, dedupe('status'), async (req, res, next) => {
    try {
      const callId = callIdOf(req);
      const parsed = twilio.parseStatusCallback(req.body);
      const event = parsed.success ? parsed.data : undefined;
      if (callId) {
        // Open the Realtime leg while it rings, so the first words are not lost.
        if (event?.stage === 'dialling' || event?.stage === 'ringing') void deps.registry.prewarm(callId).catch(() => undefined);
        if (event?.stage === 'ended') deps.registry.discard(callId, `call ${event.providerStatus}`);
        await deps.calls.onStatus(callId, form(req));
      }
      twiml(res, emptyTwiml());
    } catch (err) {
      next(err);
    }
  });

  router.post('/api/webhooks/twilio/voice/amd', signed, dedupe('amd'), async (req, res, next) => {
    try {
      const callId = callIdOf(req);
      const p = form(req);
      if (callId && p.AnsweredBy) {
        const verdict = await deps.calls.onMachineDetection(callId, p.AnsweredBy);
        if (verdict === 'machine') {
          // A machine never hears the debt (CONC 7.9.8G): the agent leg is dropped; the machine gets
          // the name-and-number message (or nothing) and the call ends.
          const message = await deps.calls.voicemailMessage(callId);
          const leaveMessage = deps.voicemail === 'message' && Boolean(deps.redirect) && Boolean(message);
          deps.registry.discard(callId, 'answering machine', { hangup: !leaveMessage });
          if (p.CallSid && leaveMessage && deps.redirect && message) await deps.redirect(p.CallSid, sayAndHangupTwiml([message]));
          else if (p.CallSid) await deps.hangup(p.CallSid).catch(() => undefined);
        }
      }
      twiml(res, emptyTwiml());
    } catch (err) {
      next(err);
    }
  });

  // Twilio reports how a transfer went (<Dial action>): answered, the call ends with it; not answered, busy or failed,
  // the debtor hears a call-back promise and the call-back is recorded through the core (never silence).
  router.post('/api/webhooks/twilio/voice/transfer', signed, dedupe('transfer'), async (req, res, next) => {
    try {
      const callId = callIdOf(req);
      const p = form(req);
      const call = callId ? await deps.calls.findById(callId) : null;
      if (!call || p.DialCallStatus === 'completed' || p.DialCallStatus === 'answered') return twiml(res, sayAndHangupTwiml([]));
      await deps.calls.transferFailed(call.id);
      await deps.tools.run(
        call,
        'request_callback',
        JSON.stringify({ reason: `transfer not answered (${p.DialCallStatus ?? 'unknown'})` }),
        'transfer-fallback',
      );
      twiml(res, sayAndHangupTwiml(['Sorry, nobody could take your call just now. A member of the team will call you back. Goodbye.']));
    } catch (err) {
      next(err);
    }
  });

  // The Gather flow (no Realtime): collections-api forwards these paths here unchanged.
  router.post('/api/webhooks/twilio/ai-collect', signed, dedupe('ai-collect'), async (req, res, next) => {
    try {
      twiml(res, await deps.gather.collect(form(req), callIdOf(req)));
    } catch (err) {
      next(err);
    }
  });

  router.post('/api/webhooks/twilio/ai-respond', signed, dedupe('ai-respond'), async (req, res, next) => {
    try {
      twiml(res, await deps.gather.respond(form(req), callIdOf(req)));
    } catch (err) {
      next(err);
    }
  });

  return router;
}

export { gatherSpeechTwiml };
