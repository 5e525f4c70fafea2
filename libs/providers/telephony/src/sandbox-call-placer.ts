import { randomBytes } from 'node:crypto';
import type { Database } from '@recoup/db';
import type { CallPlacer, PlaceCallRequest, PlacedCall } from './call-placer.port';

/** A call as the sandbox hands it to its driver. */
export interface SandboxCall extends PlaceCallRequest {
  callSid: string;
  from: string;
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
    await this.options.driver?.dial({ ...request, from, callSid });
    return { callSid, provider: 'sandbox' };
  }

  async hangup(callSid: string): Promise<void> {
    await this.options.driver?.hangup(callSid);
  }

  async redirect(callSid: string, twiml: string): Promise<void> {
    await this.options.driver?.redirect?.(callSid, twiml);
  }
}
