import type { ContactRequest } from '../evaluation.types';
import type { ContactHistoryEntry, DebtFacts, DebtorFacts } from '../contact.types';

/** A contact that every rule allows (Monday 23 November 2026, noon in London), to vary one fact at a time. */
export function contactRequest(
  overrides: Partial<Omit<ContactRequest, 'debtor' | 'debt'>> & { debtor?: Partial<DebtorFacts>; debt?: Partial<DebtFacts> | null } = {},
): ContactRequest {
  const { debtor, debt, ...rest } = overrides;
  return {
    channel: 'ai_call',
    purpose: 'reminder',
    now: new Date('2026-11-23T12:00:00Z'),
    history: [],
    ...rest,
    debtor: {
      kind: 'consumer',
      nation: 'england_wales',
      timezone: 'Europe/London',
      phone: '+447400123456',
      email: 'debtor@example.test',
      ...debtor,
    },
    debt: debt === null ? null : { id: 'inv-1', amountPence: 120_00, paidPence: 0, dueDate: '2026-11-01', status: 'overdue', ...debt },
  };
}

export function past(
  channel: ContactHistoryEntry['channel'],
  at: string,
  status: ContactHistoryEntry['status'] = 'delivered',
  extra: Partial<ContactHistoryEntry> = {},
): ContactHistoryEntry {
  return { channel, at: new Date(at), status, invoiceId: 'inv-1', ...extra };
}
