/**
 * Wording no template may use: threats, false statements and false urgency (Administration of
 * Justice Act 1970 s.40; CONC 7.3.4R, 7.3.10R, 7.3.18R; FDCPA 1692d-e for the US; OFT664 ch. 3).
 * Each entry: a pattern, and why it is banned. Matching is case-insensitive on rendered text.
 */
export const BANNED_PHRASES: ReadonlyArray<{ pattern: RegExp; why: string }> = [
  { pattern: /\bbailiffs?\b|\benforcement agents?\b/i, why: 'threat of enforcement that has not been authorised by a court' },
  {
    pattern: /\b(take|taking) you to court\b|\bcourt action will\b|\bwill (start|issue|begin) (court|legal) (proceedings|action)\b/i,
    why: 'states court action as certain to pressure (CONC 7.3.10R)',
  },
  { pattern: /\blegal action (will|is being)\b/i, why: 'states legal action as certain' },
  { pattern: /\b(arrest(ed)?|police|prison|jail|criminal|crime|fraud)\b/i, why: 'falsely implies a criminal matter' },
  { pattern: /\b(seize|repossess|take your (home|house|car|goods))\b/i, why: 'threatens property' },
  {
    pattern: /\b(sell|remortgage) (your|the) (home|house|property)\b|\b(borrow|take out a loan|use a credit card) to pay\b/i,
    why: 'pressure to borrow or sell property (CONC 7.3.10R)',
  },
  {
    pattern: /\b(urgent|urgently|immediately|act now|final warning|last chance|within 24 hours|today or else|right away)\b/i,
    why: 'false urgency',
  },
  {
    pattern: /\b(blacklist(ed)?|ruin(ed)? your credit|credit (rating|score) will be (ruined|destroyed))\b/i,
    why: 'misleading statement about credit files',
  },
  { pattern: /\b(we|our agents?) will (visit|come to) (you|your)\b|\bdoorstep\b/i, why: 'threat of a visit' },
  {
    pattern: /\b(tell|inform|contact) your (employer|family|neighbours|friends)\b/i,
    why: 'threatens disclosure to third parties (CONC 7.9.7R)',
  },
  { pattern: /\b(official|government|court) (notice|demand)\b|\bdebt collection agency\b/i, why: 'falsely official-looking (CONC 7.3.4R)' },
  { pattern: /\b(failure to pay will|you have no choice|you must pay (now|today))\b/i, why: 'coercive wording' },
  { pattern: /!{1}/, why: 'exclamation marks read as pressure in a demand' },
  { pattern: /\b[A-Z]{5,}\b(?<!\bSTOP\b)/, why: 'shouting in capitals (STOP, the opt-out keyword, excepted)' },
];

export function findBannedPhrases(text: string): Array<{ match: string; why: string }> {
  const hits: Array<{ match: string; why: string }> = [];
  for (const { pattern, why } of BANNED_PHRASES) {
    const m = pattern.exec(text);
    if (m) hits.push({ match: m[0], why });
  }
  return hits;
}
