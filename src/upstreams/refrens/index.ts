export {
  RefrensClient,
  type RefrensAddPaymentRequest,
  type RefrensAddPaymentResult,
  type RefrensFieldError,
} from './client.js';
export { createRefrensLoaders, type RefrensLoaders, type RefrensInvoiceKey } from './loaders.js';
export { paymentFromWire, paymentMethodFromWire, paymentMethodToWire, settledAmount } from './mapping.js';
export { RefrensSimulator, REFRENS_DEMO_TOKEN, type RefrensSimulatorOptions } from './simulator.js';
export { REFRENS_DEMO_INVOICES, type RefrensDemoInvoice } from './simulatorState.js';
export type { RefrensPayment as RefrensWirePayment, RefrensWirePaymentMethod } from './wire.js';
export { REFRENS_AMOUNT_TYPE } from './wire.js';
export { isRefrensObjectId, isRefrensUrlKey } from './keys.js';
