export { STAGE_DEFINITIONS, TemplateRenderError, TemplateVariablesError, gsm7Safe, renderTemplate, templateIds } from './template-catalog';
export type { TemplateId } from './template-catalog';
export { STAGES, TEMPLATE_CHANNELS } from './template.types';
export type {
  Derived,
  MessageDocument,
  RenderedEmail,
  RenderedLetter,
  RenderedSms,
  RenderedTemplate,
  RenderedVoice,
  Stage,
  StageDefinition,
  TemplateChannel,
  VoiceLine,
  VoiceLineKey,
} from './template.types';
export * from './template-variables.schema';
export { countSmsSegments, smsEncoding } from './sms-segments';
export type { SmsEncoding, SmsSegmentCount } from './sms-segments';
export { BANK_OF_ENGLAND_BASE_RATES } from './base-rates.data';
export type { BaseRateChange } from './base-rates.data';
export { STATUTORY_MARGIN_BASIS_POINTS, baseRateOn, fixedCompensationPence, latePaymentClaim, referenceDateFor } from './late-payment';
export type { LatePaymentClaim, LatePaymentInput } from './late-payment';
export { formatPence, formatUkDate, formatUkShortDate, spokenDate, spokenPence } from './format';
export { MONEYHELPER } from './shared-content';
export { BANNED_PHRASES, findBannedPhrases } from './banned-phrases';
export { sampleVariables } from './sample-variables';
export {
  STATEMENT_SMS_BUDGET,
  StatementVariablesSchema,
  renderStatement,
  sampleStatementVariables,
  type RenderedStatement,
  type StatementChannel,
  type StatementVariables,
} from './statement.template';
