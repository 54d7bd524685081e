export { IqmetrixClient, type IqmetrixCreateResult } from './client.js';
export {
  buildInvoiceSummaryFilter,
  isGuid,
  parseInvoiceSummaryFilter,
  InvoiceSummaryFilterSyntaxError,
  type InvoiceSummaryFilter,
  type InvoiceSummaryFilterClause,
} from './odata.js';
export {
  createIqmetrixLoaders,
  IQMETRIX_CUSTOMERS_PER_CALL,
  type IqmetrixLoaders,
  type IqmetrixCustomerInvoicesKey,
  type IqmetrixSummariesKey,
  type IqmetrixInvoiceKey,
} from './loaders.js';
export {
  createInvoiceToWire,
  invoiceDetailFromWire,
  plainIqmetrixInvoice,
  invoiceFromSummary,
  invoiceTotalFromWire,
  invoiceTypeFromWire,
  paymentFromWire,
  type IqmetrixCreateInvoiceInput,
} from './mapping.js';
export { IqmetrixSimulator, IQMETRIX_ANSWER_VARIANTS, IQMETRIX_BASE_PATH, type IqmetrixAnswerVariants, type IqmetrixSimulatorOptions } from './simulator.js';
export {
  IQMETRIX_DEMO_COMPANY_ID,
  IQMETRIX_DEMO_CUSTOMERS,
  IQMETRIX_DEMO_TOKEN,
  IQMETRIX_SIMULATOR_EPOCH,
} from './simulatorState.js';
export { IQMETRIX_AMOUNT_TYPE } from './wire.js';
export { isIqmetrixCompanyId, isIqmetrixGuid, isIqmetrixPaymentId } from './keys.js';
