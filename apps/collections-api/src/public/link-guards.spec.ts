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
