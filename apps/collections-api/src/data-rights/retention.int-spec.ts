import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { sandboxRecordingDeletionKey } from '@recoup/providers/telephony';
import { ADMIN_KEY, createHarness, type Harness } from '../testing/harness';

const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

describe('retention (gateway, PostgreSQL, Redis)', () => {
  let h: Harness;
  beforeAll(async () => (h = await createHarness()));
  afterAll(() => h?.close());

  it('a tenant reads the documented defaults and sets its own periods; invalid ones are 400 naming the field', async () => {
    const t = await h.tenant();
    const read = await request(h.app).get('/api/retention-policy').set(t.auth).expect(200);
    expect(read.body.periods).toEqual({
      financial_records_days: 2192,
      contact_records_days: 2192,
      recordings_days: 90,
      transcripts_days: 365,
    });
    expect(read.body.defaults.map((d: { kind: string }) => d.kind)).toEqual([
      'financial_records',
      'contact_records',
      'recordings',
      'transcripts',
    ]);
    expect(read.body.defaults[0].sources.join(' ')).toContain('Limitation Act 1980');
    const set = await request(h.app).put('/api/retention-policy').set(t.auth).send({ recordings_days: 30 }).expect(200);
    expect(set.body.periods.recordings_days).toBe(30);
    expect(set.body.overrides).toEqual({ recordings_days: 30 });
    const bad = await request(h.app).put('/api/retention-policy').set(t.auth).send({ financial_records_days: 365 }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('financial_records_days');
    // The operator sees and sets the same thing; a tenant key cannot use the operator's route.
    await request(h.app).get(`/api/admin/tenants/${t.id}/retention-policy`).set(t.auth).expect(403);
    const op = await request(h.app)
      .put(`/api/admin/tenants/${t.id}/retention-policy`)
      .set(admin)
      .send({ transcripts_days: 180 })
      .expect(200);
    expect(op.body.periods).toMatchObject({ recordings_days: 90, transcripts_days: 180 });
  });

  it('POST /api/admin/retention/run deletes an expired recording at the provider (sandbox) and counts it on /metrics', async () => {
    const t = await h.tenant();
    const client = await h.client(t);
    const recordingSid = 'RE' + randomBytes(16).toString('hex');
    const call = await h.deps.db.call.create({
      data: { tenantId: t.id, clientId: client.id, kind: 'ai', recordingSid, createdAt: new Date(Date.now() - 120 * 86_400_000) },
    });
    await request(h.app).post('/api/admin/retention/run').set(t.auth).send({ tenant_id: t.id }).expect(403);
    const run = await request(h.app).post('/api/admin/retention/run').set(admin).send({ tenant_id: t.id }).expect(200);
    expect(run.body.reports).toHaveLength(1);
    expect(run.body.reports[0]).toMatchObject({ tenant_id: t.id, removed: { provider_recordings: 1, provider_recording_failures: 0 } });
    expect((await h.deps.db.call.findUniqueOrThrow({ where: { id: call.id } })).recordingDeletedAt).not.toBeNull();
    expect(await h.deps.db.sandboxMessage.count({ where: { idempotencyKey: sandboxRecordingDeletionKey(recordingSid) } })).toBe(1);
    const metrics = await request(h.app).get('/metrics').expect(200);
    expect(metrics.text).toMatch(/recoup_retention_removed_total\{kind="provider_recordings",[^}]*\} [1-9]/);
    expect(metrics.text).toMatch(/recoup_retention_runs_total\{result="completed",[^}]*\} [1-9]/);
    const all = await request(h.app).post('/api/admin/retention/run').set(admin).send({}).expect(200);
    expect(all.body.reports.length).toBeGreaterThanOrEqual(2);
  });

  it('schedules the daily job (Europe/London), `off` removes it, and the worker runs every tenant', async () => {
    const { scheduler } = h.deps.retention;
    await scheduler.scheduleDaily('30 2 * * *');
    const [schedule] = await scheduler.queue.getJobSchedulers();
    expect(schedule).toMatchObject({ key: 'daily-retention', pattern: '30 2 * * *', tz: 'Europe/London' });
    await scheduler.scheduleDaily('off');
    expect(await scheduler.queue.getJobSchedulers()).toEqual([]);
    let done!: (n: number) => void;
    const ran = new Promise<number>((r) => (done = r));
    scheduler.start(async () => {
      const reports = await h.deps.retention.runner.runAll();
      done(reports.length);
      return reports;
    });
    await scheduler.queue.add('retention', {});
    expect(await ran).toBeGreaterThanOrEqual(2);
  });
});
