export type InboundIntent = 'stop' | 'start' | 'paid' | 'call_me' | 'help' | 'other';

// Twilio's default opt-out and opt-in keywords (Advanced Opt-Out), matched on the whole message.
const STOP = /^(stop|stopall|stop all|unsubscribe|cancel|end|quit|optout|opt out|revoke)$/;
const START = /^(start|unstop|subscribe|yes)$/;
const HELP = /^(help|info)$/;
const PAID = /^(i('ve| have)? )?(already )?(paid|payed|have paid|paid it|paid already|settled)( it)?( already)?$/;
const CALL_ME = /^(please )?(call me|call me back|callback|call back|ring me|phone me)( please)?$/;

/** What a reply asks for. Only whole-message keywords act; anything else is recorded as `other`. */
export function inboundIntent(body: string): InboundIntent {
  const text = body
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (STOP.test(text)) return 'stop';
  if (START.test(text)) return 'start';
  if (HELP.test(text)) return 'help';
  if (PAID.test(text)) return 'paid';
  if (CALL_ME.test(text)) return 'call_me';
  return 'other';
}
