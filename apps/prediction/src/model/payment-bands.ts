import type { PaymentBand } from '@recoup/contracts';

/**
 * The product's strategy bands, exactly: above 70% a gentle reminder; 40-70% standard
 * escalation; 20-40% immediate escalation; below 20% consider write-off. A probability on a
 * boundary belongs to the band that names it as its lower edge (0.7 is standard, 0.4 is
 * standard, 0.2 is immediate).
 */
export const BAND_RECOMMENDATIONS: Record<PaymentBand, string> = {
  gentle_reminder: 'Gentle reminder',
  standard_escalation: 'Standard escalation',
  immediate_escalation: 'Immediate escalation',
  consider_write_off: 'Consider write-off',
};

// The bands' boundaries are the collections core's rule (one copy, shared with the collections pipeline).
export { paymentBand } from '@recoup/collections';
