// `npm run templates:preview`: writes every template rendered with sample data to one HTML page.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildPreviewHtml } from './preview';

const out = path.resolve(process.argv[2] ?? 'dist/templates-preview.html');
const { html, count, sms } = buildPreviewHtml();
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, html);
console.log(`SMS parts (sample data):`);
for (const s of sms)
  console.log(`  ${s.id.padEnd(40)} ${s.kind.padEnd(9)} ${String(s.units).padStart(4)} units  ${s.segments}/${s.budget} parts`);
console.log(`wrote ${count} renderings to ${out}`);
