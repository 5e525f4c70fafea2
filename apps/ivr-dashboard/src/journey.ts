import type { TimelineEvent } from './gateway';

export type EventTone = 'invoice' | 'contact' | 'refused' | 'payment' | 'plan' | 'dispute';

const CHANNEL: Record<string, string> = { email: 'Email', sms: 'SMS', letter: 'Letter', ai_call: 'AI call', ivr_call: 'IVR call' };

/** How one timeline event reads on the journey: a title, a colour family and the facts worth a line. */
export function describeEvent(e: TimelineEvent): { title: string; tone: EventTone; facts: string[] } {
  const d = e.detail;
  const str = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
  const channel = e.channel ? (CHANNEL[e.channel] ?? e.channel) : null;
  const facts = (pairs: Array<[string, unknown]>) => pairs.filter(([, v]) => str(v) !== null).map(([k, v]) => `${k}: ${str(v)}`);
  if (e.type === 'contact_refused') {
    const reasons = Array.isArray(d.reasons) ? (d.reasons as unknown[]).map(String).join(', ') : str(d.reasons);
    return {
      title: `${channel ?? 'Contact'} blocked by compliance`,
      tone: 'refused',
      facts: facts([
        ['reasons', reasons],
        ['purpose', d.purpose],
        ['next allowed', d.next_allowed_at],
      ]),
    };
  }
  if (e.type === 'contact_queued')
    return {
      title: `${channel ?? 'Contact'} allowed and queued`,
      tone: 'contact',
      facts: facts([
        ['purpose', d.purpose],
        ['template', d.template_id],
        ['status now', e.status],
        ['scheduled for', d.scheduled_for],
        ['failure', d.failure_reason],
      ]),
    };
  if (e.type.startsWith('contact_'))
    return {
      title: `${channel ?? 'Contact'} ${e.type.slice('contact_'.length).replace(/_/g, ' ')}`,
      tone: 'contact',
      facts: facts([['provider', d.provider]]),
    };
  if (e.type === 'payment')
    return {
      title: `Payment ${e.status ?? ''}`.trim(),
      tone: 'payment',
      facts: facts([
        ['amount', typeof d.amount === 'number' ? `${d.amount.toFixed(2)} ${str(d.currency) ?? ''}`.trim() : d.amount],
        ['method', d.method],
        ['refunded', d.refunded ? d.refunded : null],
      ]),
    };
  if (e.type === 'payment_plan')
    return {
      title: `Payment plan ${e.status ?? ''}`.trim(),
      tone: 'plan',
      facts: facts([
        ['total', d.total],
        ['instalments', d.installments],
      ]),
    };
  const title = e.type.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
  const tone: EventTone = e.type.includes('dispute') ? 'dispute' : e.type.includes('plan') ? 'plan' : 'invoice';
  return {
    title,
    tone,
    facts: facts([
      ['status', e.status],
      ['from', d.from_status],
      ['amount', d.amount],
      ['due', d.due_date],
      ['reason', d.reason],
      ['by', d.actor],
    ]),
  };
}
