import { randomBytes } from 'node:crypto';
import type { Database } from '@recoup/db';
import type { CallPlacer, LiveRecordingStatus, PlaceCallRequest, PlacedCall } from './call-placer.port';

/** A call as the sandbox hands it to its driver. */
export interface SandboxCall extends Omit<PlaceCallRequest, 'machineDetection'> {
  callSid: string;
  from: string;
  /** As Twilio is asked for it: always DetectMessageEnd (the verdict on a machine comes after its beep). */
  machineDetection?: { mode: 'async'; callbackUrl: string; detectMessageEnd?: boolean };
}

/**
 * Plays the part of Twilio for sandbox calls: fetches answerUrl with a signed request, posts
 * status (and AMD) callbacks, and for `<Connect><Stream>` opens the media WebSocket. The fake
 * Twilio in libs/testing implements it; without one the call is only recorded.
 */
export interface SandboxCallDriver {
  dial(call: SandboxCall): void | Promise<void>;
  hangup(callSid: string): void | Promise<void>;
  redirect?(callSid: string, twiml: string): void | Promise<void>;
  /** Live recording control, as Twilio's Recordings API of a call (the fake keeps what it was asked). */
  startRecording?(callSid: string): string | Promise<string>;
  setRecordingStatus?(callSid: string, recordingSid: string, status: LiveRecordingStatus): boolean | Promise<boolean>;
}

export interface SandboxCallPlacerOptions {
  db: Database;
  driver?: SandboxCallDriver;
  fromNumber?: string;
  /** Which channel the recorded SandboxMessage belongs to. */
  channel?: 'ai_call' | 'ivr_call';
}

/** Twilio-shaped call sid (CA + 32 hex) so downstream validation treats sandbox calls like real ones. */
export function sandboxCallSid(): string {
  return 'CA' + randomBytes(16).toString('hex');
}

/**
 * Records every call in the sandbox outbox (SandboxMessage, unique by idempotency key) and hands it
 * to the driver. The same idempotency key returns the first call's sid and never dials twice.
 */
export class SandboxCallPlacer implements CallPlacer {
  readonly provider = 'sandbox' as const;

  constructor(private readonly options: SandboxCallPlacerOptions) {}

  async placeCall(request: PlaceCallRequest): Promise<PlacedCall> {
    const { db } = this.options;
    const existing = await db.sandboxMessage.findUnique({ where: { idempotencyKey: request.idempotencyKey } });
    if (existing) return { callSid: existing.providerMessageId, provider: 'sandbox' };
    const callSid = sandboxCallSid();
    const from = request.from ?? this.options.fromNumber ?? '+441000000000';
    try {
      await db.sandboxMessage.create({
        data: {
          channel: this.options.channel ?? 'ai_call',
          provider: 'sandbox',
          idempotencyKey: request.idempotencyKey,
          providerMessageId: callSid,
          toAddress: request.to,
          fromAddress: from,
          body: `call ${request.answerUrl}`,
          metadata: {
            answerUrl: request.answerUrl,
            statusCallbackUrl: request.statusCallbackUrl,
            machineDetection: request.machineDetection ?? null,
            record: request.record ?? false,
            timeLimitSeconds: request.timeLimitSeconds ?? null,
          },
        },
      });
    } catch (err) {
      // Lost a race on the same key: the winner dialled.
      if ((err as { code?: string }).code === 'P2002') {
        const winner = await db.sandboxMessage.findUnique({ where: { idempotencyKey: request.idempotencyKey } });
        if (winner) return { callSid: winner.providerMessageId, provider: 'sandbox' };
      }
      throw err;
    }
    const machineDetection = request.machineDetection ? { ...request.machineDetection, detectMessageEnd: true } : undefined;
    await this.options.driver?.dial({ ...request, machineDetection, from, callSid });
    return { callSid, provider: 'sandbox' };
  }

  async hangup(callSid: string): Promise<void> {
    await this.options.driver?.hangup(callSid);
  }

  async redirect(callSid: string, twiml: string): Promise<void> {
    await this.options.driver?.redirect?.(callSid, twiml);
  }

  /** Recording control is recorded in the outbox (one row per change) and handed to the driver when it has a phone. */
  async startRecording(callSid: string): Promise<{ recordingSid: string }> {
    const recordingSid = (await this.options.driver?.startRecording?.(callSid)) ?? 'RE' + randomBytes(16).toString('hex');
    await this.recordControl(callSid, recordingSid, 'in-progress');
    return { recordingSid };
  }

  async setRecordingStatus(callSid: string, recordingSid: string, status: LiveRecordingStatus): Promise<'updated' | 'not_recording'> {
    const driver = this.options.driver?.setRecordingStatus;
    if (driver && !(await driver.call(this.options.driver, callSid, recordingSid, status))) return 'not_recording';
    await this.recordControl(callSid, recordingSid, status);
    return 'updated';
  }

  private async recordControl(callSid: string, recordingSid: string, status: LiveRecordingStatus): Promise<void> {
    const key = `recording:${recordingSid}:${status}:${randomBytes(6).toString('hex')}`;
    await this.options.db.sandboxMessage.create({
      data: {
        channel: this.options.channel ?? 'ai_call',
        provider: 'sandbox',
        idempotencyKey: key,
        providerMessageId: key,
        toAddress: '',
        body: `recording ${recordingSid} ${status}`,
        metadata: { action: 'recording_status', callSid, recordingSid, status },
      },
    });
  }
}
