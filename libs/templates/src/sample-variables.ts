import type { Stage } from './template.types';

const base = {
  creditor: {
    name: 'Acme Supplies Ltd',
    phone: '0161 496 0000',
    email: 'accounts@acme.example',
    address: '1 Example Street, Manchester M1 1AA',
  },
  links: { pay: 'https://pay.acme.example/p/7Hq2', dispute: 'https://acme.example/d/7Hq2', preferences: 'https://acme.example/c/7Hq2' },
  today: '2026-11-21',
};

/**
 * Realistic sample variables for one stage and audience: the preview page and the tests use them.
 * `business` claims statutory interest (Late Payment Act); `consumer` cannot.
 */
export function sampleVariables(stage: Stage, kind: 'business' | 'consumer'): Record<string, unknown> {
  const business = kind === 'business';
  const v: Record<string, unknown> = {
    ...base,
    debtor: business ? { name: 'Northwind Trading Ltd', kind } : { name: 'Sam Taylor', kind },
    invoice: {
      reference: 'INV-10442',
      amountPence: business ? 2_400_00 : 240_00,
      paidPence: 0,
      issueDate: '2026-09-16',
      dueDate: '2026-10-16',
    },
    claimStatutoryInterest: business,
  };
  if (stage === 'final_notice') v.respondBy = business ? '2026-12-05' : '2026-12-21';
  if (stage === 'payment_plan_proposal' || stage === 'payment_plan_confirmation') {
    v.plan = business
      ? {
          frequency: 'monthly',
          installments: [
            { dueDate: '2026-12-01', amountPence: 800_00 },
            { dueDate: '2027-01-01', amountPence: 800_00 },
            { dueDate: '2027-02-01', amountPence: 800_00 },
          ],
        }
      : {
          frequency: 'monthly',
          installments: [
            { dueDate: '2026-12-01', amountPence: 60_00 },
            { dueDate: '2027-01-01', amountPence: 60_00 },
            { dueDate: '2027-02-01', amountPence: 60_00 },
            { dueDate: '2027-03-01', amountPence: 60_00 },
          ],
        };
  }
  if (stage === 'promise_to_pay_confirmation') v.promise = { amountPence: business ? 2_400_00 : 240_00, date: '2026-11-28' };
  if (stage === 'dispute_acknowledgement') v.dispute = { receivedDate: '2026-11-20', reference: 'DSP-2231', responseBy: '2026-12-04' };
  if (stage === 'breathing_space_acknowledgement') v.moratorium = { kind: 'standard', startDate: '2026-11-18', reference: 'BS-000123456' };
  return v;
}
