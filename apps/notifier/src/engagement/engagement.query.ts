import type { Database } from '@recoup/db';

export interface ClientEngagement {
  client_id: string;
  since: string;
  emails_sent: number;
  emails_opened: number;
  /** Opened / sent, null when nothing was sent. Apple Mail Privacy Protection inflates opens: treat as an upper bound. */
  email_open_rate: number | null;
  sms_sent: number;
  sms_replied: number;
  /** Replied / sent, null when nothing was sent. */
  sms_response_rate: number | null;
}

/**
 * Per-client engagement over a look-back window, for the prediction features and the dashboard.
 * "Sent" counts attempts that went out (sent_at set), whatever happened after; "opened" and
 * "replied" count attempts with opened_at / replied_at, set by the provider webhooks. One query,
 * on the (tenant_id, client_id, created_at) index. The SQL is the documented contract: another
 * service may run the same statement on its own connection (see apps/notifier/README.md).
 */
export async function clientEngagement(
  db: Database,
  tenantId: string,
  clientIds: readonly string[],
  since: Date,
): Promise<ClientEngagement[]> {
  if (clientIds.length === 0) return [];
  const rows = await db.$queryRaw<
    Array<{ client_id: string; emails_sent: bigint; emails_opened: bigint; sms_sent: bigint; sms_replied: bigint }>
  >`
    SELECT c.id::text AS client_id,
           count(a.id) FILTER (WHERE a.channel = 'email' AND a.sent_at IS NOT NULL) AS emails_sent,
           count(a.id) FILTER (WHERE a.channel = 'email' AND a.sent_at IS NOT NULL AND a.opened_at IS NOT NULL) AS emails_opened,
           count(a.id) FILTER (WHERE a.channel = 'sms' AND a.sent_at IS NOT NULL) AS sms_sent,
           count(a.id) FILTER (WHERE a.channel = 'sms' AND a.sent_at IS NOT NULL AND a.replied_at IS NOT NULL) AS sms_replied
      FROM clients c
      LEFT JOIN contact_attempts a ON a.client_id = c.id AND a.tenant_id = c.tenant_id AND a.created_at >= ${since}
     WHERE c.tenant_id = ${tenantId}::uuid AND c.id = ANY(${clientIds as string[]}::uuid[])
     GROUP BY c.id`;
  const rate = (n: number, d: number) => (d === 0 ? null : Math.round((n / d) * 10_000) / 10_000);
  return rows.map((r) => {
    const emailsSent = Number(r.emails_sent);
    const emailsOpened = Number(r.emails_opened);
    const smsSent = Number(r.sms_sent);
    const smsReplied = Number(r.sms_replied);
    return {
      client_id: r.client_id,
      since: since.toISOString(),
      emails_sent: emailsSent,
      emails_opened: emailsOpened,
      email_open_rate: rate(emailsOpened, emailsSent),
      sms_sent: smsSent,
      sms_replied: smsReplied,
      sms_response_rate: rate(smsReplied, smsSent),
    };
  });
}
