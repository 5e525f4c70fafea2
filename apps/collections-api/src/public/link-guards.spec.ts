import request from 'supertest';
import { ApiRouter, createHttpApp } from '@recoup/http';
import { createLogger, createMetrics } from '@recoup/observability';
import { redactDebtorLinkUrl } from './link-guards';

describe('redactDebtorLinkUrl', () => {
  it.each([
    ['/p/Hq2rT0xZp1Yb9k_Lm3Nw-A', '/p/[redacted]'],
    ['/d/Hq2rT0xZp1Yb9k_Lm3Nw-A?x=1', '/d/[redacted]'],
    ['/c/0123456789ab', '/c/[redacted]'],
    ['/pay/cs_sandbox_0123456789abcdef0123456789abcdef', '/pay/[redacted]'],
    ['https://pay.recoup.example/d/Hq2rT0xZp1Yb9k_Lm3Nw-A', 'https://pay.recoup.example/d/[redacted]'],
  ])('%s is logged as %s', (url, logged) => {
    expect(redactDebtorLinkUrl(url)).toBe(logged);
  });

  it.each(['/pay/done?session_id=cs_1', '/pay/cancelled', '/api/invoices/1', '/health', 'https://app.example/people/x'])(
    '%s is unchanged',
    (url) => {
      expect(redactDebtorLinkUrl(url)).toBe(url);
    },
  );
});

describe('request logs of the debtor pages', () => {
  it('carry /p/[redacted], never the token (the Referer is not logged at all)', async () => {
    const lines: string[] = [];
    const logger = createLogger({ service: 'test', destination: { write: (s: string) => lines.push(s) } });
    const router = new ApiRouter();
    router.router.get('/p/:token', (_req, res) => {
      res.send('ok');
    });
    const app = createHttpApp({
      service: 'test',
      logger,
      metrics: createMetrics('test'),
      health: {},
      routers: [router],
      redactUrl: redactDebtorLinkUrl,
    });
    const token = 'Hq2rT0xZp1Yb9k_Lm3Nw-A';
    await request(app).get(`/p/${token}`).set('Referer', `https://pay.recoup.example/d/${token}`);
    const logged = lines.join('\n');
    expect(logged).toContain('"path":"/p/[redacted]"');
    expect(logged).not.toContain(token);
  });
});
