import { identityAnswerMatches, postcodeOf, spokenCharacters } from './inbound-identity';

const record = { reference: 'INV-2026-0042', address: { lines: ['1 High St'], postcode: 'SW1A 2AA' } };
const keys = (digits: string) => ({ speech: '', digits });
const says = (speech: string) => ({ speech, digits: '' });

describe('the identity check of a call the debtor placed', () => {
  it('confirms the last four characters of the reference, keyed or said, and the whole reference', () => {
    expect(identityAnswerMatches('reference_last4', record, keys('0042'))).toBe(true);
    expect(identityAnswerMatches('reference_last4', record, says('zero zero four two'))).toBe(true);
    expect(identityAnswerMatches('reference_last4', record, says('INV 2026 0042'))).toBe(true);
    expect(identityAnswerMatches('reference_last4', record, keys('0043'))).toBe(false);
    expect(identityAnswerMatches('reference_last4', record, keys('20260042'))).toBe(false);
    expect(identityAnswerMatches('reference_last4', record, says(''))).toBe(false);
  });

  it('confirms the postcode on file, however it is spaced or said', () => {
    expect(identityAnswerMatches('postcode', record, says('sw1a 2aa'))).toBe(true);
    expect(identityAnswerMatches('postcode', record, says('S W one A, 2 A A.'))).toBe(true);
    expect(identityAnswerMatches('postcode', record, says('SW1A 2AB'))).toBe(false);
    expect(identityAnswerMatches('postcode', { ...record, address: null }, says('SW1A 2AA'))).toBe(false);
  });

  it('reads the postcode from either address shape', () => {
    expect(postcodeOf({ line1: '1 High St', postcode: 'LS1 1AA' })).toBe('LS1 1AA');
    expect(postcodeOf({ lines: [], postal_code: 'M1 1AA' })).toBe('M1 1AA');
    expect(postcodeOf({ lines: [] })).toBeNull();
    expect(spokenCharacters('Oh, one - nine')).toBe('019');
  });
});
