import type { MutationResolvers } from '../../__generated__/resolvers-types.js';
import { audited } from './audited.js';
import { allocateReceipt } from './allocateReceipt.js';
import { approveInvoice } from './approveInvoice.js';
import { cancelInvoice } from './cancelInvoice.js';
import { createIqmetrixInvoice } from './createIqmetrixInvoice.js';
import { payRefrensInvoice } from './payRefrensInvoice.js';
import { payInvoice } from './payInvoice.js';
import { emailInvoice } from './emailInvoice.js';
import { updateInvoiceSettings } from './updateInvoiceSettings.js';
import { deleteInvoiceTaxData } from './deleteInvoiceTaxData.js';
import { addPayment } from './addPayment.js';
import { updatePayment } from './updatePayment.js';
import { approvePayment } from './approvePayment.js';
import { cancelPayment } from './cancelPayment.js';
import { rejectPayment } from './rejectPayment.js';
import { addFunds } from './addFunds.js';
import { startPaypalPayment } from './startPaypalPayment.js';
import { emailPaymentReceipt } from './emailPaymentReceipt.js';
import { initiateRefund } from './initiateRefund.js';
import { approveRefund } from './approveRefund.js';
import { offerCredit } from './offerCredit.js';
import { updateCredit } from './updateCredit.js';
import { revokeCredit } from './revokeCredit.js';
import { claimCredit } from './claimCredit.js';
import { updateMargin } from './updateMargin.js';
import { updatePgFees } from './updatePgFees.js';
import { updateVldFees } from './updateVldFees.js';
import { updatePldFees } from './updatePldFees.js';
import { updateSlsFees } from './updateSlsFees.js';
import { setDvIvtSegments } from './setDvIvtSegments.js';

/** Every mutation, audited in one place (./audited.ts): each call leaves an ATTEMPTED and an outcome record. */
export const Mutation: MutationResolvers = audited({
  approveInvoice,
  cancelInvoice,
  allocateReceipt,
  payRefrensInvoice,
  createIqmetrixInvoice,
  payInvoice,
  emailInvoice,
  updateInvoiceSettings,
  deleteInvoiceTaxData,
  addPayment,
  updatePayment,
  approvePayment,
  cancelPayment,
  rejectPayment,
  addFunds,
  startPaypalPayment,
  emailPaymentReceipt,
  initiateRefund,
  approveRefund,
  offerCredit,
  updateCredit,
  revokeCredit,
  claimCredit,
  updateMargin,
  updatePgFees,
  updateVldFees,
  updatePldFees,
  updateSlsFees,
  setDvIvtSegments,
});
