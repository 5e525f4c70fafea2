import { FeatureEncoder, fitFeatureSpecs, isNumericColumn } from './feature-encoding';

describe('feature encoding', () => {
  it('reads numbers, booleans and blanks as numeric, anything else as categorical', () => {
    expect(isNumericColumn(['1', ' 2.5', '', null, -3, true, '1e3'])).toBe(true);
    expect(isNumericColumn(['1', 'Yes'])).toBe(false);
  });

  it('orders categories by positive rate and sends unseen ones to missing', () => {
    const specs = fitFeatureSpecs(
      [
        { name: 'country', values: ['uk', 'us', 'fr', 'us', 'uk', 'fr'] },
        { name: 'amount', values: ['10', '20', '', '40', '50', '60'] },
      ],
      [1, 0, 1, 0, 1, 0],
    );
    expect(specs[0]).toEqual({ name: 'country', kind: 'categorical', categories: ['us', 'fr', 'uk'] });
    expect(specs[1]).toEqual({ name: 'amount', kind: 'numeric' });
    const encoder = new FeatureEncoder(specs);
    expect(Array.from(encoder.encode({ country: 'uk', amount: 12 }))).toEqual([2, 12]);
    const unseen = encoder.encode({ country: 'de', amount: undefined });
    expect(unseen.every(Number.isNaN)).toBe(true);
    expect(
      Array.from(
        encoder.encodeColumns(
          [
            ['fr', 'us'],
            ['1', 'x'],
          ],
          2,
        ),
      ),
    ).toEqual([1, 1, 0, NaN]);
  });

  it('encodes booleans as 1 and 0', () => {
    const encoder = new FeatureEncoder([{ name: 'flag', kind: 'numeric' }]);
    expect(encoder.encode({ flag: true })[0]).toBe(1);
    expect(encoder.encode({ flag: false })[0]).toBe(0);
  });
});
