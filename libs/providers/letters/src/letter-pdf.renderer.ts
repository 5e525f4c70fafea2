import PDFDocument from 'pdfkit';
import type { LetterContent, PostalAddress } from './letter-sender.port';

const MM = 72 / 25.4;

/**
 * Where the recipient's address sits on A4 so that, folded in three, it shows through the window
 * of a DL envelope: a window of about 90 x 35 mm, 20 mm from the left edge and 45-50 mm from the
 * top of the sheet (Royal Mail "Addressing your mail"; common DL window specification).
 */
export const DL_WINDOW = { x: 22 * MM, y: 50 * MM, width: 85 * MM, height: 35 * MM } as const;

export interface RenderedPdf {
  pdf: Buffer;
  pages: number;
}

/**
 * Lays out a collection letter: the "Private and confidential" marking and the recipient's
 * address inside the window (CONC 7.9.10R: nothing visible outside may reveal the debt), the
 * creditor's address at the top right, then the body, facts table and required notices.
 */
export async function renderLetterPdf(
  recipientName: string,
  address: PostalAddress,
  content: LetterContent,
  options: { compress?: boolean } = {},
): Promise<RenderedPdf> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 20 * MM, bottom: 20 * MM, left: 22 * MM, right: 20 * MM },
    info: { Title: content.subject, Author: content.sender.name },
    compress: options.compress ?? true,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  let pages = 1;
  doc.on('pageAdded', () => (pages += 1));

  const right = doc.page.width - 20 * MM;
  const senderWidth = 70 * MM;
  doc
    .font('Helvetica-Bold')
    .fontSize(10)
    .text(content.sender.name, right - senderWidth, 20 * MM, { width: senderWidth, align: 'right' });
  doc.font('Helvetica').fontSize(9);
  for (const line of [...content.sender.addressLines, content.sender.phone, content.sender.email].filter((l): l is string => !!l)) {
    doc.text(line, { width: senderWidth, align: 'right' });
  }

  doc.font('Helvetica-Bold').fontSize(9).text('PRIVATE AND CONFIDENTIAL', DL_WINDOW.x, DL_WINDOW.y, { width: DL_WINDOW.width });
  doc.font('Helvetica').fontSize(10.5);
  for (const line of addressBlock(recipientName, address))
    doc.text(line, DL_WINDOW.x, undefined, { width: DL_WINDOW.width, lineBreak: false, ellipsis: true });

  doc.fontSize(10).text(content.date, 22 * MM, DL_WINDOW.y + DL_WINDOW.height + 8 * MM, { width: right - 22 * MM, align: 'right' });
  doc.moveDown(1);
  const width = right - 22 * MM;
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(content.subject, 22 * MM, undefined, { width });
  doc.moveDown(0.6).font('Helvetica').fontSize(10.5).text(content.greeting, { width });
  for (const p of content.paragraphs) doc.moveDown(0.5).text(p, { width });
  if (content.facts.length > 0) {
    doc.moveDown(0.6);
    for (const [label, value] of content.facts) {
      const y = doc.y;
      doc.font('Helvetica-Bold').text(label, 22 * MM, y, { width: width * 0.45 });
      const labelBottom = doc.y;
      doc.font('Helvetica').text(value, 22 * MM + width * 0.5, y, { width: width * 0.5 });
      doc.y = Math.max(doc.y, labelBottom);
    }
  }
  if (content.action)
    doc
      .moveDown(0.6)
      .font('Helvetica-Bold')
      .text(`${content.action.label}: ${content.action.url}`, 22 * MM, undefined, { width });
  doc.font('Helvetica').fontSize(9.5);
  for (const n of content.notices) doc.moveDown(0.5).text(n, 22 * MM, undefined, { width });
  doc.fontSize(10.5).moveDown(1);
  for (const line of content.signOff) doc.text(line, { width });
  doc.end();
  return { pdf: await done, pages };
}

/** The lines printed in the window: name, up to six address lines, postcode (own line), country if abroad. */
export function addressBlock(recipientName: string, address: PostalAddress): string[] {
  const lines = [
    recipientName,
    ...address.lines
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(0, 6),
    address.postcode.trim().toUpperCase(),
  ];
  if (address.country && !/^(uk|gb|united kingdom|great britain)$/i.test(address.country.trim()))
    lines.push(address.country.trim().toUpperCase());
  return lines;
}
