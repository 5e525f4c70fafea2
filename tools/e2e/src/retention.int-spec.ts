import { randomBytes } from 'node:crypto';
import { createTestDatabase, testQueuePrefix, testRedisUrl, type TestDatabase } from '@recoup/testing';
import { FakeProviders } from './fake-providers';
import { ServiceStack, newStackSecrets } from './stack';

/**
 * The retention job in the sandbox stack: collections-api as a process on the real Twilio adapter (the loopback fake),
 * run through the operator's route; the recording is gone at the fake Twilio and the report is on /metrics.
 */
describe('retention in the stack', () => {
  let database: TestDatabase;
  let fakes: FakeProviders;
  let stack: ServiceStack;
  const secrets = newStackSecrets();

  beforeAll(async () => {
    database = await createTestDatabase();
    fakes = await FakeProviders.start({ twilioAuthToken: secrets.twilioAuthToken, scriptFor: () => ({ turns: [] }) });
    stack = await ServiceStack.start({
      databaseUrl: database.url,
      redisUrl: testRedisUrl(),
      queuePrefix: testQueuePrefix(),
      env: fakes.env(),
      secrets,
      services: ['collections-api'],
    });
  }, 120_000);

  afterAll(async () => {
    const unclean = stack ? await stack.stop() : [];
    await fakes?.stop();
    await database?.drop();
    expect(unclean).toEqual([]);
  }, 60_000);

  it('POST /api/admin/retention/run deletes an expired recording at Twilio and reports it on /metrics', async () => {
    const admin = { authorization: `Bearer ${secrets.adminApiKey}`, 'content-type': 'application/json' };
    const base = stack.url('collections-api');
    const created = await fetch(`${base}/api/admin/tenants`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'Retention Ltd' }),
    });
    const tenantId = ((await created.json()) as { tenant: { id: string } }).tenant.id;
    const client = await database.db.client.create({ data: { tenantId, name: 'Jo Bloggs', kind: 'consumer' } });
    const recordingSid = fakes.phone.addRecording('CA' + randomBytes(16).toString('hex'));
    await database.db.call.create({
      data: { tenantId, clientId: client.id, kind: 'ai', recordingSid, createdAt: new Date(Date.now() - 100 * 86_400_000) },
    });
    const run = await fetch(`${base}/api/admin/retention/run`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ tenant_id: tenantId }),
    });
    expect(run.status).toBe(200);
    const { reports } = (await run.json()) as { reports: Array<{ removed: Record<string, number> }> };
    expect(reports[0]?.removed).toMatchObject({ provider_recordings: 1, provider_recording_failures: 0 });
    expect(fakes.phone.recordings.get(recordingSid)?.deletedAt).toBeInstanceOf(Date);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/recoup_retention_removed_total\{kind="provider_recordings"[^}]*\} 1/);
  });
});
