import { escapeHtml } from './format';
import { sampleVariables } from './sample-variables';
import { STAGE_DEFINITIONS, renderTemplate, templateIds } from './template-catalog';
import type { RenderedTemplate, Stage, TemplateChannel } from './template.types';

const KINDS = ['business', 'consumer'] as const;

function body(r: RenderedTemplate): string {
  switch (r.channel) {
    case 'email':
      return `<p class="meta">Subject: <strong>${escapeHtml(r.subject)}</strong></p><iframe srcdoc="${escapeHtml(r.html)}" title="email"></iframe><details><summary>Plain text</summary><pre>${escapeHtml(r.text)}</pre></details>`;
    case 'letter':
      return `<iframe class="letter" srcdoc="${escapeHtml(r.html)}" title="letter"></iframe>`;
    case 'sms':
      return `<pre class="sms">${escapeHtml(r.text)}</pre><p class="meta">${r.segments.encoding}, ${r.segments.units} units, ${r.segments.segments} part(s) of a budget of ${r.budget}</p>`;
    case 'voice':
      return `<ol class="voice">${r.lines.map((l) => `<li><code>${l.key}</code> ${escapeHtml(l.text)}</li>`).join('')}</ol>`;
  }
}

/** Every template, for both audiences, rendered with sample data on one page a person can read through. */
export function buildPreviewHtml(): {
  html: string;
  count: number;
  sms: Array<{ id: string; kind: string; units: number; segments: number; budget: number }>;
} {
  const sections: string[] = [];
  const sms: Array<{ id: string; kind: string; units: number; segments: number; budget: number }> = [];
  let count = 0;
  for (const id of templateIds()) {
    const [stage, channel] = id.split('.') as [Stage, TemplateChannel];
    for (const kind of KINDS) {
      const r = renderTemplate(stage, channel, sampleVariables(stage, kind));
      if (r.channel === 'sms') sms.push({ id, kind, units: r.segments.units, segments: r.segments.segments, budget: r.budget });
      count++;
      sections.push(
        `<section id="${id}.${kind}"><h3>${escapeHtml(STAGE_DEFINITIONS[stage].title)} &middot; ${channel} &middot; ${kind}</h3>${body(r)}</section>`,
      );
    }
  }
  const toc = templateIds()
    .map((id) => `<a href="#${id}.business">${id}</a>`)
    .join(' ');
  const html = `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Recoup templates preview</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1100px}section{border:1px solid #ddd;border-radius:6px;padding:12px 16px;margin:16px 0}iframe{width:100%;height:520px;border:1px solid #eee}iframe.letter{height:900px}pre{white-space:pre-wrap;background:#f7f7f7;padding:8px}.sms{max-width:360px;background:#e7f5e7;border-radius:12px}.meta{color:#555;font-size:13px}nav a{margin-right:8px;font-size:13px}</style></head>
<body><h1>Recoup templates preview</h1><p class="meta">${count} renderings: every stage and channel, for a business and a consumer debtor, with sample data.</p><nav>${toc}</nav>
${sections.join('\n')}
</body></html>`;
  return { html, count, sms };
}
