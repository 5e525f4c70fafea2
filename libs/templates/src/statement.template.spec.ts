import { findBannedPhrases } from './banned-phrases';
import { formatPence } from './format';
import { STATEMENT_SMS_BUDGET, renderStatement, sampleStatementVariables, type StatementChannel } from './statement.template';
import { TemplateVariablesError } from './template-catalog';

const CHANNELS: StatementChannel[] = ['email', 'sms', 'letter'];
const textOf = (r: ReturnType<typeof renderStatement>) => (r.channel === 'email' ? `${r.subject}\n${r.text}` : r.text);

describe('statement (one message listing every overdue invoice of a debtor)', () => {
  it.each(CHANNELS.flatMap((c) => (['business', 'consumer'] as const).map((k) => [c, k] as const)))(
    '%s to a %s debtor lists every invoice with its balance, the total, and how to pay, query and stop contact',
    (channel, kind) => {
      const v = sampleStatementVariables(kind);
      const out = renderStatement(channel, v);
      const text = textOf(out);
      for (const i of v.invoices) expect(text).toContain(i.reference);
      expect(text).toContain(formatPence(42_000 + 13_550 + 96_000));
      expect(text).toContain(v.links.pay);
      expect(text).toContain(v.links.dispute);
      expect(text).toContain(v.links.preferences);
      expect(text).toContain(v.creditor.name);
      if (channel !== 'sms') {
        for (const i of v.invoices) expect(text).toContain(formatPence(i.balancePence));
        expect(text).toContain('We will not ask for payment while we look into it');
      }
      if (channel === 'sms') expect(text).toMatch(/Reply STOP to stop texts$/);
      if (kind === 'consumer') expect(text).toMatch(/moneyhelper/i);
      expect(findBannedPhrases(text)).toEqual([]);
    },
  );

  it('the email escapes what it shows and the letter is marked private', () => {
    const v = sampleStatementVariables('business');
    const email = renderStatement('email', { ...v, debtor: { ...v.debtor, name: 'Tom & Jerry Ltd' } });
    expect(email.channel === 'email' && email.html).toContain('Tom &amp; Jerry Ltd');
    const letter = renderStatement('letter', v);
    expect(letter.text).toMatch(/^Private and confidential/);
  });

  it('an SMS stays within its budget with fifty invoices and the longest variables', () => {
    const v = sampleStatementVariables('consumer');
    const invoices = Array.from({ length: 50 }, (_, n) => ({
      ...v.invoices[0]!,
      reference: `R${String(n).padStart(19, '0')}`,
      amountPence: 21_474_836_47,
      balancePence: 21_474_836_47,
    }));
    const out = renderStatement('sms', {
      ...v,
      invoices,
      debtor: { name: 'N'.repeat(60), kind: 'consumer' },
      creditor: { ...v.creditor, name: 'C'.repeat(40) },
      links: { pay: `https://${'a'.repeat(45)}`, dispute: `https://${'b'.repeat(45)}`, preferences: `https://${'c'.repeat(45)}` },
    });
    expect(out.channel === 'sms' && out.segments.segments).toBeLessThanOrEqual(STATEMENT_SMS_BUDGET);
    expect(out.text).toContain('and 47 more');
  });

  it('refuses a missing variable by name, charges on a consumer debt, and the same invoice twice', () => {
    const v = sampleStatementVariables('consumer');
    const { links: _links, ...noLinks } = v;
    expect(() => renderStatement('email', noLinks)).toThrow(TemplateVariablesError);
    expect(() => renderStatement('email', noLinks)).toThrow(/links/);
    expect(() => renderStatement('email', { ...v, invoices: [{ ...v.invoices[0]!, chargesPence: 100 }] })).toThrow(/business debts only/);
    expect(() => renderStatement('email', { ...v, invoices: [v.invoices[0], v.invoices[0]] })).toThrow(/each invoice once/);
    expect(() => renderStatement('email', { ...v, invoices: [] })).toThrow(TemplateVariablesError);
  });

  it('itemises claimed late-payment charges on a business statement', () => {
    const v = sampleStatementVariables('business');
    const out = renderStatement('email', { ...v, invoices: [{ ...v.invoices[0]!, balancePence: 46_123, chargesPence: 4_123 }] });
    expect(out.channel === 'email' && out.text).toContain('including £41.23 interest and compensation');
    expect(out.channel === 'email' && out.text).toContain('Late Payment of Commercial Debts (Interest) Act 1998');
  });
});
