import { addressBlock, renderLetterPdf } from './letter-pdf.renderer';
import type { LetterContent } from './letter-sender.port';

const content: LetterContent = {
  date: '22 November 2026',
  sender: {
    name: 'Acme Supplies Ltd',
    addressLines: ['1 Example Street', 'Manchester M1 1AA'],
    phone: '0161 496 0000',
    email: 'accounts@acme.example',
  },
  subject: 'Invoice INV-10442 is overdue',
  greeting: 'Dear Sam Taylor,',
  paragraphs: ['Our records show GBP 240.00 is outstanding.'],
  facts: [
    ['Invoice', 'INV-10442'],
    ['Amount outstanding', 'GBP 240.00'],
  ],
  notices: ['If you are struggling, free debt advice is available from MoneyHelper.'],
  signOff: ['Yours sincerely,', 'Acme Supplies Ltd'],
};
const address = { lines: ['Flat 2', '10 High Street', 'Leeds'], postcode: 'ls1 4ab' };

/** pdfkit writes standard-font text as kerned TJ arrays of hex strings: join each array back into its line. */
function textLines(pdf: Buffer): string[] {
  return [...pdf.toString('latin1').matchAll(/\[([^\]]*)\]\s*TJ/g)].map((m) =>
    [...(m[1] ?? '').matchAll(/<([0-9a-f]*)>/gi)].map((h) => Buffer.from(h[1] ?? '', 'hex').toString('latin1')).join(''),
  );
}
const hasText = (pdf: Buffer, text: string) => textLines(pdf).some((l) => l.includes(text));

describe('renderLetterPdf', () => {
  it('renders an A4 PDF with the confidentiality marking and the address in the window', async () => {
    const { pdf, pages } = await renderLetterPdf('Sam Taylor', address, content, { compress: false });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pages).toBe(1);
    expect(pdf.toString('latin1')).toMatch(/MediaBox \[0 0 595\.28 841\.89\]/);
    for (const text of ['PRIVATE AND CONFIDENTIAL', 'Sam Taylor', '10 High Street', 'LS1 4AB', 'INV-10442'])
      expect(hasText(pdf, text)).toBe(true);
  });

  it('puts the postcode on its own line, upper case, and the country only when abroad', () => {
    expect(addressBlock('Sam Taylor', address)).toEqual(['Sam Taylor', 'Flat 2', '10 High Street', 'Leeds', 'LS1 4AB']);
    expect(addressBlock('A', { lines: ['1 Rue X', 'Paris'], postcode: '75001', country: 'France' }).at(-1)).toBe('FRANCE');
    expect(addressBlock('A', { lines: ['x'], postcode: 'M1 1AA', country: 'United Kingdom' }).at(-1)).toBe('M1 1AA');
  });
});
