/** Where each rule comes from, as recorded with every reason. See /work/shared/domain/CONTACT-RULES.md. */
export const SOURCES = {
  contactHoursUk:
    'FCA CONC 7.9 (unreasonable times); 08:00-21:00 from MCOB 13.5.4G by analogy; Sundays and bank holidays off by Recoup policy',
  contactHoursUs: 'Regulation F 12 CFR 1006.6(b)(1)(i); FDCPA 15 USC 1692c(a)(1)',
  preferredTimes: 'FCA CONC 7.9 (times the customer asked to avoid); Reg F 1006.6(b)(1)(i)',
  automatedCallPolicy:
    'Recoup automated-call policy (proportionate contact, PRIN 2A Consumer Duty; Administration of Justice Act 1970 s.40)',
  callerLineId: 'Ofcom persistent-misuse policy (valid, dialable numbers; E.164)',
  abandonedCall: 'Ofcom persistent-misuse policy: no repeat call within 72 hours of an abandoned call without a guaranteed live agent',
  answeringMachine: 'Ofcom persistent-misuse policy: after answering-machine detection, no further automated call that day',
  frequencyUk:
    'MCOB 13.5.3R and OFT664 3.7 (excessive contact); Administration of Justice Act 1970 s.40; cap is Recoup policy (Reg F 7-in-7 as default)',
  frequencyUs: 'Regulation F 12 CFR 1006.14(b)(2)(i) (more than 7 call attempts in 7 days per debt)',
  conversationUk:
    'OFT664 3.7 and CONC 7.3 (pressure); quiet period after a conversation is Recoup policy following Reg F 1006.14(b)(2)(ii)',
  conversationUs: 'Regulation F 12 CFR 1006.14(b)(2)(ii) (a call within 7 days of a telephone conversation per debt)',
  dispute: 'FCA CONC 7.14.1R-7.14.5R (disputed debts); FDCPA 15 USC 1692g(b)',
  notOutstanding: 'FCA CONC 7.3 and Administration of Justice Act 1970 s.40 (no demand for money not owed)',
  stop: 'FCA CONC 7.9 (reasonable requests about contact); statutory notices excepted by CONC 7.9.9G; Reg F 1006.6(c), 1006.14(h)',
  preferredChannel: 'FCA CONC 7.9 (reasonable requests about how to be contacted); Reg F 1006.14(h)',
  breathingSpace:
    'Debt Respite Scheme (Breathing Space Moratorium and Mental Health Crisis Moratorium) (England and Wales) Regulations 2020, SI 2020/1311 regs 7 and 11',
  vulnerability: 'FCA CONC 7.2.1R and FG21/1 (vulnerable customers); no automated contact is Recoup policy',
  mentalCapacity: 'FCA CONC 7.10 (mental capacity limitations)',
  artificialVoice: 'TCPA 47 USC 227(b)(1)(A); FCC 24-17 (AI-generated voices are "artificial")',
  contactDetails: 'Recoup delivery policy (no contact without a recorded address for the channel)',
  purposeChannel: 'Recoup purpose catalogue (calls are collection calls only)',
  automatedCallRecipient: 'FCA CONC 7.9.7R (establish identity before discussing the debt)',
  timezone: 'FCA CONC 7.9 / Reg F 1006.6(b): local time must be known to judge convenient times',
} as const;
