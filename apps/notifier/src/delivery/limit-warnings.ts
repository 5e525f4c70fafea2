import type { EmailSender } from '@recoup/providers/email';
import type { Logger } from '@recoup/observability';
import type { WindowState } from '@recoup/rate-limit';

const LABEL: Record<string, string> = {
  emails: 'emails',
  sms: 'text messages',
  ai_calls: 'AI calls',
  total_cost_pence: 'provider spend',
  collections: 'collections',
  api_calls: 'API calls',
};

/**
 * Tells the account holder (Tenant.email) that a limit window passed 80%. The rate limiter reports
 * a crossing only to the one request that caused it; the send key names the window and its reset,
 * so a retried job cannot send the same warning twice.
 */
export class LimitWarnings {
  constructor(
    private readonly email: EmailSender,
    private readonly logger: Logger,
  ) {}

  async notify(tenant: { id: string; name: string; email: string | null }, warnings: readonly WindowState[]): Promise<number> {
    if (warnings.length === 0) return 0;
    if (!tenant.email) {
      this.logger.warn(
        { tenantId: tenant.id, windows: warnings.map((w) => `${w.counter}:${w.window}`) },
        'limit warning not sent: tenant has no email',
      );
      return 0;
    }
    let sent = 0;
    for (const w of warnings) {
      const what = LABEL[w.counter] ?? w.counter;
      const used =
        w.counter === 'total_cost_pence'
          ? `GBP ${(w.used / 100).toFixed(2)} of GBP ${(w.limit / 100).toFixed(2)}`
          : `${w.used} of ${w.limit}`;
      const resets = w.resetAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
      const text = `Hello ${tenant.name},\n\nYou have used ${used} ${what} in your ${w.window} allowance (over 80%). When the limit is reached, further messages wait until it resets at ${resets}.\n\nRecoup`;
      const result = await this.email.send({
        idempotencyKey: `limit-warning:${tenant.id}:${w.counter}:${w.window}:${w.resetAt.getTime()}`,
        to: tenant.email,
        subject: `Recoup: ${w.window} ${what} limit over 80%`,
        text,
        html: `<p>${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\n\n/g, '</p><p>')}</p>`,
        customArgs: { kind: 'limit_warning', tenant_id: tenant.id },
        categories: ['limit_warning'],
      });
      if (!result.replayed) sent += 1;
    }
    return sent;
  }
}
