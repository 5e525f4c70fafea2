// `npm run seed`: the demo tenant on the running stack (`npm start`, sandbox mode), through the public HTTP APIs only.
// Idempotent: a second run finds the tenant, its debtors and invoices again and starts nothing twice.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readEnvFile, stackEnv } from './demo-env';
import { DEMO_TENANT_NAME, SeedFailure, seedDemo } from './demo-seed';
import { ROOT } from './stack';

const env = stackEnv();
const collectionsUrl = env.COLLECTIONS_API_URL ?? `http://127.0.0.1:${env.COLLECTIONS_API_PORT ?? '8000'}`;
const ivrUrl = env.IVR_NEGOTIATION_URL ?? `http://127.0.0.1:${env.IVR_NEGOTIATION_PORT ?? '8004'}`;
const consoleUrl = env.CONSOLE_URL ?? `http://127.0.0.1:${env.DASHBOARD_PORT ?? '3000'}`;
const demoFile = path.join(ROOT, '.run', 'demo.env');
const out = (line: string) => process.stdout.write(`${line}\n`);

/** The demo calls debtors: only ever on the sandbox phone, never a real number through live Twilio. */
async function twilioMode(): Promise<string> {
  const res = await fetch(`${ivrUrl}/health`, { signal: AbortSignal.timeout(5_000) });
  const health = (await res.json()) as { checks?: Record<string, unknown> };
  const twilio = health.checks?.twilio;
  return typeof twilio === 'string' ? twilio : JSON.stringify(twilio ?? 'unknown');
}

async function main(): Promise<number> {
  if (!env.ADMIN_API_KEY) {
    process.stderr.write('seed: ADMIN_API_KEY unknown: start the stack with `npm start` first (it writes .run/stack.env), or set it\n');
    return 2;
  }
  let mode: string;
  try {
    mode = await twilioMode();
  } catch (err) {
    process.stderr.write(`seed: the stack does not answer at ${ivrUrl} (${(err as Error).message}): start it with \`npm start\`\n`);
    return 2;
  }
  if (!mode.includes('sandbox')) {
    process.stderr.write(`seed: ivr-negotiation's Twilio is not in sandbox mode (${mode}): the demo would call real numbers. Refused.\n`);
    return 2;
  }
  const saved = readEnvFile(demoFile);
  out(`Seeding ${DEMO_TENANT_NAME} on ${collectionsUrl}`);
  try {
    const result = await seedDemo({
      collectionsUrl,
      ivrUrl,
      adminApiKey: env.ADMIN_API_KEY,
      savedKey: saved.DEMO_TENANT_ID && saved.DEMO_API_KEY ? { tenantId: saved.DEMO_TENANT_ID, apiKey: saved.DEMO_API_KEY } : undefined,
      log: out,
    });
    mkdirSync(path.dirname(demoFile), { recursive: true });
    writeFileSync(demoFile, `DEMO_TENANT_ID=${result.tenantId}\nDEMO_API_KEY=${result.apiKey}\n`, { mode: 0o600 });
    const { created, campaign, reminders } = result;
    out(`debtors: ${created.clients} new; invoices: ${created.invoices} new (12 in all)`);
    out(
      `IVR campaign demo-campaign: ${campaign.queued} queued, ${campaign.scheduled} scheduled, ${campaign.refused} refused, ${campaign.alreadyCalled} called before; ${campaign.inbound} inbound call from a debtor`,
    );
    out(`reminder run: ${reminders.queued} queued, ${reminders.alreadySent} sent before`);
    out('');
    out(`Console:  ${consoleUrl}   (the sandbox phone answers the calls over the next minute)`);
    out(`Demo key: ${result.apiKey}   (also in .run/demo.env)`);
    return 0;
  } catch (error) {
    process.stderr.write(`\nseed failed: ${error instanceof SeedFailure ? error.message : ((error as Error).stack ?? String(error))}\n`);
    return 1;
  }
}

void main().then((code) => process.exit(code));
