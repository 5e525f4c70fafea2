import { inboundIntent } from './inbound-intent';

describe('inboundIntent', () => {
  it.each([
    ['STOP', 'stop'],
    [' stop. ', 'stop'],
    ['Unsubscribe', 'stop'],
    ['START', 'start'],
    ['PAID', 'paid'],
    ["I've paid", 'paid'],
    ['paid already', 'paid'],
    ['CALL ME', 'call_me'],
    ['call me back please', 'call_me'],
    ['HELP', 'help'],
    ['please stop texting me about the stop sign', 'other'],
    ['who is this?', 'other'],
  ])('%s -> %s', (body, intent) => {
    expect(inboundIntent(body)).toBe(intent);
  });
});
