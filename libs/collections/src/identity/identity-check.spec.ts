import { identityAnswerMatches, identityMethodFor, parseSpokenDate, postcodeOf, spokenCharacters } from './identity-check';

const record = { postcode: null, address: { lines: ['1 High St'], postcode: 'SW1A 2AA' }, invoiceReference: 'INV-2026-0042' };
const keys = (digits: string) => ({ digits });
const says = (speech: string) => ({ speech });

describe('identity before disclosure: the answer is checked by our code', () => {
  it('confirms the last four characters of the reference, keyed or said, and the whole reference', () => {
    expect(identityAnswerMatches('invoice_reference', record, keys('0042'))).toBe(true);
    expect(identityAnswerMatches('invoice_reference', record, says('zero zero four two'))).toBe(true);
    expect(identityAnswerMatches('invoice_reference', record, says('INV 2026 0042'))).toBe(true);
    expect(identityAnswerMatches('invoice_reference', record, keys('0043'))).toBe(false);
    expect(identityAnswerMatches('invoice_reference', record, keys('20260042'))).toBe(false);
    expect(identityAnswerMatches('invoice_reference', record, says(''))).toBe(false);
  });

  it('confirms the postcode on file (column first, else the address), however it is spaced or said', () => {
    expect(identityAnswerMatches('postcode', record, says('sw1a 2aa'))).toBe(true);
    expect(identityAnswerMatches('postcode', record, says('S W one A, 2 A A.'))).toBe(true);
    expect(identityAnswerMatches('postcode', record, says('SW1A 2AB'))).toBe(false);
    // The words around the answer are not part of it; other words are.
    expect(identityAnswerMatches('postcode', record, says('Yes, my postcode is SW1A 2AA.'))).toBe(true);
    expect(identityAnswerMatches('postcode', record, says('It is SW1A 2AA I think'))).toBe(false);
    expect(identityAnswerMatches('invoice_reference', record, says('The last four are 0 0 4 2.'))).toBe(true);
    expect(identityAnswerMatches('postcode', { ...record, postcode: 'LS1 4AP' }, says('LS1 4AP'))).toBe(true);
    expect(identityAnswerMatches('postcode', { ...record, address: null }, says('SW1A 2AA'))).toBe(false);
    expect(postcodeOf({ address: { lines: [], postal_code: 'M1 1AA' } })).toBe('M1 1AA');
    expect(spokenCharacters('Oh, one - nine')).toBe('019');
  });

  it('confirms a date of birth said or keyed in any common form, and nothing else', () => {
    const dob = { ...record, dateOfBirth: new Date('1980-03-05') };
    for (const said of ['5 March 1980', 'the 5th of March, 1980', '05/03/1980', '1980-03-05'])
      expect(identityAnswerMatches('date_of_birth', dob, says(said))).toBe(true);
    expect(identityAnswerMatches('date_of_birth', dob, keys('05031980'))).toBe(true);
    expect(identityAnswerMatches('date_of_birth', dob, keys('03051980'))).toBe(false);
    expect(identityAnswerMatches('date_of_birth', dob, says('Speaking.'))).toBe(false);
    expect(parseSpokenDate('31 February 1980')).toBeNull();
  });

  it("uses the tenant's method unless the record lacks it, then the invoice reference", () => {
    expect(identityMethodFor('postcode', record)).toBe('postcode');
    expect(identityMethodFor('postcode', { ...record, address: null })).toBe('invoice_reference');
    expect(identityMethodFor('date_of_birth', record)).toBe('invoice_reference');
    expect(identityMethodFor('date_of_birth', { ...record, dateOfBirth: new Date('1980-03-05') })).toBe('date_of_birth');
    expect(identityMethodFor('nonsense', record)).toBe('postcode');
  });
});
