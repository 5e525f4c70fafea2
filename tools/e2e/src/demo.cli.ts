// `npm run demo`: the collections story on the running stack (`npm start`, sandbox mode), through
// the public HTTP APIs only. Prints each step and the invoice's timeline; exits 0 only if every
// step happened exactly once.
import { stackEnv } from './demo-env';
import { StoryFailure, formatTimeline, runCollectionsStory } from './story';

const env = stackEnv();
const collectionsUrl = env.COLLECTIONS_API_URL ?? `http://127.0.0.1:${env.COLLECTIONS_API_PORT ?? '8000'}`;
const missing = ['ADMIN_API_KEY', 'STRIPE_WEBHOOK_SECRET'].filter((k) => !env[k]);
if (missing.length > 0) {
  process.stderr.write(
    `demo: ${missing.join(' and ')} unknown: start the stack with \`npm start\` first (it writes .run/stack.env), or set them as the stack has them\n`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  const started = Date.now();
  process.stdout.write(`Recoup demo against ${collectionsUrl}\n\n`);
  try {
    const result = await runCollectionsStory({
      collectionsUrl,
      adminApiKey: env.ADMIN_API_KEY as string,
      stripeWebhookSecret: env.STRIPE_WEBHOOK_SECRET as string,
      debtorPhone: env.DEMO_DEBTOR_PHONE,
      metricsToken: env.METRICS_TOKEN,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    process.stdout.write(`\nTimeline of invoice ${result.invoiceId}:\n${formatTimeline(result.timeline)}\n`);
    process.stdout.write(
      `\nEvery step happened exactly once (${((Date.now() - started) / 1000).toFixed(1)} s). Tenant API key: ${result.apiKey}\n`,
    );
    process.exit(0);
  } catch (error) {
    const detail = error instanceof StoryFailure ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`\ndemo failed: ${detail}\n`);
    process.exit(1);
  }
}

void main();
