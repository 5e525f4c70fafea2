import { escapeHtml, formatUkDate } from './format';
import type { MessageDocument, RenderedEmail, RenderedLetter } from './template.types';
import type { BaseVariables } from './template-variables.schema';

/** Links in running text become anchors in HTML; the text itself is escaped first. */
function linkify(escaped: string): string {
  return escaped.replace(/https?:\/\/[^\s<]+[^\s<.,;:)]/g, (url) => `<a href="${url}">${url}</a>`);
}

function paragraphsHtml(items: string[]): string {
  return items.map((p) => `<p>${linkify(escapeHtml(p))}</p>`).join('\n');
}

function factsHtml(facts: Array<[string, string]>): string {
  const rows = facts
    .map(
      ([k, v]) =>
        `<tr><th align="left" style="padding:4px 12px 4px 0;font-weight:600">${escapeHtml(k)}</th><td style="padding:4px 0">${escapeHtml(v)}</td></tr>`,
    )
    .join('');
  return `<table role="presentation" style="border-collapse:collapse;margin:12px 0">${rows}</table>`;
}

function factsText(facts: Array<[string, string]>): string {
  const width = Math.max(...facts.map(([k]) => k.length));
  return facts.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n');
}

export function documentText(doc: MessageDocument): string {
  const parts = [doc.greeting, ...doc.paragraphs, factsText(doc.facts)];
  if (doc.action) parts.push(`${doc.action.label}: ${doc.action.url}`);
  parts.push(...doc.notices, doc.signOff.join('\n'));
  return parts.join('\n\n');
}

export function renderEmail(doc: MessageDocument): RenderedEmail {
  const action = doc.action
    ? `<p><a href="${escapeHtml(doc.action.url)}" style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:4px">${escapeHtml(doc.action.label)}</a></p>`
    : '';
  const html = `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>${escapeHtml(doc.subject)}</title></head>
<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.5;color:#111827;max-width:640px;margin:0 auto;padding:16px">
<p>${escapeHtml(doc.greeting)}</p>
${paragraphsHtml(doc.paragraphs)}
${factsHtml(doc.facts)}
${action}
<div style="border-top:1px solid #d1d5db;margin-top:16px;padding-top:8px;font-size:14px">
${paragraphsHtml(doc.notices)}
</div>
<p>${doc.signOff.map(escapeHtml).join('<br>')}</p>
</body></html>`;
  return { channel: 'email', subject: doc.subject, html, text: documentText(doc) };
}

/** Content for the letter provider's PDF renderer: an A4 page marked private, with the date and addresses. */
export function renderLetter(doc: MessageDocument, v: BaseVariables): RenderedLetter {
  const html = `<!doctype html>
<html lang="en-GB"><head><meta charset="utf-8"><title>${escapeHtml(doc.subject)}</title>
<style>@page{size:A4;margin:20mm}body{font-family:Georgia,serif;font-size:11pt;line-height:1.45;color:#000}header{display:flex;justify-content:space-between}h1{font-size:13pt;margin:18px 0 8px}.notices{font-size:10pt;border-top:1px solid #000;margin-top:14px}</style></head>
<body>
<header><div><strong>Private and confidential</strong><br>${escapeHtml(v.debtor.name)}</div><div style="text-align:right">${escapeHtml(v.creditor.name)}<br>${escapeHtml(v.creditor.address)}<br>${escapeHtml(v.creditor.phone)}<br>${escapeHtml(v.creditor.email)}</div></header>
<p>${escapeHtml(formatUkDate(v.today))}</p>
<h1>${escapeHtml(doc.subject)}</h1>
<p>${escapeHtml(doc.greeting)}</p>
${paragraphsHtml(doc.paragraphs)}
${factsHtml(doc.facts)}
${doc.action ? `<p><strong>${escapeHtml(doc.action.label)}:</strong> ${escapeHtml(doc.action.url)}</p>` : ''}
<div class="notices">${paragraphsHtml(doc.notices)}</div>
<p>${doc.signOff.map(escapeHtml).join('<br>')}</p>
</body></html>`;
  const text = [`Private and confidential`, v.debtor.name, formatUkDate(v.today), doc.subject, documentText(doc)].join('\n\n');
  return { channel: 'letter', document: doc, html, text };
}
