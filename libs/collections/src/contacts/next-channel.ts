import type { PaymentBand } from '@recoup/contracts';

/**
 * The product's strategy bands, by probability of payment: above 70% a gentle reminder; 40-70% standard escalation;
 * 20-40% immediate escalation; below 20% consider write-off. A probability on a boundary belongs to the band that
 * names it as its lower edge (0.7 is standard, 0.4 is standard, 0.2 is immediate).
 */
export function paymentBand(probability: number): PaymentBand {
  if (probability > 0.7) return 'gentle_reminder';
  if (probability >= 0.4) return 'standard_escalation';
  if (probability >= 0.2) return 'immediate_escalation';
  return 'consider_write_off';
}

/** What can reach the debtor: their own details, and what the tenant's tier allows this month. */
export interface ContactReach {
  email: boolean;
  phone: boolean;
  /** The tier includes text messages. */
  smsInTier: boolean;
  /** The tier includes AI calls. */
  aiCallsInTier: boolean;
}

export type AutomaticStage = 'gentle_reminder' | 'standard_escalation' | 'final_notice';
export type AutomaticChannel = 'email' | 'sms' | 'letter' | 'ai_call';

/** One rung of the collection ladder: how far the invoice has gone (`level`), the message's stage and its channel. */
export interface NextContact {
  level: number;
  stage: AutomaticStage;
  channel: AutomaticChannel;
}

/** The last automatic level: after it the invoice waits for a person (or a payment). */
export const LAST_AUTOMATIC_LEVEL = 4;

/**
 * The collection ladder, one rule for the pipeline and the strategy endpoint: 1 a gentle reminder in writing; 2 a
 * standard escalation by text where the tier and a phone number allow, else in writing; 3 a final notice in writing;
 * 4 an AI call where the tier and a phone number allow. In writing is email when there is an address, else a letter.
 * null: nothing automatic at that level for this debtor.
 */
export function contactAtLevel(level: number, reach: ContactReach): NextContact | null {
  if (level <= 1) return { level: 1, stage: 'gentle_reminder', channel: written(reach) };
  if (level === 2) return { level, stage: 'standard_escalation', channel: reach.smsInTier && reach.phone ? 'sms' : written(reach) };
  if (level === 3) return finalNotice(reach);
  if (level === LAST_AUTOMATIC_LEVEL && reach.aiCallsInTier && reach.phone) return { level, stage: 'final_notice', channel: 'ai_call' };
  return null;
}

/**
 * The pipeline's next contact: one level above the stage the invoice has reached, and one more for a debtor unlikely
 * to pay (immediate escalation, consider write-off) while still short of the final notice, so the gentlest step is
 * skipped for them.
 */
export function nextContact(collectionStage: number, band: PaymentBand, reach: ContactReach): NextContact | null {
  let level = collectionStage + 1;
  if ((band === 'immediate_escalation' || band === 'consider_write_off') && level < 3) level++;
  return contactAtLevel(level, reach);
}

/**
 * What the band alone recommends (the strategy endpoint, before any stage is reached): gentle → level 1, standard →
 * level 2, immediate → an AI call where possible else the final notice, consider write-off → the final notice.
 */
export function contactForBand(band: PaymentBand, reach: ContactReach): NextContact {
  const level =
    band === 'gentle_reminder' ? 1 : band === 'standard_escalation' ? 2 : band === 'immediate_escalation' ? LAST_AUTOMATIC_LEVEL : 3;
  return contactAtLevel(level, reach) ?? finalNotice(reach);
}

function written(reach: ContactReach): AutomaticChannel {
  return reach.email ? 'email' : 'letter';
}

function finalNotice(reach: ContactReach): NextContact {
  return { level: 3, stage: 'final_notice', channel: written(reach) };
}
