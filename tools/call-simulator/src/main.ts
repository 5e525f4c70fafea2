import { parseArgs } from 'node:util';
import { DEBTOR_SCRIPTS, EXPECTED_OUTCOMES, SCRIPT_SETUP } from './debtor-scripts';
import { formatResult, simulateCall } from './simulator';

/** npm run call-sim -- [promise|plan|dispute|opt-out|callback|barge-in|no-answer|voicemail|wrong-person|consent-refused|vulnerability|transfer] [--verbose] */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { verbose: { type: 'boolean', default: false } }, allowPositionals: true });
  const name = positionals[0] ?? 'promise';
  const script = DEBTOR_SCRIPTS[name];
  if (!script) {
    process.stderr.write(`unknown script "${name}"; one of: ${Object.keys(DEBTOR_SCRIPTS).join(', ')}\n`);
    process.exit(2);
  }
  process.stdout.write(
    `Scripted debtor "${name}": ${script.turns.map((t) => JSON.stringify(t.say)).join(' / ') || `(${script.answer})`}\n\n`,
  );
  const result = await simulateCall({ script, ...SCRIPT_SETUP[name], verbose: values.verbose });
  process.stdout.write(formatResult(result) + '\n');
  const expected = EXPECTED_OUTCOMES[name];
  if (expected && result.status.outcome !== expected) {
    process.stderr.write(`expected outcome ${expected}, got ${result.status.outcome}\n`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: Error) => {
    process.stderr.write(`call-sim failed: ${err.message}\n`);
    process.exit(1);
  },
);
