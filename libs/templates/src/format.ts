/** en-GB presentation of money and dates. Money is integer pence in, text out; never floats in between. */

export function assertPence(pence: number, what = 'amount'): void {
  if (!Number.isSafeInteger(pence)) throw new Error(`${what} must be an integer number of pence, got ${pence}`);
}

const GROUPED = new Intl.NumberFormat('en-GB');

/** 123456 -> "£1,234.56"; -500 -> "-£5.00". Formats from the integer parts, so no rounding ever happens. */
export function formatPence(pence: number, currency = 'GBP'): string {
  assertPence(pence);
  const sign = pence < 0 ? '-' : '';
  const abs = Math.abs(pence);
  const pounds = GROUPED.format(Math.floor(abs / 100));
  const symbol = currency === 'GBP' ? '£' : currency === 'USD' ? '$' : currency === 'EUR' ? '€' : `${currency} `;
  return `${sign}${symbol}${pounds}.${String(abs % 100).padStart(2, '0')}`;
}

/** For the voice flows: "240 pounds and 50 pence", "1,000 pounds". */
export function spokenPence(pence: number): string {
  assertPence(pence);
  const pounds = Math.floor(Math.abs(pence) / 100);
  const p = Math.abs(pence) % 100;
  const poundWord = pounds === 1 ? 'pound' : 'pounds';
  if (pounds === 0) return `${p} pence`;
  return p === 0 ? `${GROUPED.format(pounds)} ${poundWord}` : `${GROUPED.format(pounds)} ${poundWord} and ${p} pence`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseIsoDate(iso: string): Date {
  const m = ISO_DATE.exec(iso);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : new Date(NaN);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) throw new Error(`not an ISO date: "${iso}"`);
  return d;
}

// Built once: toLocaleDateString with options builds a new Intl.DateTimeFormat on every call, which was the
// templates' largest cost in the notifier bench's profile (a message formats a handful of dates).
const LONG_DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const SHORT_DATE = new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
const SPOKEN_DATE = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' });

/** A date's text is a pure function of the ISO date, and a day's messages format the same few dates: remembered. */
function remembered(format: (iso: string) => string): (iso: string) => string {
  const texts = new Map<string, string>();
  return (iso) => {
    let text = texts.get(iso);
    if (text === undefined) {
      text = format(iso);
      if (texts.size >= 5_000) texts.clear();
      texts.set(iso, text);
    }
    return text;
  };
}

/** "2026-11-21" -> "21 November 2026" (UK order, month in words so it cannot be misread). */
export const formatUkDate = remembered((iso) => LONG_DATE.format(parseIsoDate(iso)));

/** "2026-11-21" -> "21/11/2026", for tables and SMS. */
export const formatUkShortDate = remembered((iso) => SHORT_DATE.format(parseIsoDate(iso)));

/** "2026-11-23" -> "Monday 23 November". */
export const spokenDate = remembered((iso) => SPOKEN_DATE.format(parseIsoDate(iso)).replace(',', ''));

export function addDays(iso: string, days: number): string {
  return new Date(parseIsoDate(iso).getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: string, to: string): number {
  return Math.round((parseIsoDate(to).getTime() - parseIsoDate(from).getTime()) / 86_400_000);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** One pass, and none at all for text with nothing to escape (most of a message). */
export function escapeHtml(text: string): string {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch) : text;
}
