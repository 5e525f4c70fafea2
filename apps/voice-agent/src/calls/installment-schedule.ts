import { dateOnly, isoDate } from '@recoup/collections';

/**
 * Splits a balance into `count` instalments that add up to it to the penny (the odd pence on the first ones), due
 * every week or every calendar month from `firstIso` (a month-end date stays at the end of shorter months).
 */
export function installmentSchedule(
  totalPence: number,
  count: number,
  frequency: 'weekly' | 'monthly',
  firstIso: string,
): Array<{ dueDate: Date; amountPence: number }> {
  const base = Math.floor(totalPence / count);
  const odd = totalPence - base * count;
  const first = dateOnly(firstIso);
  return Array.from({ length: count }, (_, k) => ({ dueDate: dueDateOf(first, k, frequency), amountPence: base + (k < odd ? 1 : 0) }));
}

function dueDateOf(first: Date, k: number, frequency: 'weekly' | 'monthly'): Date {
  if (frequency === 'weekly') return new Date(first.getTime() + k * 7 * 86_400_000);
  const y = first.getUTCFullYear();
  const m = first.getUTCMonth() + k;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return dateOnly(isoDate(new Date(Date.UTC(y, m, Math.min(first.getUTCDate(), lastDay)))));
}
