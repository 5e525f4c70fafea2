import { Keypad, keyedText } from './keypad';

describe('Keypad', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands on a sequence ended by # or *, or after a pause, once; ignores what is not a key', () => {
    const got: Array<[string, string | null]> = [];
    const k = new Keypad((d, t) => got.push([d, t]), 2_000);
    for (const d of ['1', '2', 'x', '3', '#']) k.press(d);
    k.press('0');
    jest.advanceTimersByTime(1_999);
    expect(got).toEqual([['123', '#']]);
    jest.advanceTimersByTime(1);
    expect(got).toEqual([
      ['123', '#'],
      ['0', null],
    ]);
    k.press('*');
    expect(got.at(-1)).toEqual(['', '*']);
    k.flush();
    expect(got).toHaveLength(3);
  });

  it('says in words what was keyed', () => {
    expect(keyedText('1984', '#')).toBe('[The caller keyed 1 9 8 4 on the phone keypad then #]');
    expect(keyedText('0', null)).toBe('[The caller keyed 0 on the phone keypad]');
    expect(keyedText('', '*')).toBe('[The caller pressed * on the phone keypad]');
  });
});
