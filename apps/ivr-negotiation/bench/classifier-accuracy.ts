// `npm run ivr:accuracy`: the local (rule-based) intent classifier against the labelled utterances.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { INTENTS, classifyLocally, type ConversationStage, type Intent } from '@recoup/providers/intent';

interface Labelled {
  stage: ConversationStage;
  intent: Intent;
  text: string;
}

const load = (name: string): Labelled[] =>
  readFileSync(path.join(__dirname, name), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Labelled);

function report(title: string, rows: Labelled[]): void {
  const confusion = new Map<string, number>();
  const misses: string[] = [];
  let correct = 0;
  for (const row of rows) {
    const got = classifyLocally(row.text, {
      stage: row.stage,
      prompt: '',
      currency: 'GBP',
      monthlyPence: 10000,
      months: 6,
      balancePence: 60000,
    });
    confusion.set(`${row.intent}>${got.intent}`, (confusion.get(`${row.intent}>${got.intent}`) ?? 0) + 1);
    if (got.intent === row.intent) correct++;
    else misses.push(`  [${row.stage}] ${JSON.stringify(row.text)}: expected ${row.intent}, got ${got.intent}`);
  }

  const pct = (n: number, d: number) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);
  console.log(`local intent classifier, ${title}: ${rows.length} labelled utterances`);
  console.log(`accuracy: ${correct}/${rows.length} = ${pct(correct, rows.length)}`);
  console.log('\nper intent (recall):');
  for (const intent of INTENTS) {
    const total = rows.filter((r) => r.intent === intent).length;
    console.log(`  ${intent.padEnd(18)} ${pct(confusion.get(`${intent}>${intent}`) ?? 0, total).padStart(6)} of ${total}`);
  }
  console.log('\nconfusion (rows: expected, columns: predicted):');
  console.log(' '.repeat(20) + INTENTS.map((i) => i.slice(0, 10).padStart(11)).join(''));
  for (const e of INTENTS)
    console.log(`  ${e.padEnd(18)}` + INTENTS.map((p) => String(confusion.get(`${e}>${p}`) ?? 0).padStart(11)).join(''));
  if (misses.length > 0) console.log(`\nmisclassified (${misses.length}):\n${misses.join('\n')}`);
}

// The development set shaped the rules; the held-out set was written after the rules were fixed
// and has never been used to change them, so it is the honest figure.
report('development set', load('ivr-utterances.jsonl'));
console.log('\n' + '-'.repeat(72) + '\n');
report('held-out set', load('ivr-utterances-holdout.jsonl'));
