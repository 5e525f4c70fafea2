import { CallEnding } from './call-ending';

const settled = { settled: true };
const busy = { settled: false };

describe('CallEnding', () => {
  it('end_call: due only once no response is active or waiting, no tool runs and everything has played', () => {
    const e = new CallEnding();
    expect(e.due(settled, true)).toBeNull(); // nothing asked
    e.endAfterGoodbye();
    expect(e.due(busy, true)).toBeNull();
    expect(e.due(settled, false)).toBeNull();
    e.toolStarted();
    expect(e.due(settled, true)).toBeNull();
    e.toolFinished();
    expect(e.due(settled, true)).toBe('agent ended the call');
  });

  it('drain: due once the committed turn is transcribed, the session settled and the minimum passed', () => {
    const e = new CallEnding();
    e.callerSpeaking = true;
    e.startDrain('caller hung up');
    e.commitSent();
    e.drainMinimumPassed();
    expect(e.due(settled, false)).toBeNull(); // the commit is not acknowledged yet
    e.committed('item_u');
    expect(e.due(settled, false)).toBeNull(); // its transcription is on its way
    e.transcribed('item_u');
    expect(e.due(busy, false)).toBeNull(); // the model is answering it
    expect(e.due(settled, false)).toBe('caller hung up'); // playback does not matter: nobody listens
  });

  it('drain: a refused commit (nothing said) does not hold the call; nor does playback', () => {
    const e = new CallEnding();
    e.startDrain('caller hung up');
    e.commitSent();
    e.commitRefused();
    expect(e.due(settled, false)).toBeNull(); // the minimum has not passed
    e.drainMinimumPassed();
    expect(e.due(settled, false)).toBe('caller hung up');
  });
});
