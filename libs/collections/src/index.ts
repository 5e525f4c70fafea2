export { CollectionsError, isCollectionsError, type CollectionsErrorCode } from './errors';
export type { Actor, CollectionsDeps, Tx } from './core-deps';
export { DEFAULT_ZONE, dateOnly, daysOverdue, isoDate, londonDayStart, londonIsoDate, londonToday } from './london-time';
export {
  CLOSED_STATUSES,
  COLLECTABLE_STATUSES,
  NO_CONTACT_STATUSES,
  deriveInvoiceStatus,
  effectiveStatus,
  isClosed,
  isCollectable,
  type StatusFacts,
} from './invoice-status';
export { quoteBalance, quoteInvoiceBalance, quoteInvoiceBalances, type BalanceFacts, type BalanceQuote } from './balance';
export { recordInvoiceEvent, type InvoiceEventInput, type InvoiceEventType } from './invoice-events';
export { randomReference } from './references';
export { queueOfChannel } from './contacts/queue-of-channel';
export { cancelPendingContacts, type PendingContactsScope } from './contacts/cancel-pending-contacts';
export { pauseDebtorCollection, type PauseDebtorCollectionInput } from './contacts/pause-debtor-collection';
export {
  claimContactForSend,
  recordContactOutcome,
  recordQueuedContact,
  type ContactOutcome,
  type QueuedContact,
} from './contacts/contact-attempts';
export { createInvoice, type CreateInvoiceInput } from './invoices/create-invoice';
export * from './accounting';
export { updateInvoice, type UpdateInvoiceInput } from './invoices/update-invoice';
export { cancelInvoice, writeOffInvoice, type CloseInvoiceInput } from './invoices/close-invoice';
export { applyPayment, type ApplyPaymentInput, type ApplyPaymentResult } from './payments/apply-payment';
export { chargebackPayment, refundPayment, type ChargebackInput, type RefundInput, type ReversalResult } from './payments/reverse-payment';
export { openDispute, type DisputeSource, type OpenDisputeInput, type OpenDisputeResult } from './disputes/open-dispute';
export { resolveDispute, type ResolveDisputeInput } from './disputes/resolve-dispute';
export { endBreathingSpace, startBreathingSpace, type StartBreathingSpaceInput } from './breathing-space/breathing-space';
export { recordPromiseToPay, type PromiseToPayInput } from './promises/record-promise-to-pay';
export {
  agreePaymentPlan,
  type AgreePaymentPlanInput,
  type AgreePaymentPlanResult,
  type PlanWithInstallments,
} from './plans/agree-payment-plan';
export { recordMissedInstallment, type MissedInstallmentInput, type MissedInstallmentResult } from './plans/record-missed-installment';
export { stopContactChannels, type StopContactChannelsInput, type StopContactChannelsResult } from './contacts/stop-contact-channels';
export { recordCallbackRequest, type CallbackRequestInput, type CallbackRequestResult } from './contacts/record-callback-request';
export {
  DEBT_ADVICE_SIGNPOSTING,
  recordVulnerability,
  VULNERABILITY_CATEGORIES,
  type RecordVulnerabilityInput,
  type RecordVulnerabilityResult,
  type VulnerabilityCategory,
} from './contacts/record-vulnerability';
export * from './identity/identity-check';
export * from './debtor-links';
export {
  claimDeliveryAttempt,
  claimDeliveryAttempts,
  recordDeliveriesSent,
  recordDeliveryAttempt,
  recordDeliveryAttempts,
  recordDeliveryDelayed,
  recordDeliveryEvent,
  recordDeliverySent,
  recordDeliveryStopped,
  type DeliveryAttemptRow,
  type DeliveryDelayed,
  type DeliveryEventInput,
  type DeliveryEventType,
  type DeliverySent,
  type DeliveryStopped,
  type JobAttempt,
} from './contacts/delivery-attempts';
export {
  LAST_AUTOMATIC_LEVEL,
  contactAtLevel,
  contactForBand,
  nextContact,
  paymentBand,
  type AutomaticChannel,
  type AutomaticStage,
  type ContactReach,
  type NextContact,
} from './contacts/next-channel';
export { recordCollectionContact, type CollectionContactResult } from './contacts/record-collection-contact';
export { recordPipelineStep, type PipelineStepInput, type PipelineStepResult } from './invoices/record-pipeline-step';
export { markOverdueInvoices } from './invoices/mark-overdue-invoices';
export { exportDebtorData, type ExportDebtorDataInput, type ExportDebtorDataResult } from './data-rights/export-debtor-data';
export {
  eraseDebtor,
  recordRecordingsDeleted,
  KEPT_AFTER_ERASURE,
  type EraseDebtorInput,
  type EraseDebtorResult,
} from './data-rights/erase-debtor';
export {
  findLegalHolds,
  isLegalHoldsError,
  LegalHoldsError,
  LIMITATION_YEARS,
  type LegalHold,
  type LegalHoldKind,
} from './data-rights/legal-holds';
export { DebtorIdentifiers, ERASED, ERASED_DEBTOR_NAME } from './data-rights/personal-data';
export {
  DEFAULT_RETENTION_PERIODS,
  RETENTION_DEFAULTS,
  readRetentionPolicy,
  resolveRetentionPolicy,
  setRetentionPolicy,
  type ResolvedRetentionPolicy,
  type RetentionDefault,
} from './data-rights/retention-policy';
export {
  REMOVED_BY_RETENTION,
  applyRetention,
  type ProviderRecordings,
  type RetentionDeps,
  type RetentionRemoved,
} from './data-rights/retention';
export { RecordingKeyError, RecordingVault, parseRecordingKey, recordingKeyId, type StoredRecordingInput } from './data-rights/recordings';
export {
  recordStatementContacts,
  type RecordStatementContactsInput,
  type RecordStatementContactsResult,
  type StatementContactItem,
} from './contacts/record-statement-contacts';
export {
  applyCheckoutPayment,
  checkoutAllocations,
  type ApplyCheckoutPaymentInput,
  type ApplyCheckoutPaymentResult,
  type CheckoutAllocation,
} from './payments/apply-checkout-payment';
