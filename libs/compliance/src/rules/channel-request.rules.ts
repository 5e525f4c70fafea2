import { block, note, type ContactRule, type Finding } from '../evaluation.types';
import { SOURCES } from '../rule-sources';
import { label } from './contact-hours.rules';

/**
 * The debtor's requests about channels (CONC 7.9; Reg F 1006.14(h)): a stopped channel is never
 * used, a preferred channel is the only one used; statutory notices still go out (CONC 7.9.9G).
 * They bind contact with the debtor, not with their adviser or attorney.
 */
export const channelRequestRule: ContactRule = (ctx) => {
  const cfg = ctx.rules.channelRequests;
  if (!cfg.enabled || ctx.recipient !== 'debtor') return [];
  const stopped = ctx.debtor.stoppedChannels?.includes(ctx.channel) ?? false;
  const preferred = ctx.debtor.preferredChannel ?? null;
  const notPreferred = cfg.preferredChannelExclusive && preferred !== null && preferred !== ctx.channel;
  if (!stopped && !notPreferred) return [];
  if (ctx.purpose.statutory) {
    return [
      note(
        'STATUTORY_NOTICE_EXEMPT',
        `The debtor asked not to be contacted this way, but a statutory notice still goes out by ${label(ctx.channel).toLowerCase()}.`,
        SOURCES.stop,
      ),
    ];
  }
  const findings: Finding[] = [];
  if (stopped)
    findings.push(block('CHANNEL_STOPPED', `The debtor asked to stop contact by ${label(ctx.channel).toLowerCase()}.`, SOURCES.stop));
  if (notPreferred)
    findings.push(
      block(
        'CHANNEL_NOT_PREFERRED',
        `The debtor asked to be contacted by ${label(preferred).toLowerCase()} only.`,
        SOURCES.preferredChannel,
      ),
    );
  return findings;
};

/** An address for the channel must be on record (letters are checked by the letter provider). */
export const contactDetailsRule: ContactRule = (ctx) => {
  if (!ctx.rules.contactDetails.enabled || ctx.recipient !== 'debtor') return [];
  if (ctx.channel === 'email' && !ctx.debtor.email)
    return [block('CONTACT_DETAILS_MISSING', 'No email address is recorded for the debtor.', SOURCES.contactDetails)];
  if ((ctx.channel === 'sms' || ctx.channel === 'ai_call' || ctx.channel === 'ivr_call') && !ctx.debtor.phone) {
    return [block('CONTACT_DETAILS_MISSING', 'No phone number is recorded for the debtor.', SOURCES.contactDetails)];
  }
  return [];
};

/** Each purpose has the channels it may use; in particular calls are only collection calls. */
export const purposeChannelRule: ContactRule = (ctx) => {
  if (!ctx.rules.purposeChannels.enabled || ctx.purpose.channels.includes(ctx.channel)) return [];
  return [
    block(
      'PURPOSE_NOT_FOR_CHANNEL',
      `A ${ctx.purposeName.replace(/_/g, ' ')} is not sent by ${label(ctx.channel).toLowerCase()}.`,
      SOURCES.purposeChannel,
    ),
  ];
};
