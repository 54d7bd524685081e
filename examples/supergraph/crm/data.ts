/**
 * The CRM's demo data, per organization (the JWT's tenant claim, as the finance gateway reads it):
 * account managers and support tickets of the customers of the gateway's demo directory
 * (src/directory/demo-customers.yaml), keyed by the gateway's global customer ids.
 */

export type TicketStatus = 'OPEN' | 'PENDING' | 'CLOSED';
export type TicketPriority = 'LOW' | 'NORMAL' | 'HIGH' | 'URGENT';

export interface AccountManagerRecord {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  /** Global customer ids. */
  readonly customerIds: readonly string[];
}

export interface SupportTicketRecord {
  readonly id: string;
  readonly customerId: string;
  readonly subject: string;
  readonly status: TicketStatus;
  readonly priority: TicketPriority;
  readonly openedOn: string;
}

export interface OrganizationData {
  readonly managers: readonly AccountManagerRecord[];
  /** Newest first. */
  readonly tickets: readonly SupportTicketRecord[];
}

/**
 * The finance gateway's global id of a directory customer: base64url of `Customer:DIRECTORY:<key>`.
 * The CRM stores ids as a router hands them over; it computes them here only to write its seed.
 */
export function directoryCustomerId(key: string): string {
  return Buffer.from(`Customer:DIRECTORY:${key}`, 'utf8').toString('base64url');
}

const NORTHWIND = directoryCustomerId('northwind');
const CONTOSO = directoryCustomerId('contoso');
const FABRIKAM = directoryCustomerId('fabrikam');
const TAILSPIN = directoryCustomerId('tailspin');
const HARBOR_MARKER = directoryCustomerId('harbor-marker');

/** The demo organizations' CRM data, by tenant id. */
export const DEMO_CRM_DATA: Readonly<Record<string, OrganizationData>> = {
  'alchemist-media': {
    managers: [
      { id: 'AM-1', name: 'Priya Raman', email: 'priya.raman@alchemist.example', customerIds: [NORTHWIND, CONTOSO] },
      { id: 'AM-2', name: 'Diego Alvarez', email: 'diego.alvarez@alchemist.example', customerIds: [FABRIKAM] },
    ],
    tickets: [
      { id: 'T-1004', customerId: TAILSPIN, subject: 'Ledger shows a receipt twice', status: 'PENDING', priority: 'NORMAL', openedOn: '2026-10-12' },
      { id: 'T-1003', customerId: CONTOSO, subject: 'Request for a statement of account', status: 'OPEN', priority: 'LOW', openedOn: '2026-10-09' },
      { id: 'T-1002', customerId: NORTHWIND, subject: 'Invoice total differs from the purchase order', status: 'OPEN', priority: 'HIGH', openedOn: '2026-10-02' },
      { id: 'T-1001', customerId: NORTHWIND, subject: 'Card payment declined twice', status: 'CLOSED', priority: 'URGENT', openedOn: '2026-09-20' },
    ],
  },
  'blue-harbor': {
    managers: [{ id: 'AM-7', name: 'Maren Holt', email: 'maren.holt@blueharbor.example', customerIds: [HARBOR_MARKER] }],
    tickets: [{ id: 'T-2001', customerId: HARBOR_MARKER, subject: 'Marker buoy invoice sent to the wrong address', status: 'OPEN', priority: 'NORMAL', openedOn: '2026-10-11' }],
  },
};
