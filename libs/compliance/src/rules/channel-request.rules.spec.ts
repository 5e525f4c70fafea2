import { evaluateContact } from '../evaluate-contact';
import { contactRequest } from '../testing/contact-request.factory';

const codes = (d: ReturnType<typeof evaluateContact>) => d.reasons.map((r) => r.code);

describe("the debtor's channel requests (CONC 7.9)", () => {
  it('never uses a stopped channel again, and says so with no next time', () => {
    const d = evaluateContact(contactRequest({ channel: 'sms', debtor: { stoppedChannels: ['sms'] } }));
    expect(codes(d)).toEqual(['CHANNEL_STOPPED']);
    expect(d.nextAllowedAt).toBeNull();
    expect(evaluateContact(contactRequest({ channel: 'email', debtor: { stoppedChannels: ['sms'] } })).allowed).toBe(true);
  });

  it('still sends statutory notices (CONC 7.9.9G), noting the exception', () => {
    const d = evaluateContact(contactRequest({ channel: 'letter', purpose: 'statutory_notice', debtor: { stoppedChannels: ['letter'] } }));
    expect(d.allowed).toBe(true);
    expect(d.reasons).toEqual([expect.objectContaining({ code: 'STATUTORY_NOTICE_EXEMPT', severity: 'info' })]);
  });

  it('uses only the preferred channel, unless the tenant treats it as advice', () => {
    expect(codes(evaluateContact(contactRequest({ channel: 'sms', debtor: { preferredChannel: 'email' } })))).toEqual([
      'CHANNEL_NOT_PREFERRED',
    ]);
    expect(evaluateContact(contactRequest({ channel: 'email', debtor: { preferredChannel: 'email' } })).allowed).toBe(true);
    expect(
      evaluateContact(
        contactRequest({
          channel: 'sms',
          debtor: { preferredChannel: 'email' },
          config: { channelRequests: { preferredChannelExclusive: false } },
        }),
      ).allowed,
    ).toBe(true);
  });

  it('binds contact with the debtor, not with their adviser', () => {
    expect(
      evaluateContact(contactRequest({ channel: 'email', recipient: 'debt_adviser', debtor: { stoppedChannels: ['email'] } })).allowed,
    ).toBe(true);
  });
});

describe('purpose and details', () => {
  it('needs an address for the channel', () => {
    expect(codes(evaluateContact(contactRequest({ channel: 'email', debtor: { email: null } })))).toEqual(['CONTACT_DETAILS_MISSING']);
  });

  it('keeps calls for collection: a dispute acknowledgement is never a call', () => {
    expect(codes(evaluateContact(contactRequest({ channel: 'ai_call', purpose: 'dispute_acknowledgement' })))).toEqual([
      'PURPOSE_NOT_FOR_CHANNEL',
    ]);
  });

  it('rejects an unknown purpose loudly rather than guessing', () => {
    expect(() => evaluateContact(contactRequest({ purpose: 'chat' as never }))).toThrow(/unknown contact purpose/);
  });
});
