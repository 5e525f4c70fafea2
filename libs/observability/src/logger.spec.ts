import { Writable } from 'node:stream';
import { createLogger } from './logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON with the service name and redacts personal data and credentials', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ service: 'notifier', destination: stream });
    logger.info(
      {
        debtor: { name: 'Jane Doe', phone: '+447700900123', email: 'jane@example.com' },
        req: { headers: { authorization: 'Bearer s3cret' } },
      },
      'sent',
    );
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ service: 'notifier', level: 'info', msg: 'sent' });
    const text = lines.join('');
    for (const secret of ['Jane Doe', '+447700900123', 'jane@example.com', 's3cret']) expect(text).not.toContain(secret);
    expect(entry.debtor.phone).toBe('[redacted]');
  });
});
