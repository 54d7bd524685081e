export { IqmClient, type IqmCredentials, type IqmWriteResult, type IqmInvoiceListQuery, type IqmPaymentListQuery } from './client.js';
export { createIqmLoaders, type IqmLoaders, type IqmInvoiceKey } from './loaders.js';
export {
  invoiceFromWire,
  paymentFromWire,
  INVOICE_STATUS_ID,
  PAYMENT_MODE_ID,
  PAYMENT_STATUS_ID,
  PAYMENT_TYPE_ID,
} from './mapping.js';
export { IqmSimulator, IQM_BASE_PATH, type IqmSimulatorOptions } from './simulator.js';
export { DEMO_TENANTS as IQM_DEMO_TENANTS, type IqmTenant } from './simulatorState.js';
