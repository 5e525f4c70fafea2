// Prints how fast the pure engine decides: `npx tsx libs/compliance/bench/evaluate.bench.ts`.
// A figure to read, never an assertion.
import { cpus } from 'node:os';
import { evaluateContact, type ContactHistoryEntry } from '../src/index';

const history: ContactHistoryEntry[] = Array.from({ length: 20 }, (_, i) => ({
  channel: (['email', 'sms', 'ai_call', 'letter'] as const)[i % 4] ?? 'email',
  at: new Date(Date.UTC(2026, 10, 10 + (i % 12), 9 + (i % 8))),
  status: i % 5 === 0 ? 'machine' : 'delivered',
  invoiceId: 'inv-1',
}));
const base = {
  channel: 'ai_call' as const,
  purpose: 'reminder' as const,
  debtor: {
    kind: 'consumer' as const,
    nation: 'scotland' as const,
    timezone: 'Europe/London',
    phone: '+447400123456',
    email: 'a@example.test',
  },
  debt: { id: 'inv-1', amountPence: 240_00, dueDate: '2026-10-01' },
  history,
};

function run(label: string, n: number, at: (i: number) => Date): void {
  for (let i = 0; i < 500; i++) evaluateContact({ ...base, now: at(i) }); // warm-up
  const start = process.hrtime.bigint();
  let allowed = 0;
  for (let i = 0; i < n; i++) if (evaluateContact({ ...base, now: at(i) }).allowed) allowed++;
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(
    `${label}: ${n} decisions in ${ms.toFixed(0)} ms = ${Math.round((n / ms) * 1000)}/s (${((ms / n) * 1000).toFixed(1)} us each; ${allowed} allowed)`,
  );
}

console.log(`node ${process.version}, ${cpus().length} cores`);
run(
  '20-entry history, random instants over 2 years',
  20_000,
  (i) => new Date(Date.UTC(2026, 0, 1) + ((i * 7_919_993) % (730 * 86_400_000))),
);
run('20-entry history, all at Saturday 21:30 (next = Monday 08:00)', 20_000, () => new Date('2026-11-28T21:30:00Z'));
