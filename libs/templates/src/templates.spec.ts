import { findBannedPhrases } from './banned-phrases';
import { formatPence, spokenPence } from './format';
import { latePaymentClaim } from './late-payment';
import { derive } from './derive';
import { BaseVariablesSchema } from './template-variables.schema';
import { sampleVariables } from './sample-variables';
import { STAGE_DEFINITIONS, TemplateVariablesError, renderTemplate, templateIds } from './template-catalog';
import { STAGES, type RenderedTemplate, type Stage, type TemplateChannel } from './template.types';

type Kind = 'business' | 'consumer';
const KINDS: Kind[] = ['business', 'consumer'];
const ids = templateIds().map((id) => id.split('.') as [Stage, TemplateChannel]);

function textOf(r: RenderedTemplate): string {
  switch (r.channel) {
    case 'email':
      return `${r.subject}\n${r.text}`;
    case 'letter':
      return r.text;
    case 'sms':
      return r.text;
    case 'voice':
      return r.lines.map((l) => l.text).join('\n');
  }
}

/** Every string at its schema maximum, the largest amounts: the worst case for SMS budgets and layout. */
function longest(stage: Stage, kind: Kind): Record<string, unknown> {
  const v = sampleVariables(stage, kind);
  const words = (n: number) =>
    'Abcdefghi '
      .repeat(Math.ceil(n / 10))
      .slice(0, n)
      .trim()
      .padEnd(n, 'x');
  const link = (c: string) => `https://${c.repeat(45)}`;
  const amountPence = 21_474_836_47;
  const invoice = { ...(v.invoice as object), reference: 'R'.repeat(1) + '0123456789012345678', amountPence, paidPence: 0 };
  const out: Record<string, unknown> = {
    ...v,
    debtor: { ...(v.debtor as object), name: words(60) },
    creditor: { name: words(40), phone: '+44 161 496 0000 999'.slice(0, 20), email: `${'a'.repeat(45)}@example.test`, address: words(160) },
    links: { pay: link('p'), dispute: link('d'), preferences: link('c') },
    invoice,
  };
  if (v.plan) {
    const n = 3;
    const each = Math.floor(amountPence / n);
    const installments = Array.from({ length: n }, (_, i) => ({
      dueDate: `2027-0${i + 1}-28`,
      amountPence: i === n - 1 ? amountPence - each * (n - 1) : each,
    }));
    out.plan = { frequency: 'fortnightly', installments };
  }
  if (v.promise) out.promise = { amountPence, date: '2026-11-28' };
  if (v.dispute) out.dispute = { ...(v.dispute as object), reference: `DSP-${'1'.repeat(20)}` };
  if (v.moratorium) out.moratorium = { kind: 'mental_health_crisis', startDate: '2026-11-18', reference: `BS-${'2'.repeat(27)}` };
  return out;
}

