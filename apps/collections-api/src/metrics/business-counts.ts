import type { Database } from '@recoup/db';
import type { BusinessCounts } from '@recoup/observability';

const n = (v: bigint | number | null) => Number(v ?? 0);

/**
 * The business gauges' totals, across tenants, from the system of record: contact attempts (messages by channel and
 * outcome), the compliance audit (each refusal counted once per refusing rule), payments applied (succeeded or partly
 * refunded; needs_review counts toward nothing), IVR calls' intents and AI calls' outcomes and cost. Five grouped
 * reads; the gauges cache them between scrapes (libs/observability/src/business-metrics.ts).
 */
export async function readBusinessCounts(db: Database): Promise<BusinessCounts> {
  const [messages, compliance, payments, ivr, ai] = await Promise.all([
    db.$queryRaw<Array<{ channel: string; outcome: string; count: bigint }>>`
      SELECT channel::text AS channel, status::text AS outcome, count(*) AS count FROM contact_attempts GROUP BY 1, 2`,
    db.$queryRaw<Array<{ rule: string; verdict: 'allowed' | 'refused'; count: bigint }>>`
      SELECT 'none' AS rule, 'allowed' AS verdict, count(*) AS count FROM compliance_audit WHERE allowed HAVING count(*) > 0
      UNION ALL
      SELECT coalesce(r->>'code', 'unknown') AS rule, 'refused' AS verdict, count(*) AS count
        FROM compliance_audit, jsonb_array_elements(CASE WHEN jsonb_typeof(reasons) = 'array' THEN reasons ELSE '[]'::jsonb END) AS r
       WHERE NOT allowed GROUP BY 1`,
    db.$queryRaw<Array<{ currency: string; count: bigint; pence: bigint }>>`
      SELECT currency, count(*) AS count, coalesce(sum(amount_pence - refunded_pence), 0) AS pence
        FROM payments WHERE status IN ('succeeded', 'part_refunded') GROUP BY currency`,
    db.$queryRaw<Array<{ intent: string; count: bigint }>>`
      SELECT intent, count(*) AS count FROM ivr_calls WHERE intent IS NOT NULL GROUP BY intent`,
    db.$queryRaw<Array<{ outcome: string; count: bigint; cost: bigint }>>`
      SELECT coalesce(outcome, status) AS outcome, count(*) AS count, coalesce(sum(cost_pence), 0) AS cost
        FROM calls WHERE kind = 'ai' GROUP BY 1`,
  ]);
  return {
    messages: messages.map((m) => ({ channel: m.channel, outcome: m.outcome, count: n(m.count) })),
    complianceDecisions: compliance.map((c) => ({ rule: c.rule, verdict: c.verdict, count: n(c.count) })),
    paymentsApplied: payments.map((p) => ({ currency: p.currency.trim(), count: n(p.count), pence: n(p.pence) })),
    ivrIntents: ivr.map((i) => ({ intent: i.intent, count: n(i.count) })),
    aiCalls: ai.map((a) => ({ outcome: a.outcome, count: n(a.count), costPence: n(a.cost) })),
  };
}
