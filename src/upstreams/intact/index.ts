export {
  IntactClient,
  type IntactLedgerQuery,
  type IntactReceiptRequest,
  type IntactPostResult,
} from './client.js';
export {
  createIntactLoaders,
  ledgerQueryKey,
  INTACT_FULL_LEDGER_PAGE_SIZE,
  type IntactLoaders,
  type IntactLedgerWindow,
} from './loaders.js';
export {
  ledgerItemFromWire,
  ledgerItemType,
  invoiceFromLedgerItem,
  receiptFromLedgerItem,
  receiptFromWire,
  allocationFromWire,
  type IntactAllocationModel,
} from './mapping.js';
export type { IntactLedgerPage, IntactLedgerItem, IntactReceipt, IntactAllocation } from './wire.js';
export { IntactSimulator, INTACT_ANSWER_VARIANTS, INTACT_DEMO_TOKEN, INTACT_DEMO_TOKEN_B, type IntactAnswerVariants, type IntactCompany, type IntactSimulatorOptions } from './simulator.js';
export {
  DEMO_ACCOUNTS as INTACT_DEMO_ACCOUNTS,
  INTACT_SIMULATOR_EPOCH,
  type IntactAccount,
  type SimLedgerItem as IntactSimLedgerItem,
} from './simulatorState.js';
export { INTACT_AMOUNT_TYPE } from './wire.js';
export { isIntactAccountCode, isIntactDocumentNumber, isIntactItemId } from './keys.js';
