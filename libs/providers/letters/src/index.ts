export { LETTER_COST_PENCE } from './letter-sender.port';
export type { LetterContent, LetterSender, OutboundLetter, PostalAddress, PostedLetter } from './letter-sender.port';
export { DL_WINDOW, addressBlock, renderLetterPdf } from './letter-pdf.renderer';
export type { RenderedPdf } from './letter-pdf.renderer';
export { SandboxLetterSender } from './sandbox-letter-sender';
