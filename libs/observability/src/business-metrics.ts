import { Gauge, type Registry } from 'prom-client';

/** What the business gauges show, read from the system of record (PostgreSQL) at scrape time. */
export interface BusinessCounts {
  messages: Array<{ channel: string; outcome: string; count: number }>;
  complianceDecisions: Array<{ rule: string; verdict: 'allowed' | 'refused'; count: number }>;
  paymentsApplied: Array<{ currency: string; count: number; pence: number }>;
  ivrIntents: Array<{ intent: string; count: number }>;
  aiCalls: Array<{ outcome: string; count: number; costPence: number }>;
}

/**
 * Business metrics on /metrics: outbound messages by channel and outcome, compliance decisions by rule and verdict,
 * payments applied (count and pence, by currency), IVR intents, AI call outcomes and their cost. They are read from the
 * database (one read per scrape, cached for `cacheMs`), so every replica reports the same totals and a restart loses
 * nothing; they are gauges of totals over the data kept (retention deletes old rows, so use `delta()`/`increase()`
 * over a window rather than treating them as counters).
 */
export function registerBusinessMetrics(registry: Registry, read: () => Promise<BusinessCounts>, cacheMs = 10_000): void {
  let cached: { at: number; value: Promise<BusinessCounts> } | undefined;
  const counts = () => {
    const now = Date.now();
    if (!cached || now - cached.at > cacheMs) {
      const value = read();
      cached = { at: now, value };
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
  const gauge = <L extends string>(name: string, help: string, labelNames: L[], fill: (g: Gauge<L>, c: BusinessCounts) => void) =>
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const c = await counts();
        this.reset();
        fill(this, c);
      },
    });
  gauge('recoup_messages', 'Outbound messages (contact attempts) by channel and outcome', ['channel', 'outcome'], (g, c) => {
    for (const m of c.messages) g.set({ channel: m.channel, outcome: m.outcome }, m.count);
  });
  gauge(
    'recoup_compliance_decisions',
    'Compliance decisions by rule (the refusing rule; "none" when allowed) and verdict',
    ['rule', 'verdict'],
    (g, c) => {
      for (const d of c.complianceDecisions) g.set({ rule: d.rule, verdict: d.verdict }, d.count);
    },
  );
  gauge('recoup_payments_applied', 'Payments applied to invoices, by currency', ['currency'], (g, c) => {
    for (const p of c.paymentsApplied) g.set({ currency: p.currency }, p.count);
  });
  gauge('recoup_payments_applied_pence', 'Amount of the payments applied, in minor units (pence), by currency', ['currency'], (g, c) => {
    for (const p of c.paymentsApplied) g.set({ currency: p.currency }, p.pence);
  });
  gauge('recoup_ivr_intents', "IVR calls by the debtor's detected intent", ['intent'], (g, c) => {
    for (const i of c.ivrIntents) g.set({ intent: i.intent }, i.count);
  });
  gauge('recoup_ai_calls', 'AI collection calls by outcome', ['outcome'], (g, c) => {
    for (const a of c.aiCalls) g.set({ outcome: a.outcome }, a.count);
  });
  gauge('recoup_ai_call_cost_pence', 'Cost of AI collection calls (telephony and model), in pence, by outcome', ['outcome'], (g, c) => {
    for (const a of c.aiCalls) g.set({ outcome: a.outcome }, a.costPence);
  });
}
