import type { TimelineEvent } from './gateway';
import { describeEvent } from './journey';

const event = (type: string, over: Partial<TimelineEvent> = {}): TimelineEvent => ({
  at: '2026-11-18T11:00:00.000Z',
  type,
  channel: null,
  status: null,
  detail: {},
  ...over,
});

describe('invoice journey events', () => {
  it('shows a refused contact as the compliance decision with its reasons', () => {
    const d = describeEvent(
      event('contact_refused', {
        channel: 'sms',
        status: 'blocked',
        detail: { reasons: ['breathing_space', 'outside_hours'], purpose: 'reminder' },
      }),
    );
    expect(d).toEqual({
      title: 'SMS blocked by compliance',
      tone: 'refused',
      facts: ['reasons: breathing_space, outside_hours', 'purpose: reminder'],
    });
  });

  it('names contacts, payments and disputes', () => {
    expect(describeEvent(event('contact_queued', { channel: 'email', status: 'delivered', detail: { purpose: 'reminder' } })).title).toBe(
      'Email allowed and queued',
    );
    expect(describeEvent(event('contact_delivered', { channel: 'letter' })).title).toBe('Letter delivered');
    const paid = describeEvent(
      event('payment', { status: 'succeeded', detail: { amount: 100, currency: 'GBP', method: 'card', refunded: 0 } }),
    );
    expect(paid).toEqual({ title: 'Payment succeeded', tone: 'payment', facts: ['amount: 100.00 GBP', 'method: card'] });
    expect(describeEvent(event('dispute_opened', { status: 'disputed', detail: { reason: 'Never received' } }))).toMatchObject({
      title: 'Dispute opened',
      tone: 'dispute',
    });
  });
});
