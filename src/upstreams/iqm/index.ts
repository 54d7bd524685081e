export {
  IqmClient,
  IQM_REFERENCE_LISTS,
  type IqmCredentials,
  type IqmWriteResult,
  type IqmInvoiceListQuery,
  type IqmPaymentListQuery,
  type IqmCreditListQuery,
  type IqmProofFile,
  type IqmReferenceListName,
} from './client.js';
export { createIqmLoaders, IQM_FULL_LIST_PAGE_SIZE, type IqmLoaders, type IqmInvoiceKey, type IqmPage, type IqmCustomerPaymentFilter } from './loaders.js';
export {
  invoiceFromWire,
  paymentFromWire,
  referenceItemFromWire,
  iqmPaymentFilter,
  MARKUP_TYPE_ID,
  MARKUP_TYPE_LABEL,
  type CreditSummaryModel,
  type DataFeesModel,
  type PgFeesModel,
  INVOICE_STATUS_ID,
  PAYMENT_MODE_ID,
  PAYMENT_STATUS_ID,
  PAYMENT_TYPE_ID,
} from './mapping.js';
export { IqmSimulator, IQM_BASE_PATH, type IqmSimulatorOptions } from './simulator.js';
export { DEMO_TENANTS as IQM_DEMO_TENANTS, IQM_ANSWER_VARIANTS, type IqmAnswerVariants, type IqmTenant } from './simulatorState.js';
export { IQM_AMOUNT_TYPE } from './wire.js';
export { isIqmId } from './keys.js';
