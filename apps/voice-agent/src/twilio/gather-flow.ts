import type { CallModel, Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { ChatAgent, ChatMessage, ChatReply } from '@recoup/providers/realtime-voice';
import { gatherSpeechTwiml, sayAndHangupTwiml } from '@recoup/providers/telephony';
import { COLLECTION_TOOLS, type CallTools, type ToolResult } from '../calls/call-tools';
import type { CallService } from '../calls/call-service';
import { closingTwiml, type LiveCallControl } from '../calls/live-call-control';

export interface GatherFlowDeps {
  db: Database;
  calls: CallService;
  tools: CallTools;
  agent: ChatAgent;
  live: LiveCallControl;
  logger: Logger;
  publicBaseUrl: string;
  saveTurn(callId: string, speaker: 'ai' | 'user', text: string, itemId: string | null): Promise<void>;
  /** Total time one webhook may take before the fallback answers (under 10 s; Twilio gives up at 15 s). */
  budgetMs?: number;
}

const VOICE = 'Polly.Amy-Neural';
const MAX_TURNS = 12;
/** Twilio waits 15 s for a webhook's TwiML; we answer well inside 10 s whatever the model does. */
export const GATHER_BUDGET_MS = 8_500;
/** What the caller hears when the model does not answer in time: a call-back is arranged (and recorded), never silence. */
export const FALLBACK_LINE =
  'Sorry, I am having trouble hearing the system just now. Let me arrange for a member of the team to call you back. Goodbye.';

class OutOfTime extends Error {}

/**
 * The Gather-based call (no Realtime): Twilio recognises the debtor's speech (or keys), a chat model with the same
 * tools answers, and TwiML speaks the answer in a British neural voice. Every answer comes within GATHER_BUDGET_MS:
 * a model that is slow or failing gives way to a call-back arranged by our code.
 */
export class GatherFlow {
  constructor(private readonly d: GatherFlowDeps) {}

  private async callOf(p: Record<string, string>, callId?: string): Promise<CallModel | null> {
    if (callId) return this.d.db.call.findUnique({ where: { id: callId } });
    return p.CallSid ? this.d.db.call.findUnique({ where: { providerCallSid: p.CallSid } }) : null;
  }

  private action(callId: string): string {
    return `${this.d.publicBaseUrl.replace(/\/+$/, '')}/api/webhooks/twilio/ai-respond?call=${callId}`;
  }

  private gather(callId: string, prompt: string, fallback?: string): string {
    return gatherSpeechTwiml({ prompt, action: this.action(callId), fallback, voice: VOICE, input: 'dtmf speech' });
  }

  async collect(p: Record<string, string>, callId?: string): Promise<string> {
    const call = await this.callOf(p, callId);
    if (!call) return sayAndHangupTwiml(['Sorry, we could not find the reason for this call. Goodbye.'], VOICE);
    if (!call.startedAt)
      await this.d.db.call.update({
        where: { id: call.id },
        data: { startedAt: new Date(), status: 'in-progress', providerCallSid: call.providerCallSid ?? p.CallSid ?? null },
      });
    const params = (call.params ?? {}) as { recording_notice?: string; opening?: string };
    // The notice first (and first in the transcript); then the named person and the identity question.
    if (params.recording_notice) await this.d.calls.noticeSpoken(call.id, params.recording_notice);
    const opening = params.opening || 'Hello, this is an automated assistant.';
    await this.d.saveTurn(call.id, 'ai', opening, null);
    return gatherSpeechTwiml({
      prompt: [params.recording_notice, opening].filter((l): l is string => Boolean(l)),
      action: this.action(call.id),
      fallback: 'Sorry, I did not hear anything. We will try again another time. Goodbye.',
      voice: VOICE,
      input: 'dtmf speech',
    });
  }

  async respond(p: Record<string, string>, callId?: string): Promise<string> {
    const deadline = Date.now() + (this.d.budgetMs ?? GATHER_BUDGET_MS);
    const call = await this.callOf(p, callId);
    if (!call) return sayAndHangupTwiml(['Goodbye.'], VOICE);
    // The notice was heard in the greeting: the recording may start now.
    this.d.calls.startRecording(call.id);
    try {
      return await this.turn(call, p, deadline);
    } catch (err) {
      if (!(err instanceof OutOfTime))
        this.d.logger.warn({ err: { message: (err as Error).message }, callId: call.id }, 'gather turn failed');
      return this.fallback(call, err instanceof OutOfTime ? 'the model did not answer in time' : 'the model failed');
    }
  }

  /** Races a step against what is left of the budget. */
  private within<T>(deadline: number, step: Promise<T>): Promise<T> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new OutOfTime());
    let timer: NodeJS.Timeout | undefined;
    const out = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new OutOfTime()), left)));
    step.catch(() => undefined); // a late failure of an abandoned step is not unhandled
    return Promise.race([step, out]).finally(() => clearTimeout(timer));
  }

  private async turn(call: CallModel, p: Record<string, string>, deadline: number): Promise<string> {
    const digits = (p.Digits ?? '').replace(/#$/, '');
    const speech = (p.SpeechResult ?? '').trim();
    const messages: ChatMessage[] = [];
    let userText = speech;
    if (digits) {
      const keyed = await this.within(deadline, this.d.tools.onKeys(call, digits, Number(p.SequenceNumber ?? Date.now())));
      if (digits === '0' && keyed?.endCall) return this.end(call, []);
      userText = keyed
        ? `[I keyed my answer to the identity question. The system says: ${keyed.message}]`
        : `[I keyed ${[...digits].join(' ')}]`;
      await this.d.saveTurn(call.id, 'user', keyed ? '[identity answer keyed: withheld]' : `[keyed ${digits}]`, null);
    } else if (!speech) {
      return this.gather(call.id, 'Sorry, I did not catch that. Could you say it again?');
    } else {
      await this.d.saveTurn(call.id, 'user', speech, null);
    }
    const turns = await this.d.db.callTurn.findMany({ where: { callId: call.id }, orderBy: { sequence: 'asc' } });
    for (const t of turns.slice(0, -1))
      messages.push(t.speaker === 'ai' ? { role: 'assistant', content: t.text } : { role: 'user', content: t.text });
    messages.push({ role: 'user', content: userText });
    const instructions = String((call.params as { instructions?: string } | null)?.instructions ?? '');
    let reply: ChatReply = await this.within(deadline, this.d.agent.reply({ instructions, messages, tools: COLLECTION_TOOLS }));
    let endCall = false;
    if (reply.toolCalls.length > 0) {
      const withTools: ChatMessage[] = [...messages, { role: 'assistant', content: reply.text, toolCalls: reply.toolCalls }];
      for (const tc of reply.toolCalls) {
        // Tools run to completion even past the budget: what the debtor agreed is recorded whatever the model does next.
        const result: ToolResult = await this.d.tools.run(call, tc.name, tc.arguments, `gather-${tc.id}`);
        endCall ||= Boolean(result.endCall);
        withTools.push({ role: 'tool', toolCallId: tc.id, content: JSON.stringify({ ok: result.ok, message: result.message }) });
      }
      const spoken = reply.text;
      reply = await this.within(deadline, this.d.agent.reply({ instructions, messages: withTools, tools: COLLECTION_TOOLS })).catch(
        (err: unknown) => {
          // The tools are done; only the follow-up words are late: say what the model said before them.
          if (err instanceof OutOfTime && spoken) return { text: spoken, toolCalls: [] };
          throw err;
        },
      );
      if (!reply.text) reply = { ...reply, text: spoken };
    }
    const text = reply.text || 'Thank you.';
    await this.d.saveTurn(call.id, 'ai', text, null);
    if (endCall || turns.length >= MAX_TURNS) return this.end(call, [text]);
    return this.gather(call.id, text, 'Thank you for your time. Goodbye.');
  }

  /** The call ends: with the closing our code chose (transfer, signposting), else the last words and a hang-up. */
  private async end(call: CallModel, lastWords: string[]): Promise<string> {
    const closing = this.d.live.takeClosing(call.id);
    await this.d.calls.finalise(call.id);
    return closing ? closingTwiml(closing, lastWords) : sayAndHangupTwiml(lastWords, VOICE);
  }

  /** Out of time or the model failed: a call-back is arranged through the core and the caller is told so. */
  private async fallback(call: CallModel, why: string): Promise<string> {
    await this.d.tools
      .run(call, 'request_callback', JSON.stringify({ reason: `automated call could not continue: ${why}` }), `gather-fallback-${call.id}`)
      .catch((err: Error) => this.d.logger.warn({ err: { message: err.message }, callId: call.id }, 'fallback call-back not recorded'));
    await this.d.saveTurn(call.id, 'ai', FALLBACK_LINE, null).catch(() => undefined);
    await this.d.calls.finalise(call.id).catch(() => undefined);
    return sayAndHangupTwiml([FALLBACK_LINE], VOICE);
  }
}
