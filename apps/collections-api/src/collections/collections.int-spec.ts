import { DateTime } from 'luxon';
import request from 'supertest';
import { waitFor } from '@recoup/testing';
import { startCollections } from '../deps';
import { EscalationService } from './escalation.service';
import { createHarness, type Harness, type TenantFixture } from '../testing/harness';

const londonToday = () => DateTime.now().setZone('Europe/London').toISODate() as string;
const plusDays = (iso: string, days: number) => DateTime.fromISO(iso, { zone: 'utc' }).plus({ days }).toISODate() as string;

describe('collections-api: strategy, escalation, payment plans, automatic collections', () => {
  let h: Harness;
  let a: TenantFixture;
  let b: TenantFixture;

  beforeAll(async () => {
    h = await createHarness();
    a = await h.tenant('Tenant A', 'pro');
    b = await h.tenant('Tenant B', 'pro');
  });
  afterAll(() => h.close());

  describe('GET /api/collections/strategy/{invoice_id}', () => {
    it('uses the prediction service when it answers', async () => {
      h.prediction.reply = {
        probability: 0.55,
        band: 'standard_escalation',
        recommendation: 'Standard escalation',
        explanation: { base_probability: 0.6, factors: [] },
        model_version: 'v-test',
      };
      const inv = await h.invoice(a, { amount: 250 });
      const res = await request(h.app).get(`/api/collections/strategy/${inv.id}`).set(a.auth);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        invoice_id: inv.id,
        probability: 0.55,
        band: 'standard_escalation',
        source: 'model',
        model_version: 'v-test',
        channel: 'sms',
        recommended_action: 'send_escalation_reminder',
      });
      expect(res.body.earliest_compliant_time === null || !Number.isNaN(Date.parse(res.body.earliest_compliant_time))).toBe(true);
      expect(h.prediction.calls.at(-1)).toMatchObject({ invoice_amount: 250, days_overdue: expect.any(Number) });
    });

    it('falls back to rules, marked as such, when prediction is down', async () => {
      h.prediction.reply = null;
      const inv = await h.invoice(a);
      const res = await request(h.app).get(`/api/collections/strategy/${inv.id}`).set(a.auth);
      expect(res.status).toBe(200);
      expect(res.body.source).toBe('fallback');
      expect(res.body.model_version).toBeNull();
      expect(res.body.probability).toBeGreaterThan(0);
      expect(['gentle_reminder', 'standard_escalation', 'immediate_escalation', 'consider_write_off']).toContain(res.body.band);
    });

    it('404 for another tenant’s invoice, 400 for a malformed id, 401 without a key', async () => {
      const inv = await h.invoice(a);
      expect((await request(h.app).get(`/api/collections/strategy/${inv.id}`).set(b.auth)).status).toBe(404);
      const bad = await request(h.app).get('/api/collections/strategy/not-a-uuid').set(a.auth);
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('params.invoice_id');
      expect((await request(h.app).get(`/api/collections/strategy/${inv.id}`)).status).toBe(401);
    });
  });

  describe('POST /api/collections/escalate', () => {
    it('queues a notifier job with a ContactAttempt row and answers 202 with the job id', async () => {
      const inv = await h.invoice(a);
      const res = await request(h.app).post('/api/collections/escalate').set(a.auth).send({ invoice_id: inv.id, action: 'email' });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ queue: 'notifications', status: 'queued' });
      const job = await h.deps.producer.queue('notifications').getJob(res.body.job_id);
      expect(job?.name).toBe('email.send');
      expect(job?.data).toMatchObject({
        tenant_id: a.id,
        invoice_id: inv.id,
        client_id: inv.client_id,
        channel: 'email',
        purpose: 'reminder',
        template_id: 'friendly_reminder.email',
      });
      const attempt = await h.database.db.contactAttempt.findUniqueOrThrow({ where: { jobId: res.body.job_id } });
      expect(attempt).toMatchObject({ id: res.body.contact_attempt_id, status: 'queued', channel: 'email', invoiceId: inv.id });
      expect(attempt.scheduledFor?.toISOString()).toBe(res.body.scheduled_for);
      // Delayed until the earliest compliant time when now is outside contact hours.
      const delayed = new Date(res.body.scheduled_for).getTime() > Date.now() + 1000;
      expect(await job?.getState()).toBe(delayed ? 'delayed' : 'waiting');
    });

    it('queues AI calls on ai-calls', async () => {
      const inv = await h.invoice(a, { amount: 900 });
      const res = await request(h.app).post('/api/collections/escalate').set(a.auth).send({ invoice_id: inv.id, action: 'ai_call' });
      if (res.status === 422) {
        // The compliance engine may refuse an automated call outright (e.g. too soon after due date); it says why.
        expect(res.body.reasons.length).toBeGreaterThan(0);
        return;
      }
      expect(res.status).toBe(202);
      expect(res.body.queue).toBe('ai-calls');
      const job = await h.deps.producer.queue('ai-calls').getJob(res.body.job_id);
      expect(job?.data).toMatchObject({ tenant_id: a.id, invoice_id: inv.id, enable_payment_during_call: true });
    });

    it('replays an Idempotency-Key: same answer, one job, one attempt; a different body with the key is 422', async () => {
      const inv = await h.invoice(a);
      const send = () =>
        request(h.app)
          .post('/api/collections/escalate')
          .set(a.auth)
          .set('Idempotency-Key', `esc-${inv.id}`)
          .send({ invoice_id: inv.id, action: 'email' });
      const first = await send();
      const second = await send();
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toEqual(first.body);
      expect(await h.database.db.contactAttempt.count({ where: { invoiceId: inv.id } })).toBe(1);
      const changed = await request(h.app)
        .post('/api/collections/escalate')
        .set(a.auth)
        .set('Idempotency-Key', `esc-${inv.id}`)
        .send({ invoice_id: inv.id, action: 'letter' });
      expect(changed.status).toBe(422);
      // Another tenant using the same key string has its own key space.
      const invB = await h.invoice(b);
      const other = await request(h.app)
        .post('/api/collections/escalate')
        .set(b.auth)
        .set('Idempotency-Key', `esc-${inv.id}`)
        .send({ invoice_id: invB.id, action: 'email' });
      expect(other.status).toBe(202);
    });

    it('refuses what the compliance engine blocks (422 with reasons), non-collectable invoices (409) and tier limits (429)', async () => {
      const inv = await h.invoice(a);
      await request(h.app).patch(`/api/clients/${inv.client_id}`).set(a.auth).send({ stop_channel: 'email' });
      const blocked = await request(h.app).post('/api/collections/escalate').set(a.auth).send({ invoice_id: inv.id, action: 'email' });
      expect(blocked.status).toBe(422);
      expect(blocked.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(blocked.body.reasons.map((r: { code: string }) => r.code)).toContain('CHANNEL_STOPPED');
      expect(await h.database.db.contactAttempt.count({ where: { invoiceId: inv.id } })).toBe(0);

      const paid = await h.invoice(a, { amount: 10 });
      await request(h.app).post(`/api/invoices/${paid.id}/payments`).set(a.auth).send({ amount: 10 });
      expect(
        (await request(h.app).post('/api/collections/escalate').set(a.auth).send({ invoice_id: paid.id, action: 'email' })).status,
      ).toBe(409);

      const starter = await h.tenant('Starter', 'starter');
      const sinv = await h.invoice(starter);
      const limited = await request(h.app).post('/api/collections/escalate').set(starter.auth).send({ invoice_id: sinv.id, action: 'sms' });
      expect(limited.status).toBe(429);
      expect(limited.body.type).toBe('https://recoup.dev/problems/tier-limit');
    });

    it('a queue outage records the attempt failed (never queued without a job); the retry with the same key queues it', async () => {
      const t = await h.tenant('Outage tenant', 'pro');
      const inv = await h.database.db.invoice.findUniqueOrThrow({ where: { id: (await h.invoice(t)).id } });
      const req = {
        tenant: (await h.deps.tenants.get(t.id))!,
        invoice: inv,
        client: await h.database.db.client.findUniqueOrThrow({ where: { id: inv.clientId } }),
        action: 'email' as const,
        stage: 'gentle_reminder' as const,
        actor: 'api',
        initiatedBy: 'human' as const,
        key: `outage-${inv.id}`,
      };
      const queueDown = {
        enqueue: () => Promise.reject(new Error('Redis is down')),
      } as unknown as ConstructorParameters<typeof EscalationService>[0]['producer'];
      const down = new EscalationService({ ...h.deps, producer: queueDown });
      expect(await down.escalate(req)).toEqual({ outcome: 'queue_unavailable' });
      expect(await h.database.db.contactAttempt.findMany({ where: { invoiceId: inv.id } })).toEqual([
        expect.objectContaining({ status: 'failed', failureReason: 'job queue unavailable' }),
      ]);
      const retried = await h.deps.escalation.escalate(req);
      expect(retried).toMatchObject({ outcome: 'duplicate' });
      if (retried.outcome !== 'duplicate') return;
      expect(await h.database.db.contactAttempt.findUniqueOrThrow({ where: { id: retried.contactAttemptId } })).toMatchObject({
        status: 'queued',
        failureReason: null,
      });
      expect((await h.deps.producer.queue('notifications').getJob(retried.jobId))?.name).toBe('email.send');
    });

    it('validates the body and isolates tenants', async () => {
      const bad = await request(h.app).post('/api/collections/escalate').set(a.auth).send({ invoice_id: 'x', action: 'pigeon' });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['body.action', 'body.invoice_id']);
      const inv = await h.invoice(a);
      const cross = await request(h.app).post('/api/collections/escalate').set(b.auth).send({ invoice_id: inv.id, action: 'email' });
      expect(cross.status).toBe(404);
      expect(await h.database.db.contactAttempt.count({ where: { invoiceId: inv.id } })).toBe(0);
    });
  });

  describe('payment plans', () => {
    it('splits the balance to the penny, schedules reminders and instalment checks, and can be read back', async () => {
      const inv = await h.invoice(a, { amount: 500 });
      const first = plusDays(londonToday(), 10);
      const res = await request(h.app)
        .post('/api/payment-plans')
        .set(a.auth)
        .send({ invoice_id: inv.id, frequency: 'monthly', first_payment_date: first, installment_count: 3, affordable_amount: 200 });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        invoice_id: inv.id,
        status: 'active',
        total: 500,
        installment_count: 3,
        frequency: 'monthly',
        first_payment_date: first,
      });
      expect(res.body.installments.map((i: { amount: number }) => i.amount)).toEqual([166.67, 166.67, 166.66]);
      expect(res.body.installments[1].due_date).toBe(DateTime.fromISO(first).plus({ months: 1 }).toISODate());
      const reminder = await h.deps.producer.queue('notifications').getJob(`plan-${res.body.id}-i1-reminder`);
      expect(reminder?.data).toMatchObject({
        purpose: 'payment_plan',
        variables: { installment_amount: '166.67', installment_number: '1' },
      });
      expect(await reminder?.getState()).toBe('delayed');
      expect(await h.deps.producer.queue('notifications').getJob(`plan-${res.body.id}-confirmation`)).toBeDefined();
      const check = await h.deps.scheduler.queue.getJob(`inst-${res.body.installments[0].id}`);
      expect(await check?.getState()).toBe('delayed');
      const got = await request(h.app).get(`/api/payment-plans/${res.body.id}`).set(a.auth);
      expect(got.body).toEqual(res.body);
      expect((await request(h.app).get(`/api/payment-plans/${res.body.id}`).set(b.auth)).status).toBe(404);
      const second = await request(h.app)
        .post('/api/payment-plans')
        .set(a.auth)
        .send({ invoice_id: inv.id, frequency: 'weekly', first_payment_date: first, installment_count: 2 });
      expect(second.status).toBe(409);
    });

    it('replays an Idempotency-Key on plan creation and refuses another tenant’s invoice', async () => {
      const inv = await h.invoice(a, { amount: 90 });
      const body = { invoice_id: inv.id, frequency: 'weekly', first_payment_date: plusDays(londonToday(), 2), installment_count: 3 };
      const first = await request(h.app).post('/api/payment-plans').set(a.auth).set('Idempotency-Key', `plan-${inv.id}`).send(body);
      const again = await request(h.app).post('/api/payment-plans').set(a.auth).set('Idempotency-Key', `plan-${inv.id}`).send(body);
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(first.body.id);
      expect(await h.database.db.paymentPlan.count({ where: { invoiceId: inv.id } })).toBe(1);
      const cross = await request(h.app)
        .post('/api/payment-plans')
        .set(b.auth)
        .send({ ...body, invoice_id: (await h.invoice(a)).id });
      expect(cross.status).toBe(404);
    });

    it('validates explicit instalments: sum to the balance, dates follow the frequency, first date not past', async () => {
      const inv = await h.invoice(a, { amount: 100 });
      const first = plusDays(londonToday(), 3);
      const wrongSum = await request(h.app)
        .post('/api/payment-plans')
        .set(a.auth)
        .send({
          invoice_id: inv.id,
          frequency: 'weekly',
          first_payment_date: first,
          installments: [
            { due_date: first, amount: 50 },
            { due_date: plusDays(first, 7), amount: 49.99 },
          ],
        });
      expect(wrongSum.status).toBe(400);
      expect(wrongSum.body.errors[0].field).toBe('body.installments');
      const wrongDate = await request(h.app)
        .post('/api/payment-plans')
        .set(a.auth)
        .send({
          invoice_id: inv.id,
          frequency: 'weekly',
          first_payment_date: first,
          installments: [
            { due_date: first, amount: 50 },
            { due_date: plusDays(first, 10), amount: 50 },
          ],
        });
      expect(wrongDate.status).toBe(400);
      expect(wrongDate.body.errors[0].field).toBe('body.installments.1.due_date');
      const past = await request(h.app)
        .post('/api/payment-plans')
        .set(a.auth)
        .send({ invoice_id: inv.id, frequency: 'weekly', first_payment_date: '2020-01-01', installment_count: 2 });
      expect(past.status).toBe(400);
      expect(past.body.errors[0].field).toBe('body.first_payment_date');
      const frequency = await request(h.app)
        .post('/api/payment-plans')
        .set(a.auth)
        .send({ invoice_id: inv.id, frequency: 'yearly', first_payment_date: first, installment_count: 2 });
      expect(frequency.status).toBe(400);
      expect(frequency.body.errors[0].field).toBe('body.frequency');
      const neither = await request(h.app)
        .post('/api/payment-plans')
        .set(a.auth)
        .send({ invoice_id: inv.id, frequency: 'weekly', first_payment_date: first });
      expect(neither.status).toBe(400);
      expect(neither.body.errors[0].field).toBe('body.installments');
      const ok = await request(h.app)
        .post('/api/payment-plans')
        .set(a.auth)
        .send({
          invoice_id: inv.id,
          frequency: 'weekly',
          first_payment_date: first,
          installments: [
            { due_date: first, amount: 50 },
            { due_date: plusDays(first, 7), amount: 50 },
          ],
        });
      expect(ok.status).toBe(201);
    });

    it('puts affordability first: a plan above what the debtor can afford is refused with the count that fits', async () => {
      const inv = await h.invoice(a, { amount: 600 });
      const res = await request(h.app)
        .post('/api/payment-plans')
        .set(a.auth)
        .send({
          invoice_id: inv.id,
          frequency: 'monthly',
          first_payment_date: plusDays(londonToday(), 5),
          installment_count: 2,
          affordable_amount: 100,
        });
      expect(res.status).toBe(422);
      expect(res.body.suggested_installment_count).toBe(6);
      expect(res.body.errors[0].field).toBe('body.affordable_amount');
    });

    it('handles missed instalments: one miss sends a reminder, two default the plan and the invoice returns to collection', async () => {
      const inv = await h.invoice(a, { amount: 300 });
      const res = await request(h.app)
        .post('/api/payment-plans')
        .set(a.auth)
        .send({ invoice_id: inv.id, frequency: 'weekly', first_payment_date: londonToday(), installment_count: 3 });
      expect(res.status).toBe(201);
      const [i1, i2] = res.body.installments;
      expect(await h.deps.plans.checkInstalment(i1.id)).toBe('missed');
      expect(await h.deps.plans.checkInstalment(i2.id)).toBe('defaulted');
      const plan = await request(h.app).get(`/api/payment-plans/${res.body.id}`).set(a.auth);
      expect(plan.body.status).toBe('defaulted');
      expect(plan.body.installments.slice(0, 2).map((i: { status: string }) => i.status)).toEqual(['missed', 'missed']);
      const invoice = await h.database.db.invoice.findUniqueOrThrow({ where: { id: inv.id } });
      expect(invoice.nextActionAt).not.toBeNull();
    });

    it('a paid instalment is not missed', async () => {
      const inv = await h.invoice(a, { amount: 20 });
      const res = await request(h.app)
        .post('/api/payment-plans')
        .set(a.auth)
        .send({ invoice_id: inv.id, frequency: 'weekly', first_payment_date: londonToday(), installment_count: 2 });
      const i1 = res.body.installments[0];
      const pay = await request(h.app).post(`/api/invoices/${inv.id}/payments`).set(a.auth).send({ amount: 10, installment_id: i1.id });
      expect(pay.body.invoice.status).toBe('partially_paid');
      expect(await h.deps.plans.checkInstalment(i1.id)).toBe('paid');
    });
  });

  describe('automatic collections', () => {
    it('registers the daily repeatable scan', async () => {
      await h.deps.scheduler.scheduleDaily('0 9 * * *');
      const schedulers = await h.deps.scheduler.queue.getJobSchedulers();
      expect(schedulers.map((s) => s.key)).toContain('daily-scan');
      expect(schedulers[0]).toMatchObject({ pattern: '0 9 * * *', tz: 'Europe/London' });
    });

    it('schedules a scan for the day after each new invoice’s due date', async () => {
      const inv = await h.invoice(a, { due_date: '2099-03-01' });
      const job = await h.deps.scheduler.queue.getJob(`due-${inv.id}-2099-03-01`);
      expect(job?.name).toBe('scan-invoice');
      expect(await job?.getState()).toBe('delayed');
    });

    it('escalates overdue invoices stage by stage; paid, disputed and planned invoices leave the pipeline', async () => {
      const t = await h.tenant('Scan tenant', 'growth');
      const overdue = await h.invoice(t, { amount: 300 });
      const paid = await h.invoice(t, { amount: 50 });
      await request(h.app).post(`/api/invoices/${paid.id}/payments`).set(t.auth).send({ amount: 50 });
      const disputed = await h.invoice(t);
      await request(h.app).post(`/api/invoices/${disputed.id}/dispute`).set(t.auth).send({ action: 'open' });
      const future = await h.invoice(t, { due_date: '2099-01-01' });

      const scanOnly = async () => {
        for (const id of [overdue.id, paid.id, disputed.id, future.id]) await h.deps.pipeline.scanInvoice(id);
      };
      await scanOnly();
      const attempts = await h.database.db.contactAttempt.findMany({ where: { tenantId: t.id }, orderBy: { createdAt: 'asc' } });
      expect(attempts.map((x) => x.invoiceId)).toEqual([overdue.id]);
      // Long overdue with no model answer: the fallback's low probability skips the gentlest stage.
      expect(attempts[0]).toMatchObject({ status: 'queued', jobId: expect.stringMatching(/^esc-/) });
      let row = await h.database.db.invoice.findUniqueOrThrow({ where: { id: overdue.id } });
      expect(row.collectionStage).toBeGreaterThanOrEqual(1);
      expect(row.nextActionAt?.getTime()).toBeGreaterThan(Date.now());

      // Not due again yet: a second scan does nothing.
      await scanOnly();
      expect(await h.database.db.contactAttempt.count({ where: { tenantId: t.id } })).toBe(1);

      // A week later: the next, firmer stage.
      await h.database.db.invoice.update({ where: { id: overdue.id }, data: { nextActionAt: new Date(Date.now() - 1000) } });
      const stageBefore = row.collectionStage;
      await h.deps.pipeline.scanInvoice(overdue.id);
      row = await h.database.db.invoice.findUniqueOrThrow({ where: { id: overdue.id } });
      expect(row.collectionStage).toBe(stageBefore + 1);
      const templates = (
        await h.database.db.contactAttempt.findMany({ where: { invoiceId: overdue.id }, orderBy: { createdAt: 'asc' } })
      ).map((x) => x.templateId);
      expect(templates).toHaveLength(2);
      expect(templates[0]).not.toBe(templates[1]);

      // Paid: every pending job of the invoice is cancelled and it leaves the pipeline.
      await request(h.app).post(`/api/invoices/${overdue.id}/payments`).set(t.auth).send({ amount: 300 });
      const after = await h.database.db.contactAttempt.findMany({ where: { invoiceId: overdue.id } });
      expect(after.every((x) => x.status === 'cancelled')).toBe(true);
      for (const x of after) expect(await h.deps.producer.queue('notifications').getJob(x.jobId ?? '')).toBeUndefined();
      await h.database.db.invoice.update({ where: { id: overdue.id }, data: { nextActionAt: null } });
      expect(await h.deps.pipeline.scanInvoice(overdue.id)).toBe('left');
    });

    it('scanAll flips open invoices past due to overdue and reports what it did', async () => {
      const t = await h.tenant('Scan all', 'pro');
      const inv = await h.invoice(t);
      await h.database.db.invoice.update({ where: { id: inv.id }, data: { status: 'open' } });
      const counts = await h.deps.pipeline.scanAll();
      expect(counts.escalated).toBeGreaterThanOrEqual(1);
      expect((await h.database.db.invoice.findUniqueOrThrow({ where: { id: inv.id } })).status).toBe('overdue');
    });

    it('a contact the rules refuse is reported blocked, not read from an HTTP status, and looked at again tomorrow', async () => {
      const t = await h.tenant('Blocked tenant', 'pro');
      h.prediction.reply = {
        probability: 0.9,
        band: 'gentle_reminder',
        recommendation: 'Gentle reminder',
        explanation: { base_probability: 0.6, factors: [] },
        model_version: 'v-test',
      };
      const inv = await h.invoice(t);
      await request(h.app).patch(`/api/clients/${inv.client_id}`).set(t.auth).send({ stop_channel: 'email' });
      const before = Date.now();
      expect(await h.deps.pipeline.scanInvoice(inv.id)).toBe('blocked');
      h.prediction.reply = null;
      const row = await h.database.db.invoice.findUniqueOrThrow({ where: { id: inv.id } });
      expect(row.collectionStage).toBe(0);
      expect(row.nextActionAt!.getTime()).toBeGreaterThanOrEqual(before + 86_400_000 - 60_000);
      expect(await h.database.db.contactAttempt.count({ where: { invoiceId: inv.id } })).toBe(0);
      const types = (await h.database.db.invoiceEvent.findMany({ where: { invoiceId: inv.id } })).map((e) => e.type);
      expect(types).not.toContain('collection_stage_changed');
    });

    it('an escalation of an invoice paid since it was read queues nothing and says why in a typed answer', async () => {
      const t = await h.tenant('Stale tenant', 'pro');
      const created = await h.invoice(t, { amount: 40 });
      const stale = await h.database.db.invoice.findUniqueOrThrow({ where: { id: created.id } });
      await request(h.app).post(`/api/invoices/${stale.id}/payments`).set(t.auth).send({ amount: 40 });
      const result = await h.deps.escalation.escalate({
        tenant: (await h.deps.tenants.get(t.id))!,
        invoice: stale,
        client: await h.database.db.client.findUniqueOrThrow({ where: { id: stale.clientId } }),
        action: 'email',
        stage: 'gentle_reminder',
        actor: 'pipeline',
        initiatedBy: 'automation',
      });
      // The compliance engine re-reads the invoice (nothing owed); the core's row lock is the last guard behind it.
      expect(result).toMatchObject({
        outcome: 'refused_by_compliance',
        reasons: expect.arrayContaining([expect.objectContaining({ code: 'DEBT_NOT_OUTSTANDING' })]),
      });
      expect(await h.database.db.contactAttempt.count({ where: { invoiceId: stale.id } })).toBe(0);
    });

    it('the pipeline records each stage it reaches on the invoice timeline', async () => {
      const t = await h.tenant('Timeline tenant', 'pro');
      const inv = await h.invoice(t);
      expect(await h.deps.pipeline.scanInvoice(inv.id)).toBe('escalated');
      const row = await h.database.db.invoice.findUniqueOrThrow({ where: { id: inv.id } });
      const staged = await h.database.db.invoiceEvent.findMany({ where: { invoiceId: inv.id, type: 'collection_stage_changed' } });
      expect(staged.at(-1)).toMatchObject({ actor: 'pipeline', detail: { to_stage: row.collectionStage } });
    });

    // Last: once the worker runs, due-date scan jobs of new invoices fire at once.
    it('the scan worker runs a due-date scan job end to end', async () => {
      const t = await h.tenant('Worker tenant', 'pro');
      const inv = await h.invoice(t);
      await startCollections(h.deps);
      await h.deps.scheduler.queue.add('scan-invoice', { invoice_id: inv.id }, { jobId: `test-scan-${inv.id}` });
      const attempt = await waitFor(() => h.database.db.contactAttempt.findFirst({ where: { invoiceId: inv.id } }), {
        what: 'the worker to escalate the invoice',
      });
      expect(attempt).toMatchObject({ status: 'queued', tenantId: t.id });
    });
  });
});
