import type { IvrCallStatus, IvrCallView, IvrIntent } from '@recoup/contracts';

export const INTENT_LABEL: Record<IvrIntent, string> = {
  willing_to_pay: 'Willing to pay',
  needs_negotiation: 'Needs negotiation',
  unclear: 'Pending clarification',
  no_response: 'No response',
  vulnerable: 'Vulnerable: paused, for a person',
};

/** The product's colours: green willing to pay, orange needs negotiation, blue pending clarification, grey no response. */
export const INTENT_COLOUR: Record<IvrIntent, string> = {
  willing_to_pay: '#1a7f37',
  needs_negotiation: '#d4760a',
  unclear: '#1f6feb',
  no_response: '#6e7781',
  vulnerable: '#8250df',
};

export const STATUS_LABEL: Record<IvrCallStatus, string> = {
  initiated: 'Dialling',
  in_progress: 'In progress',
  confirmed: 'Confirmed',
  needs_negotiation: 'Negotiating',
  pending_clarification: 'Pending',
  no_response: 'No response',
  transferred: 'Transferred',
  completed: 'Completed',
  failed: 'Failed',
};

export function money(amount: number | null | undefined, currency = 'GBP'): string {
  if (amount === null || amount === undefined) return '—';
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(amount);
}

export function when(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

export function planText(call: IvrCallView): string {
  const p = call.payment_plan;
  if (!p) return '—';
  return `${money(p.monthly_amount, call.currency)} × ${p.months}`;
}

/** Keeps the list newest first, replacing a call already shown. */
export function upsertCall(calls: IvrCallView[], call: IvrCallView): IvrCallView[] {
  const rest = calls.filter((c) => c.id !== call.id);
  return [call, ...rest].sort((a, b) => (a.created_at < b.created_at ? 1 : a.created_at > b.created_at ? -1 : 0));
}
