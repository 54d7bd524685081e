import type { Resolvers } from '../__generated__/resolvers-types.js';
import { Credit } from './Credit.js';
import { Customer } from './Customer.js';
import { CustomerIdentities } from './CustomerIdentities.js';
import { FinanceReferenceData } from './FinanceReferenceData.js';
import { IntactInvoice } from './IntactInvoice.js';
import { IntactReceipt } from './IntactReceipt.js';
import { Invoice } from './Invoice.js';
import { InvoiceConnection } from './InvoiceConnection.js';
import { IqmInvoice } from './IqmInvoice.js';
import { IqmPayment } from './IqmPayment.js';
import { IqmetrixInvoice } from './IqmetrixInvoice.js';
import { IqmetrixPayment } from './IqmetrixPayment.js';
import { LedgerItem } from './LedgerItem.js';
import { Mutation } from './Mutation/index.js';
import { Node } from './Node.js';
import { Organization } from './Organization.js';
import { Payment } from './Payment.js';
import { PaymentConnection } from './PaymentConnection.js';
import { Query } from './Query.js';
import { RefrensInvoice } from './RefrensInvoice.js';
import { RefrensPayment } from './RefrensPayment.js';
import { scalarResolvers } from './scalars.js';

export const resolvers: Resolvers = {
  ...scalarResolvers,
  Query,
  Mutation,
  Node,
  Customer,
  CustomerIdentities,
  Invoice,
  InvoiceConnection,
  IqmInvoice,
  Payment,
  PaymentConnection,
  IqmPayment,
  IntactInvoice,
  IntactReceipt,
  LedgerItem,
  RefrensInvoice,
  RefrensPayment,
  IqmetrixInvoice,
  IqmetrixPayment,
  Organization,
  Credit,
  FinanceReferenceData,
};
