/** Spoken amounts ("fifty pounds", "£75.50", "a hundred and twenty quid") to minor units. */

const UNITS: Record<string, number> = {
  zero: 0,
  one: 1,
  a: 1,
  an: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const SCALES: Record<string, number> = { hundred: 100, thousand: 1000, grand: 1000 };
const CURRENCY_WORDS = /^(pounds?|quid|dollars?|bucks|euros?|sterling)$/;

/** Words of a number ("one hundred and fifty") starting at `start`; returns value and words used. */
function readNumberWords(words: string[], start: number): { value: number; used: number } | null {
  let total = 0;
  let current = 0;
  let used = 0;
  let any = false;
  for (let i = start; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w === 'and' && any) {
      used++;
      continue;
    }
    if (w in UNITS && !((w === 'a' || w === 'an') && !(words[i + 1] ?? '').match(/^(hundred|thousand|grand)$/))) {
      current += UNITS[w] ?? 0;
      any = true;
      used++;
      continue;
    }
    if (w in SCALES) {
      const scale = SCALES[w] ?? 1;
      current = (current || 1) * scale;
      if (scale >= 1000) {
        total += current;
        current = 0;
      }
      any = true;
      used++;
      continue;
    }
    if (/^\d+(\.\d{1,2})?$/.test(w)) break;
    break;
  }
  if (!any) return null;
  // A trailing "and" belongs to the sentence, not the number.
  while (used > 0 && words[start + used - 1] === 'and') used--;
  return { value: total + current, used };
}

function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/(\d),(\d{3})/g, '$1$2')
    .replace(/[£$€]/g, ' £ ')
    .replace(/(\d)(k)\b/g, '$1 thousand')
    .replace(/-/g, ' ')
    .replace(/[^a-z0-9.£ ]/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/\.$/, ''))
    .filter(Boolean);
}

export interface SpokenAmount {
  pence: number;
  /** A currency sign or word was next to it ("£50", "fifty pounds"): clearly money. */
  explicit: boolean;
}

/** Every amount in the text, in order. Numbers next to "month(s)"/"weeks"/"years" as a term are skipped. */
export function spokenAmounts(text: string): SpokenAmount[] {
  const words = tokens(text);
  const found: SpokenAmount[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    let value: number | null = null;
    let used = 0;
    if (/^\d+(\.\d{1,2})?$/.test(w)) {
      value = Number(w);
      used = 1;
      if (words[i + 1] === 'thousand') {
        value *= 1000;
        used = 2;
      } else if (words[i + 1] === 'hundred') {
        value *= 100;
        used = 2;
      }
    } else {
      const read = readNumberWords(words, i);
      if (read) {
        value = read.value;
        used = read.used;
      }
    }
    if (value === null) continue;
    const before = words[i - 1] ?? '';
    const after = words[i + used] ?? '';
    const afterNext = words[i + used + 1] ?? '';
    // "fifty pounds fifty" / "£20.50" / "20 pounds 50" are pounds and pence.
    let pence = Math.round(value * 100);
    const explicit = before === '£' || CURRENCY_WORDS.test(after);
    if (CURRENCY_WORDS.test(after) && /^\d{1,2}$/.test(afterNext)) pence += Number(afterNext);
    const isTerm = /^(months?|weeks?|years?|days?|payments?|instalments?|installments?)$/.test(after) && !explicit;
    if (!isTerm) found.push({ pence, explicit });
    i += Math.max(used - 1, 0);
  }
  return found;
}

/** A number of months the customer named ("over 18 months", "for a year"). */
export function spokenMonths(text: string): number | null {
  const words = tokens(text);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (/^months?$/.test(w)) {
      const prev = words[i - 1] ?? '';
      if (/^\d+$/.test(prev)) return Number(prev);
      for (let j = Math.max(0, i - 4); j < i; j++) {
        const read = readNumberWords(words, j);
        if (read && j + read.used === i) return read.value;
      }
    }
    if (/^years?$/.test(w)) {
      const prev = words[i - 1] ?? '';
      if (prev === 'a' || prev === 'one') return 12;
      if (/^\d+$/.test(prev)) return Number(prev) * 12;
      if (prev in UNITS) return (UNITS[prev] ?? 1) * 12;
    }
  }
  return null;
}
