import { PlaybackTracker, base64Bytes, heardText } from './playback-tracker';

describe('PlaybackTracker', () => {
  it('names each chunk’s mark by item and bytes sent so far; an echo moves the played position, never back', () => {
    const t = new PlaybackTracker();
    expect(t.audioSent('item_a', 800, 'resp_1')).toBe('item_a:800');
    expect(t.audioSent('item_a', 800, 'resp_1')).toBe('item_a:1600');
    expect(t.markPlayed('item_a:1600')).toBeNull(); // generation not done yet
    t.markPlayed('item_a:800'); // a late echo does not move it back
    const [cut] = t.interrupt();
    expect(cut?.audioEndMs).toBe(200);
  });

  it('an item has played once all its audio was generated and its last mark echoed, in either order', () => {
    const t = new PlaybackTracker();
    t.audioSent('item_a', 800);
    expect(t.idle).toBe(false);
    expect(t.markPlayed('item_a:800')).toBeNull();
    expect(t.audioDone('item_a')?.itemId).toBe('item_a');
    expect(t.idle).toBe(true);
    t.audioSent('item_b', 160);
    expect(t.audioDone('item_b')).toBeNull();
    expect(t.unplayedMs).toBe(20);
    expect(t.markPlayed('item_b:160')?.itemId).toBe('item_b');
  });

  it('interrupt cuts every item still playing at its played position and ignores what still arrives for them', () => {
    const t = new PlaybackTracker();
    t.audioSent('item_a', 2400, 'resp_1');
    t.audioDone('item_a', 'resp_1');
    t.audioSent('item_b', 800, 'resp_1');
    t.markPlayed('item_a:800');
    const cuts = t.interrupt('resp_2');
    expect(cuts.map((c) => [c.item.itemId, c.audioEndMs])).toEqual([
      ['item_a', 100],
      ['item_b', 0],
    ]);
    expect(t.markPlayed('item_a:2400')).toBeNull();
    expect(t.audioSent('item_b', 800, 'resp_1')).toBeNull();
    expect(t.audioSent('item_c', 800, 'resp_1')).toBeNull(); // another item of the interrupted response
    expect(t.audioSent('item_d', 800, 'resp_2')).toBeNull(); // the response active at the barge-in
    expect(t.audioSent('item_e', 800, 'resp_3')).toBe('item_e:800');
    expect(t.interrupt().map((c) => c.item.itemId)).toEqual(['item_e']);
  });

  it('turnText: the whole transcript once played; the heard share marked [interrupted]; nothing for an item never heard', () => {
    const t = new PlaybackTracker();
    t.transcriptDelta('item_a', 'Hello there');
    t.audioSent('item_a', 800);
    t.audioDone('item_a');
    const a = t.transcriptDone('item_a', 'Hello there');
    expect(t.turnText(a)).toBeUndefined(); // not played yet
    t.markPlayed('item_a:800');
    expect(t.turnText(a)).toBe('Hello there');
    t.transcriptDelta('item_b', 'abcdefgh');
    t.audioSent('item_b', 1600);
    t.transcriptDelta('item_c', 'never heard');
    t.audioSent('item_c', 800);
    t.markPlayed('item_b:400'); // a mark mid-chunk: a quarter heard
    const [b, c] = t.interrupt().map((x) => x.item);
    expect(t.turnText(b!)).toBe('ab [interrupted]');
    expect(t.turnText(c!)).toBe('');
  });

  it('an item cut after it was fully generated waits for its final transcript (unless the call is over)', () => {
    const t = new PlaybackTracker();
    t.transcriptDelta('item_a', 'Would you');
    t.audioSent('item_a', 800);
    t.audioDone('item_a');
    t.markPlayed('item_a:400');
    const [cut] = t.interrupt();
    expect(t.turnText(cut!.item)).toBeUndefined();
    expect(t.turnText(cut!.item, true)).toBe('Would [interrupted]');
    t.transcriptDone('item_a', 'Would you like to');
    expect(t.turnText(cut!.item)).toBe('Would you [interrupted]');
  });

  it('heardText cuts in proportion, a partly played character counting as heard', () => {
    expect(heardText({ transcript: 'abcde', sentBytes: 500, playedBytes: 100 })).toBe('a');
    expect(heardText({ transcript: 'abcde', sentBytes: 500, playedBytes: 101 })).toBe('ab');
    expect(heardText({ transcript: 'abcde', sentBytes: 500, playedBytes: 500 })).toBe('abcde');
    expect(heardText({ transcript: 'abcde', sentBytes: 500, playedBytes: 0 })).toBe('');
    expect(base64Bytes(Buffer.alloc(161).toString('base64'))).toBe(161);
  });
});