describe('templates', () => {
  it('cover every stage by email, SMS and letter, and voice where calls carry the stage', () => {
    expect(STAGES).toHaveLength(10);
    for (const stage of STAGES) for (const c of ['email', 'sms', 'letter'] as const) expect(templateIds()).toContain(`${stage}.${c}`);
    expect(
      templateIds()
        .filter((id) => id.endsWith('.voice'))
        .sort(),
    ).toEqual([
      'gentle_reminder.voice',
      'payment_plan_confirmation.voice',
      'payment_plan_proposal.voice',
      'promise_to_pay_confirmation.voice',
      'standard_escalation.voice',
    ]);
  });

  it.each(ids)('%s.%s renders for business and consumer debtors', (stage, channel) => {
    for (const kind of KINDS) expect(textOf(renderTemplate(stage, channel, sampleVariables(stage, kind))).length).toBeGreaterThan(40);
  });

  it('refuses to render with any variable missing, naming it', () => {
    for (const stage of STAGES) {
      const v = sampleVariables(stage, 'business');
      for (const key of Object.keys(v)) {
        const { [key]: _dropped, ...missing } = v;
        let error: unknown;
        try {
          renderTemplate(stage, 'email', missing);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(TemplateVariablesError);
        expect((error as TemplateVariablesError).issues.map((i) => i.path.split('.')[0])).toContain(key);
      }
      const { reference: _r, ...invoice } = v.invoice as Record<string, unknown>;
      expect(() => renderTemplate(stage, 'sms', { ...v, invoice })).toThrow(/invoice\.reference/);
    }
  });

  it('refuses money that is not integer pence, and impossible dates', () => {
    const v = sampleVariables('gentle_reminder', 'business');
    expect(() => renderTemplate('gentle_reminder', 'email', { ...v, invoice: { ...(v.invoice as object), amountPence: 2400.5 } })).toThrow(
      TemplateVariablesError,
    );
    expect(() => renderTemplate('gentle_reminder', 'email', { ...v, today: '2026-02-30' })).toThrow(/today/);
  });

  describe.each(KINDS)('every demand to a %s debtor', (kind) => {
    const demands = ids.filter(([stage]) => STAGE_DEFINITIONS[stage].demandsPayment);

    it.each(demands)(
      '%s.%s identifies the creditor, amount and invoice, and says how to pay, dispute and change contact',
      (stage, channel) => {
        const v = sampleVariables(stage, kind) as {
          creditor: { name: string };
          invoice: { reference: string; amountPence: number };
          links: Record<string, string>;
        };
        const r = renderTemplate(stage, channel, v);
        const text = textOf(r);
        expect(text).toContain(v.creditor.name);
        if (channel === 'voice') {
          const keys = (r as Extract<RenderedTemplate, { channel: 'voice' }>).lines.map((l) => l.key);
          expect(keys).toEqual(expect.arrayContaining(['how_to_dispute', 'contact_choices']));
          expect(text).toContain(v.invoice.reference.split('').join(' '));
          expect(text).toMatch(new RegExp(spokenPence(v.invoice.amountPence).split(' ')[0] as string));
          return;
        }
        expect(text).toContain(v.invoice.reference);
        // The balance, or for a business debt with statutory interest claimed, the total now due.
        const d = derive(BaseVariablesSchema.parse(v));
        expect([d.outstanding, formatPence(d.totalDuePence)].some((amount) => text.includes(amount))).toBe(true);
        expect(text).toContain(v.links.pay);
        expect(text).toContain(v.links.dispute);
        expect(text).toContain(v.links.preferences);
        if (channel === 'sms') expect(text).toContain('Reply STOP');
        if (kind === 'consumer') expect(text).toMatch(/moneyhelper\.org\.uk/i);
      },
    );
  });

  it('has no banned phrasing anywhere, for sample or longest variables', () => {
    const hits: string[] = [];
    for (const [stage, channel] of ids) {
      for (const kind of KINDS) {
        for (const v of [sampleVariables(stage, kind), longest(stage, kind)]) {
          for (const hit of findBannedPhrases(textOf(renderTemplate(stage, channel, v))))
            hits.push(`${stage}.${channel} (${kind}): "${hit.match}" - ${hit.why}`);
        }
      }
    }
    expect(hits).toEqual([]);
  });

  it('has a banned-phrase lint that actually catches threats and false urgency', () => {
    for (const bad of [
      'Pay immediately or else',
      'We will send bailiffs',
      'We will take you to court',
      'This is your FINAL WARNING',
      'You could be arrested',
      'Pay now!',
      'Remortgage your home to pay',
      'We will tell your employer',
    ]) {
      expect(findBannedPhrases(bad)).not.toEqual([]);
    }
    expect(findBannedPhrases('Reply STOP to stop texts. We may consider starting court proceedings.')).toEqual([]);
  });

  it('keeps every SMS in GSM-7 and within its stage budget, even with the longest variables and non-GSM names', () => {
    for (const stage of STAGES) {
      for (const kind of KINDS) {
        const accented = { ...sampleVariables(stage, kind), debtor: { name: 'Zoë Łukasz’s Café', kind } };
        for (const v of [sampleVariables(stage, kind), longest(stage, kind), accented]) {
          const r = renderTemplate(stage, 'sms', v) as Extract<RenderedTemplate, { channel: 'sms' }>;
          expect(r.segments.encoding).toBe('GSM-7');
          expect(r.segments.segments).toBeLessThanOrEqual(STAGE_DEFINITIONS[stage].smsBudget);
        }
      }
    }
  });

  it('shows Late Payment Act interest and compensation on business debts, never on consumer debts', () => {
    const b = sampleVariables('standard_escalation', 'business');
    const claim = latePaymentClaim({ principalPence: 2_400_00, dueDate: '2026-10-16', asOf: '2026-11-21' });
    const text = textOf(renderTemplate('standard_escalation', 'email', b));
    expect(text).toContain('Late Payment of Commercial Debts (Interest) Act 1998');
    expect(text).toContain(formatPence(claim.interestPence));
    expect(text).toContain(`Fixed compensation:         ${formatPence(70_00)}`);
    expect(text).toContain(formatPence(claim.totalClaimPence));
    const noClaim = textOf(renderTemplate('standard_escalation', 'email', { ...b, claimStatutoryInterest: false }));
    expect(noClaim).not.toMatch(/interest/i);
    for (const [stage, channel] of ids)
      expect(textOf(renderTemplate(stage, channel, sampleVariables(stage, 'consumer')))).not.toMatch(/statutory interest|Late Payment/i);
    expect(() =>
      renderTemplate('gentle_reminder', 'email', { ...sampleVariables('gentle_reminder', 'consumer'), claimStatutoryInterest: true }),
    ).toThrow(/business debts only/);
  });

  it('never lets interest accrue over a Breathing Space', () => {
    const b = { ...sampleVariables('standard_escalation', 'business'), interestFrozenPeriods: [{ from: '2026-10-17', to: '2026-11-21' }] };
    expect(textOf(renderTemplate('standard_escalation', 'email', b))).toContain(`To date that is ${formatPence(0)} interest over 0 days`);
  });

  it('gives a letter before action a fair deadline: 30 days for individuals, 14 for businesses', () => {
    const c = sampleVariables('final_notice', 'consumer');
    expect(() => renderTemplate('final_notice', 'letter', { ...c, respondBy: '2026-12-05' })).toThrow(/respondBy/);
    expect(textOf(renderTemplate('final_notice', 'letter', c))).toContain('Pre-Action Protocol for Debt Claims');
  });

  it('checks a payment plan adds up to the balance', () => {
    const v = sampleVariables('payment_plan_proposal', 'consumer') as { plan: { installments: Array<{ amountPence: number }> } };
    const broken = { ...v, plan: { ...v.plan, installments: v.plan.installments.slice(1) } };
    expect(() => renderTemplate('payment_plan_proposal', 'email', broken)).toThrow(/add up/);
  });

  it('acknowledgements ask for nothing', () => {
    for (const stage of ['dispute_acknowledgement', 'breathing_space_acknowledgement'] as const) {
      for (const channel of ['email', 'sms', 'letter'] as const) {
        const v = sampleVariables(stage, 'consumer') as { links: { pay: string } };
        const text = textOf(renderTemplate(stage, channel, v));
        expect(text).not.toContain(v.links.pay);
        expect(text).not.toMatch(/\bplease pay\b|\bpay online\b/i);
      }
    }
  });

  it('says nothing about the debt in voicemail or the abandoned-call message', () => {
    for (const stage of ['gentle_reminder', 'standard_escalation', 'payment_plan_proposal'] as const) {
      const v = sampleVariables(stage, 'consumer') as { invoice: { reference: string } };
      const r = renderTemplate(stage, 'voice', v) as Extract<RenderedTemplate, { channel: 'voice' }>;
      const keys = r.lines.map((l) => l.key);
      expect(keys.indexOf('identity_check')).toBeLessThan(keys.indexOf('disclosure'));
      expect(keys[0]).toBe('recording_notice');
      for (const line of r.lines.filter((l) => l.key === 'voicemail' || l.key === 'abandoned_message')) {
        expect(line.text).not.toMatch(/invoice|pound|owe|debt|payment|overdue/i);
        expect(line.text).not.toContain(v.invoice.reference.split('').join(' '));
      }
    }
  });

  it("fits the sandbox's links to the local gateway (http://127.0.0.1:8000/p/<22-character token>) in every channel", () => {
    const token = 'Hq2rT0xZp1Yb9k_Lm3Nw-A';
    const gateway = 'http://127.0.0.1:8000';
    const links = { pay: `${gateway}/p/${token}`, dispute: `${gateway}/d/${token}`, preferences: `${gateway}/c/${token}` };
    expect(links.pay).toHaveLength(46);
    for (const channel of ['email', 'sms', 'letter'] as const) {
      const r = renderTemplate('gentle_reminder', channel, { ...sampleVariables('gentle_reminder', 'consumer'), links });
      expect(JSON.stringify(r)).toContain(links.pay);
    }
  });

  it('escapes variables in HTML', () => {
    const v = { ...sampleVariables('gentle_reminder', 'business'), debtor: { name: 'Smith & Sons "Ltd"', kind: 'business' } };
    const r = renderTemplate('gentle_reminder', 'email', v) as Extract<RenderedTemplate, { channel: 'email' }>;
    expect(r.html).toContain('Smith &amp; Sons &quot;Ltd&quot;');
    expect(r.html).not.toContain('Smith & Sons');
  });
});
