/**
 * Telephony: outbound calls.
 *
 * Port: `CallPlacer`
 *   placeCall({ to, from?, answerUrl, statusCallbackUrl, machineDetection?: { mode: 'async', callbackUrl },
 *               record?, timeLimitSeconds?, idempotencyKey }) -> { callSid, provider }
 *   hangup(callSid)
 *   redirect?(callSid, twiml)   (optional: replace a live call's TwiML, e.g. a voicemail message after AMD, a <Dial> transfer)
 *   startRecording(callSid) -> { recordingSid }   (after the recording notice: consent before recording)
 *   setRecordingStatus(callSid, recordingSid, paused|in-progress|stopped)   (the debtor objected: Recordings API)
 *   AMD is always DetectMessageEnd: a machine's verdict arrives after its beep, so a message is left after it.
 * Adapters:
 *   - `TwilioCallPlacer`: Twilio Calls.json through the official SDK (createTwilioClient, loopback
 *     `baseUrl` in tests). Status events initiated/ringing/answered/completed are posted to
 *     statusCallbackUrl; async AMD posts AnsweredBy to machineDetection.callbackUrl.
 *   - `SandboxCallPlacer`: records the call in SandboxMessage (channel ai_call|ivr_call, unique
 *     idempotency key: a repeated key returns the first sid, never dials twice) and hands it to an
 *     injected `SandboxCallDriver`: a fake Twilio (libs/testing `FakeTwilioVoice`) that fetches the
 *     answerUrl with a signed request, posts status callbacks and opens `<Connect><Stream>` sockets.
 *   - `createCallPlacer(config)` picks one from the provider decision.
 *
 * Port: `CallRecordings` (the recordings the provider keeps of our calls)
 *   deleteRecording(recordingSid) -> 'deleted' | 'already_gone'   (Twilio 404 = already gone = success)
 * Adapters: `TwilioCallRecordings` (SDK `client.recordings(sid).remove()`), `SandboxCallRecordings` (records each
 *   deletion in SandboxMessage, key `recording-deleted:<sid>`); `createCallRecordings(config)` picks one.
 *   - `SandboxIvrPhone`: the sandbox phone network for a `<Gather>` IVR (a SandboxCallDriver): rings, answers,
 *     posts a scripted caller's answers to each Gather action and the status callbacks, all signed with the auth
 *     token; `callIn` places an inbound call to our voice webhook the same way.
 * TwiML helpers on the SDK's VoiceResponse builder: connectStreamTwiml, gatherSpeechTwiml, sayAndHangupTwiml, dialTwiml,
 * emptyTwiml (Polly.Amy-Neural, en-GB).
 */
export { CallRejectedError } from './call-placer.port';
export type { CallPlacer, LiveRecordingStatus, PlaceCallRequest, PlacedCall } from './call-placer.port';
export { TwilioCallPlacer } from './twilio-call-placer';
export type { TwilioCallPlacerOptions } from './twilio-call-placer';
export { SandboxCallPlacer, sandboxCallSid } from './sandbox-call-placer';
export type { SandboxCall, SandboxCallDriver, SandboxCallPlacerOptions } from './sandbox-call-placer';
export { createCallPlacer } from './create-call-placer';
export { SandboxIvrPhone } from './sandbox-ivr-phone';
export type { IvrCallerScript, SandboxInboundCall, SandboxIvrCallResult, SandboxIvrPhoneOptions } from './sandbox-ivr-phone';
export { RECORDING_SID } from './call-recordings.port';
export type { CallRecordings, RecordingDeletion } from './call-recordings.port';
export { TwilioCallRecordings } from './twilio-call-recordings';
export { SandboxCallRecordings, sandboxRecordingDeletionKey } from './sandbox-call-recordings';
export { createCallRecordings } from './create-call-recordings';
export type { CallRecordingsConfig } from './create-call-recordings';
export type { CallPlacerConfig } from './create-call-placer';
export { UK_VOICE, connectStreamTwiml, dialTwiml, emptyTwiml, escapeXml, gatherSpeechTwiml, sayAndHangupTwiml } from './twiml';
export type { GatherOptions } from './twiml';
export { TWILIO_CALL_STATUSES, TwilioCallStatusCallback, TwilioVoiceWebhooks } from './twilio-voice-webhooks';
export type { CallContactStatus, CallStage, CallStatusEvent, TwilioCallStatus } from './twilio-voice-webhooks';
