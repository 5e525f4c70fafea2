import type { z } from 'zod';
import { derive } from './derive';
import { renderEmail, renderLetter } from './document.renderer';
import { countSmsSegments } from './sms-segments';
import { breathingSpaceAcknowledgement, disputeAcknowledgement } from './stages/acknowledgement.stages';
import { paymentLink, paymentPlanConfirmation, paymentPlanProposal, promiseToPayConfirmation } from './stages/agreement.stages';
import { finalNotice, friendlyReminder, gentleReminder, standardEscalation } from './stages/reminder.stages';
import { STAGES, TEMPLATE_CHANNELS, type RenderedTemplate, type Stage, type StageDefinition, type TemplateChannel } from './template.types';
import type { BaseVariables } from './template-variables.schema';

// Each definition is typed by its own schema; the catalogue holds them under the common base.
const asBase = <S extends z.ZodType<BaseVariables>>(d: StageDefinition<S>) => d as unknown as StageDefinition;

export const STAGE_DEFINITIONS: Readonly<Record<Stage, StageDefinition>> = Object.freeze({
  friendly_reminder: asBase(friendlyReminder),
  gentle_reminder: asBase(gentleReminder),
  standard_escalation: asBase(standardEscalation),
  final_notice: asBase(finalNotice),
  payment_plan_proposal: asBase(paymentPlanProposal),
  payment_plan_confirmation: asBase(paymentPlanConfirmation),
  payment_link: asBase(paymentLink),
  promise_to_pay_confirmation: asBase(promiseToPayConfirmation),
  dispute_acknowledgement: asBase(disputeAcknowledgement),
  breathing_space_acknowledgement: asBase(breathingSpaceAcknowledgement),
});

export type TemplateId = `${Stage}.${TemplateChannel}`;

/** Every (stage, channel) pair that exists: all stages by email, SMS and letter; voice where a call carries the stage. */
export function templateIds(): TemplateId[] {
  return STAGES.flatMap((stage) =>
    TEMPLATE_CHANNELS.filter((c) => c !== 'voice' || STAGE_DEFINITIONS[stage].voice).map((c) => `${stage}.${c}` as TemplateId),
  );
}

export class TemplateVariablesError extends Error {
  constructor(
    readonly templateId: string,
    readonly issues: Array<{ path: string; message: string }>,
  ) {
    super(`template ${templateId}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'TemplateVariablesError';
  }
}

export class TemplateRenderError extends Error {
  constructor(templateId: string, problem: string) {
    super(`template ${templateId}: ${problem}`);
    this.name = 'TemplateRenderError';
  }
}

/**
 * Renders one template. Variables are validated first: a missing or malformed variable throws
 * TemplateVariablesError naming it, so nothing is ever sent with a blank.
 */
export function renderTemplate(stage: Stage, channel: TemplateChannel, variables: unknown): RenderedTemplate {
  const id = `${stage}.${channel}`;
  const def = STAGE_DEFINITIONS[stage];
  if (!def) throw new TemplateRenderError(id, 'unknown stage');
  const parsed = def.schema.safeParse(variables);
  if (!parsed.success) {
    throw new TemplateVariablesError(
      id,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  }
  const v = parsed.data;
  const d = derive(v);
  let out: RenderedTemplate;
  switch (channel) {
    case 'email':
      out = renderEmail(def.document(v, d));
      break;
    case 'letter':
      out = renderLetter(def.document(v, d), v);
      break;
    case 'sms': {
      const text = gsm7Safe(def.sms(v, d));
      const segments = countSmsSegments(text);
      if (segments.segments > def.smsBudget)
        throw new TemplateRenderError(id, `SMS needs ${segments.segments} parts, over its budget of ${def.smsBudget}`);
      out = { channel: 'sms', text, segments, budget: def.smsBudget };
      break;
    }
    case 'voice':
      if (!def.voice) throw new TemplateRenderError(id, 'this stage has no voice flow');
      out = { channel: 'voice', lines: def.voice(v, d) };
      break;
    default:
      throw new TemplateRenderError(id, `unknown channel ${String(channel)}`);
  }
  assertNoBlanks(id, out);
  return out;
}

/** Belt and braces after validation: no template may ever show a JavaScript blank. */
function assertNoBlanks(id: string, out: RenderedTemplate): void {
  const strings: string[] = [];
  const walk = (x: unknown): void => {
    if (typeof x === 'string') strings.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') Object.values(x).forEach(walk);
  };
  walk(out);
  for (const s of strings) {
    const blank = /\b(undefined|NaN|null)\b|\[object Object\]/.exec(s);
    if (blank) throw new TemplateRenderError(id, `rendered a blank ("${blank[0]}")`);
  }
}

/**
 * Keeps SMS in GSM-7 so a name such as "Zoë" does not turn a 2-part text into a 4-part one:
 * accents outside the GSM table are dropped, typographic punctuation becomes ASCII.
 */
export function gsm7Safe(text: string): string {
  const ascii: Record<string, string> = { '‘': "'", '’': "'", '“': '"', '”': '"', '–': '-', '—': '-', '…': '...', '\u00a0': ' ' };
  const out = [...text].map((ch) => {
    if (countSmsSegments(ch).encoding === 'GSM-7') return ch;
    if (ascii[ch]) return ascii[ch];
    const stripped = ch.normalize('NFD').replace(/\p{M}/gu, '');
    return countSmsSegments(stripped).encoding === 'GSM-7' ? stripped : '?';
  });
  return out.join('');
}
