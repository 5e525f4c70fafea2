import type { Response } from 'express';

/** Minimal debtor-facing HTML pages (sandbox pay page, links from messages): no scripts, inline style only. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}button{font-size:1.1rem;padding:.6rem 1.4rem;border:0;border-radius:6px;background:#635bff;color:#fff;cursor:pointer}.note{color:#666;font-size:.85rem}</style></head><body>${body}</body></html>`;
}

/**
 * A page of a debtor link: never cached (it shows a debt, and its form carries a one-hour CSRF token), and
 * `Referrer-Policy: same-origin` so the link's secret never leaves in a Referer, while our own forms still send
 * their Origin (with `no-referrer` a browser would send `Origin: null`).
 */
export function sendPage(res: Response, status: number, title: string, body: string): void {
  res.status(status).set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'same-origin' }).type('html').send(page(title, body));
}

/**
 * The answer to a link that does not work (unknown, expired, revoked, or an old 12-hex link from a message sent before
 * links had tokens): no invoice data at all, the same page whatever the reason.
 */
export function sendLinkNotWorking(res: Response, status: 404 | 410): void {
  sendPage(
    res,
    status,
    'Link not working',
    '<h1>This link no longer works</h1><p>For your security, links in our messages expire. Nothing about your account is shown here.</p><p>To pay, query an invoice or change how you are contacted, please contact the company that wrote to you, using the phone number or email address in their message or letter, or reply to that message.</p>',
  );
}
