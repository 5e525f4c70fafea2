export {
  DEBTOR_LINK_TOKEN,
  DEFAULT_DEBTOR_LINK_TTL_DAYS,
  hashDebtorLinkToken,
  mintDebtorLinkToken,
  mintDebtorLinkTokens,
  resolveDebtorLinkToken,
  revokeDebtorLinks,
  type MintDebtorLinkInput,
  type MintedDebtorLink,
  type ResolvedDebtorLink,
} from './debtor-link-tokens';
export {
  updateContactPreferences,
  type UpdateContactPreferencesInput,
  type UpdateContactPreferencesResult,
} from './update-contact-preferences';
