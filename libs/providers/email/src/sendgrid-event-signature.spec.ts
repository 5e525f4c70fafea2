import { generateKeyPairSync, sign } from 'node:crypto';
import { SendGridEventVerifier } from './sendgrid-event-signature';

describe('SendGridEventVerifier', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const body = JSON.stringify([{ event: 'delivered', sg_event_id: 'e1', timestamp: 1700000000 }]);
  const timestamp = '1700000000';
  const signature = sign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64');

  it('accepts SendGrid-style ECDSA signatures made with the verification key', () => {
    expect(new SendGridEventVerifier(publicDer).verify(Buffer.from(body), signature, timestamp)).toBe(true);
  });

  it('refuses a changed body, another timestamp, a missing or malformed signature', () => {
    const v = new SendGridEventVerifier(publicDer);
    expect(v.verify(body.replace('delivered', 'open'), signature, timestamp)).toBe(false);
    expect(v.verify(body, signature, '1700000001')).toBe(false);
    expect(v.verify(body, undefined, timestamp)).toBe(false);
    expect(v.verify(body, 'not-a-signature', timestamp)).toBe(false);
  });
});
