import { countSmsSegments, smsEncoding } from './sms-segments';

describe('SMS segment counting', () => {
  it.each([
    ['', 0],
    ['a'.repeat(160), 1],
    ['a'.repeat(161), 2],
    ['a'.repeat(306), 2],
    ['a'.repeat(307), 3],
    ['a'.repeat(459), 3],
    ['a'.repeat(460), 4],
  ])('GSM-7 %#: %s chars', (text, segments) => {
    expect(countSmsSegments(text).segments).toBe(segments);
  });

  it('counts £, é and other basic-table characters once', () => {
    const text = '£'.repeat(80) + 'é'.repeat(80);
    expect(countSmsSegments(text)).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
  });

  it('counts extension characters (€ [ ] { } ~ ^ | \\) twice', () => {
    expect(countSmsSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(countSmsSegments('a'.repeat(159) + '€')).toMatchObject({ units: 161, segments: 2 });
    expect(countSmsSegments('[]{}~^|\\')).toMatchObject({ units: 16, segments: 1 });
  });

  it('never splits an escape pair across parts', () => {
    // 152 septets then a 2-septet €: 154 > 153, so € starts part 2; 152 + 2 + 151 = 305 units
    // would fit two parts by arithmetic alone, but needs three.
    const text = 'a'.repeat(152) + '€' + 'a'.repeat(152);
    expect(countSmsSegments(text)).toMatchObject({ units: 306, segments: 3 });
  });

  it('switches to UCS-2 for characters outside GSM-7, with 70/67 limits', () => {
    expect(smsEncoding('Curly ’ quote')).toBe('UCS-2');
    expect(countSmsSegments('ê'.repeat(70))).toMatchObject({ encoding: 'UCS-2', segments: 1 });
    expect(countSmsSegments('ê'.repeat(71))).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(countSmsSegments('ê'.repeat(134))).toMatchObject({ segments: 2 });
    expect(countSmsSegments('ê'.repeat(135))).toMatchObject({ segments: 3 });
    expect(countSmsSegments('Pay now ’').nonGsmCharacters).toEqual(['’']);
  });

  it('counts an emoji as two UTF-16 units and never splits it', () => {
    expect(countSmsSegments('😀'.repeat(35))).toMatchObject({ units: 70, segments: 1 });
    expect(countSmsSegments('a' + '😀'.repeat(35))).toMatchObject({ units: 71, segments: 2 });
    // 66 units then a 2-unit emoji: it cannot fit in part 1's last unit.
    expect(countSmsSegments('ê'.repeat(66) + '😀' + 'ê'.repeat(66))).toMatchObject({ units: 134, segments: 3 });
  });
});
