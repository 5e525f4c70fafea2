import { createTestDatabase, type TestDatabase } from '@recoup/testing';
import { describeLetterSenderContract } from './letter-sender.contract';
import { SandboxLetterSender } from './sandbox-letter-sender';

describe('SandboxLetterSender', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('keeps the PDF in sandbox_messages.document, once per key', async () => {
    const sender = new SandboxLetterSender(database.db);
    const letter = {
      idempotencyKey: 'job-letter-1',
      recipientName: 'Sam Taylor',
      address: { lines: ['10 High Street', 'Leeds'], postcode: 'LS1 4AB' },
      content: {
        date: '22 November 2026',
        sender: { name: 'Acme', addressLines: ['1 Example Street'] },
        subject: 'Overdue',
        greeting: 'Dear Sam,',
        paragraphs: ['Please pay.'],
        facts: [],
        notices: [],
        signOff: ['Acme'],
      },
    };
    const first = await sender.send(letter);
    const again = await sender.send(letter);
    expect(again).toMatchObject({ providerMessageId: first.providerMessageId, replayed: true });
    const rows = await database.db.sandboxMessage.findMany({ where: { idempotencyKey: 'job-letter-1' } });
    expect(rows).toHaveLength(1);
    expect(Buffer.from(rows[0]!.document!).subarray(0, 5).toString()).toBe('%PDF-');
    expect(rows[0]!.toAddress).toBe('Sam Taylor\n10 High Street\nLeeds\nLS1 4AB');
  });
});

describe('SandboxLetterSender as a LetterSender', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());
  describeLetterSenderContract('sandbox', () => new SandboxLetterSender(database.db));
});
