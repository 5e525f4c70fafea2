import type { z } from 'zod';
import type { LatePaymentClaim } from './late-payment';
import type { SmsSegmentCount } from './sms-segments';
import type { BaseVariables } from './template-variables.schema';

export const STAGES = [
  'friendly_reminder',
  'gentle_reminder',
  'standard_escalation',
  'final_notice',
  'payment_plan_proposal',
  'payment_plan_confirmation',
  'payment_link',
  'promise_to_pay_confirmation',
  'dispute_acknowledgement',
  'breathing_space_acknowledgement',
] as const;
export type Stage = (typeof STAGES)[number];

export const TEMPLATE_CHANNELS = ['email', 'sms', 'letter', 'voice'] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];

/** Channel-neutral content of an email or letter; the renderers lay it out. */
export interface MessageDocument {
  subject: string;
  greeting: string;
  paragraphs: string[];
  /** Label/value rows: invoice, amounts, dates. */
  facts: Array<[string, string]>;
  action?: { label: string; url: string };
  /** Required notices (how to pay, dispute, contact choices, support), kept apart so no stage forgets them. */
  notices: string[];
  signOff: string[];
}

export type VoiceLineKey =
  | 'recording_notice'
  | 'identity_check'
  | 'disclosure'
  | 'purpose'
  | 'offer'
  | 'read_back'
  | 'how_to_dispute'
  | 'contact_choices'
  | 'support'
  | 'close'
  | 'voicemail'
  | 'abandoned_message';

export interface VoiceLine {
  key: VoiceLineKey;
  text: string;
}

export interface RenderedEmail {
  channel: 'email';
  subject: string;
  html: string;
  text: string;
}
export interface RenderedSms {
  channel: 'sms';
  text: string;
  segments: SmsSegmentCount;
  budget: number;
}
export interface RenderedLetter {
  channel: 'letter';
  document: MessageDocument;
  /** Print-ready HTML (A4) for the letter provider's PDF renderer. */
  html: string;
  text: string;
}
export interface RenderedVoice {
  channel: 'voice';
  lines: VoiceLine[];
}
export type RenderedTemplate = RenderedEmail | RenderedSms | RenderedLetter | RenderedVoice;

/** Values every stage derives the same way from its variables. */
export interface Derived {
  consumer: boolean;
  outstandingPence: number;
  outstanding: string;
  dueDate: string;
  daysOverdue: number;
  /** Present for a business debt when statutory interest is claimed and the invoice is overdue. */
  lateClaim: LatePaymentClaim | null;
  /** Outstanding plus statutory interest and compensation, if claimed. */
  totalDuePence: number;
}

export interface StageDefinition<S extends z.ZodType<BaseVariables> = z.ZodType<BaseVariables>> {
  stage: Stage;
  title: string;
  schema: S;
  /** Asks for money: must carry the required content (creditor, amount, invoice, pay, dispute, contact choices). */
  demandsPayment: boolean;
  /** Most SMS parts this stage may use, for any valid variables. */
  smsBudget: number;
  document(v: z.infer<S>, d: Derived): MessageDocument;
  sms(v: z.infer<S>, d: Derived): string;
  /** Spoken lines of the voice flow, where a call carries this stage. */
  voice?: (v: z.infer<S>, d: Derived) => VoiceLine[];
}
