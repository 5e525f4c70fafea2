import { OpenApiContract } from './openapi-contract';

const twilio = OpenApiContract.load('twilio');
const sendgrid = OpenApiContract.load('sendgrid-mail');
const ACCOUNT = `AC${'a'.repeat(32)}`;
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;
const CALLS = `/2010-04-01/Accounts/${ACCOUNT}/Calls.json`;
const form = 'application/x-www-form-urlencoded';

describe('OpenApiContract: requests and answers held to the vendor’s own description', () => {
  it('passes a message Twilio documents', () => {
    expect(
      twilio.checkRequest({
        method: 'POST',
        path: MESSAGES,
        contentType: form,
        body: { To: '+447700900123', From: '+447700900000', Body: 'Hello', StatusCallback: 'https://n.example.com/cb' },
      }),
    ).toEqual([]);
  });

  it('names a missing required parameter, an undocumented one, a wrong type and a wrong media type', () => {
    const messages = twilio.checkRequest({
      method: 'POST',
      path: MESSAGES,
      contentType: form,
      body: { From: '+447700900000', Bodyy: 'Hi' },
    });
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/form parameter Bodyy is not documented/),
        expect.stringMatching(/must have required property 'To'/),
      ]),
    );
    const call = twilio.checkRequest({
      method: 'POST',
      path: CALLS,
      contentType: form,
      body: { To: '+447700900123', From: '+447700900000', Timeout: 'soon' },
    });
    expect(call).toEqual([expect.stringMatching(/form\/Timeout must be integer/)]);
    expect(twilio.checkRequest({ method: 'POST', path: MESSAGES, contentType: 'application/json', body: { To: '+44' } })).toEqual([
      expect.stringMatching(/body sent as application\/json, the operation takes application\/x-www-form-urlencoded/),
    ]);
  });

  it('coerces form strings and repeated keys to the documented types (Timeout, Record, StatusCallbackEvent)', () => {
    expect(
      twilio.checkRequest({
        method: 'POST',
        path: CALLS,
        contentType: form,
        body: {
          To: '+447700900123',
          From: '+447700900000',
          Url: 'https://v.example.com/a',
          Timeout: '30',
          Record: 'true',
          StatusCallbackEvent: ['initiated', 'completed'],
        },
      }),
    ).toEqual([]);
  });

  it('refuses a path the vendor does not have', () => {
    expect(twilio.checkRequest({ method: 'POST', path: `/2010-04-01/Accounts/${ACCOUNT}/Message.json` })).toEqual([
      expect.stringMatching(/is not an operation of twilio's API/),
    ]);
  });

  it('holds answers to the documented status and schema', () => {
    expect(
      twilio.checkResponse('POST', MESSAGES, 201, { sid: `SM${'b'.repeat(32)}`, status: 'queued', price: null, num_segments: '1' }),
    ).toEqual([]);
    expect(twilio.checkResponse('POST', MESSAGES, 200, { sid: 'SM1' })).toEqual([
      expect.stringMatching(/answered 200, which the operation does not document/),
    ]);
    expect(twilio.checkResponse('POST', MESSAGES, 201, { sid: `SM${'c'.repeat(32)}`, num_segments: 1 })).toEqual([
      expect.stringMatching(/num_segments must be string/),
    ]);
  });

  it('checks JSON bodies against SendGrid’s Mail Send schema', () => {
    const good = {
      personalizations: [{ to: [{ email: 'sam@example.com' }], custom_args: { contact_attempt_id: 'a1' } }],
      from: { email: 'collections@recoup.example' },
      subject: 'Invoice overdue',
      content: [{ type: 'text/plain', value: 'Please pay.' }],
    };
    expect(sendgrid.checkRequest({ method: 'POST', path: '/v3/mail/send', contentType: 'application/json', body: good })).toEqual([]);
    const { personalizations: _dropped, ...bad } = good;
    expect(
      sendgrid.checkRequest({ method: 'POST', path: '/v3/mail/send', contentType: 'application/json', body: { ...bad, subjct: 'x' } }),
    ).toEqual(
      expect.arrayContaining([expect.stringMatching(/personalizations/), expect.stringMatching(/body field subjct is not documented/)]),
    );
    expect(sendgrid.checkResponse('POST', '/v3/mail/send', 202, undefined)).toEqual([]);
  });
});
