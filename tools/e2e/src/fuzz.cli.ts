// `npm run fuzz`: starts the five services (own database and queue prefix, providers on loopback
// fakes), then posts hostile bodies, ids and query strings to every route each one publishes in
// /openapi.json, authenticated as a tenant, the operator and the internal caller. Prints the
// figures; exits 1 on any 5xx, refused connection (a crashed process) or unhealthy service.
import { signTwilioRequest } from '@recoup/providers/twilio';
import { runFuzz, type FuzzTarget } from '@recoup/resilience';
import { createTestDatabase, testQueuePrefix, testRedisUrl } from '@recoup/testing';
import { FakeProviders } from './fake-providers';
import { ServiceStack, newStackSecrets } from './stack';

export async function fuzzStack(options: { perRoute: number; log: (line: string) => void }) {
  const database = await createTestDatabase();
  const secrets = newStackSecrets();
  const fakes = await FakeProviders.start({
    twilioAuthToken: secrets.twilioAuthToken,
    scriptFor: () => ({ answer: 'no-answer', turns: [] }),
  });
  let stack: ServiceStack | undefined;
  try {
    stack = await ServiceStack.start({
      databaseUrl: database.url,
      redisUrl: testRedisUrl(),
      queuePrefix: testQueuePrefix(),
      env: { ...fakes.env(), PREDICTION_ADMIN_TOKEN: secrets.adminApiKey },
      secrets,
    });
    const created = await fetch(`${stack.url('collections-api')}/api/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.adminApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Fuzz Ltd', tier: 'pro' }),
    });
    const tenantKey = ((await created.json()) as { api_key: { key: string } }).api_key.key;
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
    const running = stack;
    /** Twilio's webhooks, each hostile form also sent with a valid signature for the service's public URL. */
    const twilio = (service: 'notifier' | 'voice-agent' | 'ivr-negotiation' | 'collections-api', paths: string[]) =>
      paths.map((path) => ({
        method: 'POST',
        path,
        sign: (url: string, form: Record<string, string>) => ({
          'x-twilio-signature': signTwilioRequest(secrets.twilioAuthToken, running.url(service) + url, form),
        }),
      }));
    const targets: FuzzTarget[] = [
      { name: 'collections-api', baseUrl: stack.url('collections-api'), headers: bearer(tenantKey) },
      { name: 'collections-api (operator)', baseUrl: stack.url('collections-api'), headers: bearer(secrets.adminApiKey) },
      { name: 'prediction', baseUrl: stack.url('prediction'), headers: bearer(secrets.adminApiKey) },
      {
        name: 'voice-agent',
        baseUrl: stack.url('voice-agent'),
        headers: bearer(secrets.internalApiToken),
        extra: twilio('voice-agent', [
          '/api/webhooks/twilio/voice/answer',
          '/api/webhooks/twilio/voice/status',
          '/api/webhooks/twilio/voice/amd',
          '/api/webhooks/twilio/ai-collect',
          '/api/webhooks/twilio/ai-respond',
        ]),
      },
      { name: 'ivr-negotiation', baseUrl: stack.url('ivr-negotiation'), headers: bearer(tenantKey), skip: ['/api/calls/stream'] },
      {
        name: 'notifier',
        baseUrl: stack.url('notifier'),
        headers: bearer(secrets.adminApiKey),
        extra: [
          ...twilio('notifier', ['/webhooks/twilio/sms-status', '/webhooks/twilio/sms-inbound']),
          { method: 'POST', path: '/webhooks/sendgrid/events' },
        ],
      },
      // And with no credentials at all: every route must refuse cleanly.
      ...(['collections-api', 'prediction', 'voice-agent', 'ivr-negotiation', 'notifier'] as const).map((name) => ({
        name: `${name} (anonymous)`,
        baseUrl: stack?.url(name) ?? '',
        skip: ['/api/calls/stream'],
      })),
    ];
    const started = Date.now();
    const report = await runFuzz(targets, { perRoute: options.perRoute, concurrency: 8, log: options.log });
    const crashed = [];
    for (const name of stack.services)
      if (
        /exited|uncaught|FATAL/i.test(stack.output(name)) &&
        !(await fetch(`${stack.url(name)}/health`)
          .then((r) => r.ok)
          .catch(() => false))
      )
        crashed.push(name);
    const failing = new Set(report.serverErrors.map((f) => f.target.split(' ')[0]));
    const logs = [...failing].map(
      (name) =>
        `--- ${String(name)} ---\n${
          stack
            ?.output(name as never)
            .split('\n')
            .filter((l) => /unhandled error/i.test(l))
            .slice(-3)
            .join('\n') ?? ''
        }`,
    );
    return { report, crashed, logs, seconds: (Date.now() - started) / 1000 };
  } finally {
    await stack?.stop();
    await fakes.stop();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const perRoute = Number(process.argv[2] ?? 40);
  const { report, crashed, logs, seconds } = await fuzzStack({ perRoute, log: (l) => process.stdout.write(`${l}\n`) });
  process.stdout.write(
    `\n${report.requests} hostile requests to ${report.routes} routes in ${seconds.toFixed(1)} s: ${JSON.stringify(report.byStatus)}\n`,
  );
  for (const f of [...report.serverErrors, ...report.connectionErrors].slice(0, 30))
    process.stdout.write(`  ${f.status} ${f.target} ${f.method} ${f.path} [${f.label}] ${f.detail?.slice(0, 200) ?? ''}\n`);
  if (logs.length) process.stdout.write(`\nError logs of the services that answered 5xx:\n${logs.join('\n')}\n`);
  const failed = report.serverErrors.length + report.connectionErrors.length + report.unhealthyAfter.length + crashed.length;
  process.stdout.write(
    `5xx: ${report.serverErrors.length}, refused connections: ${report.connectionErrors.length}, unhealthy after: ${report.unhealthyAfter.join(', ') || 'none'}, crashed: ${crashed.join(', ') || 'none'}\n`,
  );
  process.exit(failed === 0 ? 0 : 1);
}

if (require.main === module) void main();
