import type { CallModel, Database } from '@recoup/db';
import type { Logger } from '@recoup/observability';
import type { ChatAgent, ChatMessage } from '@recoup/providers/realtime-voice';
import { gatherSpeechTwiml, sayAndHangupTwiml } from '@recoup/providers/telephony';
import { COLLECTION_TOOLS, type CallTools } from '../calls/call-tools';
import type { CallService } from '../calls/call-service';

export interface GatherFlowDeps {
  db: Database;
  calls: CallService;
  tools: CallTools;
  agent: ChatAgent;
  logger: Logger;
  publicBaseUrl: string;
  saveTurn(callId: string, speaker: 'ai' | 'user', text: string, itemId: string | null): Promise<void>;
}

const VOICE = 'Polly.Amy-Neural';
const MAX_TURNS = 12;

/**
 * The Gather-based call (no Realtime): Twilio recognises the debtor's speech, a chat model with the
 * same tools answers, and TwiML speaks the answer in a British neural voice.
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

  async collect(p: Record<string, string>, callId?: string): Promise<string> {
    const call = await this.callOf(p, callId);
    if (!call) return sayAndHangupTwiml(['Sorry, we could not find the reason for this call. Goodbye.'], VOICE);
    if (!call.startedAt)
      await this.d.db.call.update({
        where: { id: call.id },
        data: { startedAt: new Date(), status: 'in-progress', providerCallSid: call.providerCallSid ?? p.CallSid ?? null },
      });
    const params = (call.params ?? {}) as { recording_notice?: string; opening?: string };
    const greeting =
      [params.recording_notice, params.opening].filter(Boolean).join(' ') ||
      'Hello, this is an automated assistant. This call is recorded.';
    await this.d.saveTurn(call.id, 'ai', greeting, null);
    return gatherSpeechTwiml({
      prompt: greeting,
      action: this.action(call.id),
      fallback: 'Sorry, I did not hear anything. We will try again another time. Goodbye.',
      voice: VOICE,
    });
  }

  async respond(p: Record<string, string>, callId?: string): Promise<string> {
    const call = await this.callOf(p, callId);
    if (!call) return sayAndHangupTwiml(['Goodbye.'], VOICE);
    const speech = (p.SpeechResult ?? '').trim();
    if (!speech)
      return gatherSpeechTwiml({
        prompt: 'Sorry, I did not catch that. Could you say it again?',
        action: this.action(call.id),
        voice: VOICE,
      });
    await this.d.saveTurn(call.id, 'user', speech, null);
    const turns = await this.d.db.callTurn.findMany({ where: { callId: call.id }, orderBy: { sequence: 'asc' } });
    const messages: ChatMessage[] = turns.map((t) =>
      t.speaker === 'ai' ? { role: 'assistant', content: t.text } : { role: 'user', content: t.text },
    );
    const instructions = String((call.params as { instructions?: string } | null)?.instructions ?? '');
    let reply = await this.d.agent.reply({ instructions, messages, tools: COLLECTION_TOOLS });
    let endCall = false;
    if (reply.toolCalls.length > 0) {
      const withTools: ChatMessage[] = [...messages, { role: 'assistant', content: reply.text, toolCalls: reply.toolCalls }];
      for (const tc of reply.toolCalls) {
        const result = await this.d.tools.run(call, tc.name, tc.arguments, `gather-${tc.id}`);
        endCall ||= Boolean(result.endCall);
        withTools.push({ role: 'tool', toolCallId: tc.id, content: JSON.stringify({ ok: result.ok, message: result.message }) });
      }
      const spoken = reply.text;
      reply = await this.d.agent.reply({ instructions, messages: withTools, tools: COLLECTION_TOOLS });
      if (!reply.text) reply = { ...reply, text: spoken };
    }
    const text = reply.text || 'Thank you.';
    await this.d.saveTurn(call.id, 'ai', text, null);
    if (endCall || turns.length >= MAX_TURNS) {
      await this.d.calls.finalise(call.id);
      return sayAndHangupTwiml([text], VOICE);
    }
    return gatherSpeechTwiml({ prompt: text, action: this.action(call.id), fallback: 'Thank you for your time. Goodbye.', voice: VOICE });
  }
}
