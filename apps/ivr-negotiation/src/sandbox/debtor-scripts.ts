import type { IvrCallerScript, SandboxCall } from '@recoup/providers/telephony';

/**
 * The sandbox debtors who answer IVR calls when there are no Twilio credentials: the product's own test
 * scenarios, said word for word. Which one answers is decided by the number dialled, so a demo (`npm run seed`)
 * picks a debtor's behaviour by choosing their phone number's last digit.
 */
export const DEBTOR_SCRIPTS = {
  accept: { name: 'accept', answers: ['Yes, I accept'] },
  negotiate: { name: 'negotiate', answers: ["No, I can't afford that", 'I can pay fifty pounds a month', 'Yes'] },
  repeat_then_accept: { name: 'repeat_then_accept', answers: ['Can you repeat the plan?', 'Yes'] },
  silence: { name: 'silence', answers: [] },
} as const satisfies Record<string, IvrCallerScript>;

export type DebtorScriptName = keyof typeof DEBTOR_SCRIPTS;

/** By the last digit of the number dialled: 0/4/8 accept, 1/5/9 negotiate, 2/6 repeat then accept, 3/7 stay silent. */
const BY_LAST_DIGIT: DebtorScriptName[] = ['accept', 'negotiate', 'repeat_then_accept', 'silence'];

export function debtorScriptFor(phone: string): IvrCallerScript {
  const digit = Number(/(\d)\D*$/.exec(phone)?.[1] ?? 0);
  return DEBTOR_SCRIPTS[BY_LAST_DIGIT[digit % BY_LAST_DIGIT.length] ?? 'accept'];
}

export const pickDebtorScript = (call: SandboxCall): IvrCallerScript => debtorScriptFor(call.to);
