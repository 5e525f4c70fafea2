// The shared Twilio client (loopback rebasing, error mapping) lives in providers/twilio; every Twilio-backed provider reuses it.
import { createTwilioClient, describeTwilioError, type TwilioClient, type TwilioCredentials } from '@recoup/providers/twilio';
import { CallRejectedError, type CallPlacer, type LiveRecordingStatus, type PlaceCallRequest, type PlacedCall } from './call-placer.port';

export interface TwilioCallPlacerOptions extends TwilioCredentials {
  /** Default caller id (TWILIO_FROM_NUMBER). */
  fromNumber?: string;
}

/** Places calls through Twilio's Calls resource with the official SDK. */
export class TwilioCallPlacer implements CallPlacer {
  readonly provider = 'twilio' as const;
  private readonly client: TwilioClient;

  constructor(private readonly options: TwilioCallPlacerOptions) {
    this.client = createTwilioClient(options);
  }

  async placeCall(request: PlaceCallRequest): Promise<PlacedCall> {
    const from = request.from ?? this.options.fromNumber;
    if (!from) throw new CallRejectedError('no caller id: set TWILIO_FROM_NUMBER or pass from');
    try {
      const call = await this.client.calls.create({
        to: request.to,
        from,
        url: request.answerUrl,
        method: 'POST',
        statusCallback: request.statusCallbackUrl,
        statusCallbackMethod: 'POST',
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
        ...(request.machineDetection
          ? {
              // Enable answers as soon as it hears a machine (machine_start), while its greeting still plays: a message
              // then would talk over the greeting. DetectMessageEnd waits for the beep.
              machineDetection: 'DetectMessageEnd',
              asyncAmd: 'true',
              asyncAmdStatusCallback: request.machineDetection.callbackUrl,
              asyncAmdStatusCallbackMethod: 'POST',
            }
          : {}),
        ...(request.record
          ? {
              record: true,
              recordingChannels: 'dual',
              recordingStatusCallback: request.statusCallbackUrl,
              recordingStatusCallbackMethod: 'POST',
            }
          : {}),
        ...(request.timeLimitSeconds ? { timeLimit: request.timeLimitSeconds } : {}),
      });
      return { callSid: call.sid, provider: 'twilio' };
    } catch (err) {
      const e = describeTwilioError(err);
      // 4xx other than 429 means Twilio refused this call (invalid number, unverified caller id): retrying cannot help.
      if (e.status && e.status >= 400 && e.status < 500 && e.status !== 429)
        throw new CallRejectedError(`Twilio refused the call: ${e.message}`, e.code);
      throw err;
    }
  }

  async redirect(callSid: string, twiml: string): Promise<void> {
    await this.client.calls(callSid).update({ twiml });
  }

  async startRecording(callSid: string, options: { statusCallbackUrl?: string } = {}): Promise<{ recordingSid: string }> {
    const recording = await this.client.calls(callSid).recordings.create({
      recordingChannels: 'dual',
      ...(options.statusCallbackUrl
        ? {
            recordingStatusCallback: options.statusCallbackUrl,
            recordingStatusCallbackMethod: 'POST',
            recordingStatusCallbackEvent: ['completed'],
          }
        : {}),
    });
    return { recordingSid: recording.sid };
  }

  async setRecordingStatus(callSid: string, recordingSid: string, status: LiveRecordingStatus): Promise<'updated' | 'not_recording'> {
    try {
      await this.client.calls(callSid).recordings(recordingSid).update({ status });
      return 'updated';
    } catch (err) {
      // 404 / 21220: the call or its recording is no longer live: nothing is being recorded.
      const e = describeTwilioError(err);
      if (e.status === 404 || e.code === 21220) return 'not_recording';
      throw err;
    }
  }

  async hangup(callSid: string): Promise<void> {
    try {
      await this.client.calls(callSid).update({ status: 'completed' });
    } catch (err) {
      // 404 / 21220 (call not in progress): already over, which is what we wanted.
      const e = describeTwilioError(err);
      if (e.status === 404 || e.code === 21220) return;
      throw err;
    }
  }
}
