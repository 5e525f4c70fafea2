import { DEBTOR_SCRIPTS } from './debtor-scripts';
import { simulateCall, type SimulationResult } from './simulator';

/** The fake speech carries 2 characters in each 20 ms frame of 160 mu-law bytes. */
const charsHeard = (audioEndMs: number) => ((audioEndMs * 8) / 160) * 2;

describe('call simulator: barge-in (the debtor talks over the agent)', () => {
  let r: SimulationResult;
  beforeAll(async () => {
    r = await simulateCall({ script: DEBTOR_SCRIPTS['barge-in']!, frameMs: 10 });
  }, 120_000);

  it('playback stops and every item playing is cut at a position the phone confirmed as played', () => {
    const { clears, truncations } = r.playback;
    expect(clears).toHaveLength(1);
    const before = clears[0]!.playedMarksBefore;
    const last = before.at(-1) ?? '';
    const playing = last.slice(0, last.lastIndexOf(':'));
    expect(truncations.map((t) => t.item_id)).toContain(playing);
    for (const t of truncations) {
      const confirmed = before.filter((m) => m.startsWith(`${t.item_id}:`)).map((m) => Number(m.slice(m.lastIndexOf(':') + 1)) / 8);
      // Never a position only sent: one Twilio acknowledged (the latest the bridge had seen), or 0 for an item never heard.
      expect(confirmed.length ? confirmed : [0]).toContain(t.audio_end_ms);
    }
  });

  it('the stored agent turn is what the debtor heard of it, marked interrupted', () => {
    const cut = r.playback.truncations.find((t) => t.audio_end_ms > 0)!;
    // What the phone played of that utterance (its own record of the line), up to the cut.
    const interrupting = r.heard.findIndex((l) => l.speaker === 'user' && l.text.startsWith('Sorry, who'));
    const heardLine = r.heard.slice(interrupting + 1).find((l) => l.speaker === 'ai')!.text;
    const stored = r.status.transcript.split('\n').filter((l) => l.endsWith('[interrupted]'));
    expect(stored).toEqual([`[AI]: ${heardLine.slice(0, charsHeard(cut.audio_end_ms)).trim()} [interrupted]`]);
    expect(r.status.transcript).toContain('[USER]: Sorry, who did you say you were?');
  });
});
