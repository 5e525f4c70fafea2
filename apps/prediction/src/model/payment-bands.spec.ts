import { BAND_RECOMMENDATIONS, paymentBand } from './payment-bands';

describe('payment bands', () => {
  it('follows the product bands exactly, edges included', () => {
    expect([0.95, 0.7001, 0.7, 0.55, 0.4, 0.3999, 0.2, 0.1999, 0].map(paymentBand)).toEqual([
      'gentle_reminder',
      'gentle_reminder',
      'standard_escalation',
      'standard_escalation',
      'standard_escalation',
      'immediate_escalation',
      'immediate_escalation',
      'consider_write_off',
      'consider_write_off',
    ]);
    expect(BAND_RECOMMENDATIONS.consider_write_off).toBe('Consider write-off');
  });
});
