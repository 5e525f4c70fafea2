import { SseParser } from './sse';

describe('SseParser', () => {
  it('returns complete events across chunk boundaries and skips comments', () => {
    const p = new SseParser();
    expect(p.push('retry: 2000\n\n: ping\n\nevent: call\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\n\nevent: call\r\ndata: x\r\ndata: y\r\n\r\n')).toEqual([
      { event: 'call', data: '{"a":1}' },
      { event: 'call', data: 'x\ny' },
    ]);
  });
});
