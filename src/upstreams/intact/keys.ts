/**
 * The shape of every Intact iQ key the gateway sends: account codes (`CUS000001`) and document
 * numbers (`SI0000001`, `RCT000001`) are letters, digits, `-` and `_`; a ledger item id is a whole
 * number. Nothing else (no `/`, `..`, spaces or OData syntax) reaches a filter or a path.
 */
const ACCOUNT_CODE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;
const DOCUMENT_NUMBER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const ITEM_ID = /^\d{1,12}$/;

export function isIntactAccountCode(value: string): boolean {
  return ACCOUNT_CODE.test(value);
}

export function isIntactDocumentNumber(value: string): boolean {
  return DOCUMENT_NUMBER.test(value);
}

export function isIntactItemId(value: string): boolean {
  return ITEM_ID.test(value);
}
