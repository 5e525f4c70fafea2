import type { ChatAgent, ChatMessage, ChatReply } from './chat-agent.port';

/**
 * A deterministic collection agent for sandbox mode and tests: keywords in the debtor's words pick
 * the tool a model would call. The fake Realtime server and the sandbox Gather flow both use it,
 * so a scripted debtor gets the same outcome over either path.
 */
export interface ScriptedTurn {
  say: string;
  tool?: { name: string; arguments: Record<string, unknown> };
}

const isoIn = (days: number, from = new Date()) => new Date(from.getTime() + days * 86_400_000).toISOString().slice(0, 10);

export function scriptedReply(userText: string, facts: { amount?: number } = {}): ScriptedTurn {
  const t = userText.toLowerCase();
  if (/\b(dispute|don'?t owe|not mine|wrong amount|never ordered)\b/.test(t)) {
    return {
      say: 'I understand. I have paused collection while this is looked into. Goodbye.',
      tool: { name: 'record_dispute', arguments: { reason: userText.slice(0, 200) } },
    };
  }
  // The voice-trust safeguards (issue 15): recording objections, vulnerability, a wrong person, a person asked for,
  // and answers to the identity question are handed to the tools that our code checks.
  if (/\b((don'?t|do not) (want to be |want it )?record|not (be )?recorded|stop (the )?recording|no recording)/.test(t)) {
    return { say: 'Of course, I have stopped the recording.', tool: { name: 'stop_recording', arguments: {} } };
  }
  if (/\b(lost my job|redundan|bereave|passed away|hospital|illness|seriously ill|mental health|depress|can'?t cope|struggling)/.test(t)) {
    return {
      say: 'I am so sorry to hear that. We will not ask you for anything today.',
      tool: { name: 'record_vulnerability', arguments: { category: /job|redundan/.test(t) ? 'life_event' : 'health' } },
    };
  }
  if (/\b(wrong number|wrong person|not here|isn'?t here|no one by that name|nobody by that name|not available)\b/.test(t)) {
    return { say: 'Sorry to have troubled you.', tool: { name: 'wrong_person', arguments: { reason: userText.slice(0, 100) } } };
  }
  if (/\b(speak to (a|someone|somebody)|real person|a human|put me through|transfer me|specialist)\b/.test(t)) {
    return { say: 'Of course.', tool: { name: 'transfer_to_agent', arguments: { reason: userText.slice(0, 100) } } };
  }
  if (
    /\b[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2}\b|\bpostcode\b|\bdate of birth\b|\b\d{1,2}(st|nd|rd|th)? (of )?[a-z]+ \d{4}\b|\blast four\b/.test(t)
  ) {
    // No words before the check: the agent's next words follow its answer (a debtor waiting for them cannot race it).
    return { say: '', tool: { name: 'verify_identity', arguments: { answer: userText } } };
  }
  if (/\b(stop calling|opt out|don'?t call|remove me)\b/.test(t)) {
    return { say: 'Of course. We will not call you again. Goodbye.', tool: { name: 'opt_out', arguments: { channel: 'all_calls' } } };
  }
  if (/\b(call (me )?back|callback|busy right now|later)\b/.test(t)) {
    return { say: 'No problem, we will call you back then.', tool: { name: 'request_callback', arguments: { when: isoIn(1) } } };
  }
  if (/\b(plan|instal+ments?|monthly)\b/.test(t)) {
    return {
      say: 'I can suggest three monthly payments. I have noted that for the team to confirm.',
      tool: { name: 'propose_payment_plan', arguments: { installments: 3, frequency: 'monthly' } },
    };
  }
  if (/\b(link|pay now|card|text me)\b/.test(t)) {
    return { say: 'I am sending you a secure payment link by text now.', tool: { name: 'send_payment_link', arguments: {} } };
  }
  if (/\b(i('| wi)ll pay|promise|can pay|pay (it )?(on|by|next|this))\b/.test(t)) {
    const days = /\bnext week\b/.test(t) ? 7 : /\bfriday\b/.test(t) ? 3 : 2;
    return {
      say: 'Thank you. I have noted your promise and will text you a confirmation.',
      tool: { name: 'record_promise_to_pay', arguments: { amount: facts.amount, date: isoIn(days) } },
    };
  }
  if (/\b(bye|goodbye|that'?s all)\b/.test(t)) {
    return { say: 'Thank you for your time. Goodbye.', tool: { name: 'end_call', arguments: { reason: 'conversation complete' } } };
  }
  if (/\b(no|can'?t|won'?t|refuse)\b/.test(t)) {
    return {
      say: 'I understand. If anything changes, you can reply to our messages. Goodbye.',
      tool: { name: 'end_call', arguments: { reason: 'refused' } },
    };
  }
  return { say: 'Thank you. Would you be able to pay the balance, or would a payment plan help?' };
}

/** The Gather flow's sandbox model. */
export class ScriptedChatAgent implements ChatAgent {
  readonly provider = 'sandbox' as const;

  async reply(input: { messages: ChatMessage[] }): Promise<ChatReply> {
    const last = input.messages[input.messages.length - 1];
    if (!last) return { text: 'Hello.', toolCalls: [] };
    if (last.role === 'tool') {
      const prevAssistant = [...input.messages].reverse().find((m) => m.role === 'assistant');
      return { text: prevAssistant?.content ?? 'Thank you.', toolCalls: [] };
    }
    if (last.role !== 'user') return { text: '', toolCalls: [] };
    const turn = scriptedReply(last.content);
    const n = input.messages.filter((m) => m.role === 'user').length;
    return {
      text: turn.say,
      toolCalls: turn.tool ? [{ id: `call_scripted_${n}`, name: turn.tool.name, arguments: JSON.stringify(turn.tool.arguments) }] : [],
    };
  }
}
