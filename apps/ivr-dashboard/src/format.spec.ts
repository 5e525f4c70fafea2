import type { IvrCallView } from '@recoup/contracts';
import { INTENT_COLOUR, money, upsertCall } from './format';

const call = (id: string, created_at: string, status: IvrCallView['status'] = 'in_progress') => ({ id, created_at, status }) as IvrCallView;

describe('dashboard formatting', () => {
  it('uses the product colours for the four intents, and its own for a vulnerable debtor (collection paused)', () => {
    expect(INTENT_COLOUR).toEqual({
      willing_to_pay: '#1a7f37',
      needs_negotiation: '#d4760a',
      unclear: '#1f6feb',
      no_response: '#6e7781',
      vulnerable: '#8250df',
    });
  });

  it('formats money in pounds', () => {
    expect(money(1234.5)).toBe('£1,234.50');
    expect(money(null)).toBe('—');
  });

  it('puts a new call first and replaces an updated one in place', () => {
    const list = [call('b', '2026-01-02T00:00:00Z'), call('a', '2026-01-01T00:00:00Z')];
    expect(upsertCall(list, call('c', '2026-01-03T00:00:00Z')).map((c) => c.id)).toEqual(['c', 'b', 'a']);
    const updated = upsertCall(list, call('a', '2026-01-01T00:00:00Z', 'confirmed'));
    expect(updated.map((c) => [c.id, c.status])).toEqual([
      ['b', 'in_progress'],
      ['a', 'confirmed'],
    ]);
  });
});
