import { PhoneNumber, checkPhoneNumber, normalisePhoneNumber, phoneNumberSchema } from './phone-number';

describe('the one phone-number rule', () => {
  it('accepts UK mobiles and landlines in E.164 form', () => {
    expect(checkPhoneNumber('+447400123456')).toEqual({ valid: true, e164: '+447400123456', fictional: false });
    expect(checkPhoneNumber('+442071234567')).toMatchObject({ valid: true, fictional: false });
  });

  it("accepts Ofcom's drama range (07700 900000-900999) as a fictional number, and nothing next to it", () => {
    expect(checkPhoneNumber('+447700900123')).toEqual({ valid: true, e164: '+447700900123', fictional: true });
    expect(checkPhoneNumber('+447700900000')).toMatchObject({ valid: true, fictional: true });
    expect(checkPhoneNumber('+447700900999')).toMatchObject({ valid: true, fictional: true });
    expect(checkPhoneNumber('+441632960001')).toMatchObject({ valid: true, fictional: true });
    expect(checkPhoneNumber('+447700901123')).toEqual({ valid: false, reason: 'not a valid UK mobile or landline number' });
    // A US profile does not take a UK drama number.
    expect(checkPhoneNumber('+447700900123', { callingCode: '1' })).toMatchObject({ valid: false });
  });

  it('says why a number is refused', () => {
    expect(checkPhoneNumber('07400123456')).toMatchObject({ valid: false, reason: expect.stringContaining('not an E.164 number') });
    expect(checkPhoneNumber('+12025550123')).toEqual({ valid: false, reason: 'not a UK number (expected +44)' });
    expect(checkPhoneNumber('+44740012345')).toEqual({ valid: false, reason: 'not a valid UK mobile or landline number' });
    expect(checkPhoneNumber('+12025550123', { callingCode: '1' })).toMatchObject({ valid: true });
  });

  it('normalises a caller ID given in national or spaced form', () => {
    expect(normalisePhoneNumber('07400 123456')).toBe('+447400123456');
    expect(normalisePhoneNumber('+44 7700 900123')).toBe('+447700900123');
    expect(normalisePhoneNumber('anonymous')).toBeNull();
    expect(normalisePhoneNumber('')).toBeNull();
  });

  it('is a zod schema whose issue is the reason', () => {
    expect(PhoneNumber.safeParse('+447700900123').success).toBe(true);
    const bad = phoneNumberSchema().safeParse('+44740012345');
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toBe('not a valid UK mobile or landline number');
  });
});
