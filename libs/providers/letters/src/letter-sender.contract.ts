import type { LetterSender, OutboundLetter } from './letter-sender.port';

let seq = 0;
/** A second-class reminder to a UK address, as the notifier builds one. */
export function contractLetter(key = `contract-${process.pid}-${Date.now()}-${seq++}`): OutboundLetter {
  return {
    idempotencyKey: key,
    recipientName: 'Sam Taylor',
    address: { lines: ['Flat 2', '10 High Street', 'Leeds'], postcode: 'LS1 4AB' },
    content: {
      date: '30 November 2026',
      sender: { name: 'Acme Ltd', addressLines: ['1 Example Street', 'Bristol'], phone: '0117 496 0000' },
      subject: 'Invoice INV-1042 is overdue',
      greeting: 'Dear Sam Taylor,',
      paragraphs: ['Invoice INV-1042 for £420.00 was due on 1 November 2026 and is now overdue.', 'Please pay it or contact us.'],
      facts: [
        ['Invoice', 'INV-1042'],
        ['Balance', '£420.00'],
      ],
      action: { label: 'Pay online', url: 'https://pay.recoup.example/p/abc' },
      notices: ['If you are struggling to pay, free advice is available from MoneyHelper (0800 138 7777).'],
      signOff: ['Yours sincerely,', 'Acme Ltd'],
    },
  };
}

/** What every LetterSender promises, whichever printer (or none) is behind it. */
export function describeLetterSenderContract(name: string, make: () => LetterSender | Promise<LetterSender>): void {
  describe(`LetterSender contract: ${name}`, () => {
    let sender: LetterSender;
    beforeAll(async () => {
      sender = await make();
    });

    it('posts a letter and answers in the port’s terms: its id, a cost in whole pence, its pages', async () => {
      const posted = await sender.send(contractLetter());
      expect(posted.provider).toBe(sender.provider);
      expect(posted.providerMessageId).toEqual(expect.any(String));
      expect(posted.providerMessageId.length).toBeGreaterThan(0);
      expect(Number.isInteger(posted.costPence) && posted.costPence > 0).toBe(true);
      expect(Number.isInteger(posted.pages) && posted.pages >= 1).toBe(true);
      expect(posted.replayed).toBe(false);
    });

    it('posts once per send key: a retried job gets the first letter back, marked replayed', async () => {
      const letter = contractLetter();
      const first = await sender.send(letter);
      const again = await sender.send(letter);
      expect(again).toMatchObject({ providerMessageId: first.providerMessageId, replayed: true });
    });

    it('posts two letters for two keys', async () => {
      const [a, b] = await Promise.all([sender.send(contractLetter()), sender.send(contractLetter())]);
      expect(a.providerMessageId).not.toBe(b.providerMessageId);
    });
  });
}
