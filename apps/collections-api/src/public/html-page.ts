/** Minimal debtor-facing HTML pages (sandbox pay page, links from messages): no scripts, inline style only. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}button{font-size:1.1rem;padding:.6rem 1.4rem;border:0;border-radius:6px;background:#635bff;color:#fff;cursor:pointer}.note{color:#666;font-size:.85rem}</style></head><body>${body}</body></html>`;
}
