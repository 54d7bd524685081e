import { Decimal } from 'decimal.js';
import type { FastifyReply } from 'fastify';
import {
  INVOICE_STATUS,
  PAYMENT_STATUS,
  PAYMENT_STATUS_LABEL,
  PAYMENT_TYPE,
  PAYMENT_TYPE_LABEL,
  type IqmSimulatorState,
  type SimCustomer,
  type SimPayment,
} from '../simulatorState.js';
import { simplePdf } from './pdf.js';
import {
  PROOF_TYPES,
  customerById,
  customerFromQuery,
  filterPayments,
  isEmail,
  jsonBody,
  ok,
  page,
  parseAmount,
  parseId,
  parsePaymentDate,
  paymentById,
  paymentRow,
  readMultipart,
  refuse,
  sortRows,
  tenantOf,
  type Query,
  type ReceivedProof,
  type SimRoutes,
} from './support.js';

const PAYMENT_SORT_KEYS = (customerName: (payment: SimPayment) => string): Record<string, (payment: SimPayment) => number | string> => ({
  modifiedAt: (payment) => payment.modifiedAt,
  paymentId: (payment) => payment.paymentId,
  paymentDate: (payment) => payment.paymentDate,
  paymentAmount: (payment) => payment.paymentAmount.toNumber(),
  organizationName: customerName,
  paymentType: (payment) => payment.paymentType,
  paymentMode: (payment) => payment.paymentMode,
  paymentStatus: (payment) => payment.paymentStatus,
});

interface PaymentInput {
  readonly amount: Decimal;
  readonly paymentDate: number;
  readonly paymentMode: number;
  readonly paymentType: number;
  readonly transactionId: string | null;
  readonly invoiceId: number;
  readonly proof: ReceivedProof | null;
}

/** Payments: A34–A46. */
export function registerPaymentRoutes(routes: SimRoutes, state: IqmSimulatorState): void {
  /** The shared checks of A36 and A37; null when a 422 was sent. */
  const paymentInput = (customer: SimCustomer, fields: Record<string, string>, proof: ReceivedProof | null, reply: FastifyReply, current?: SimPayment): PaymentInput | null => {
    const amount = parseAmount(fields['paymentAmount']);
    const paymentDate = fields['paymentDate'] ? parsePaymentDate(fields['paymentDate'], 0) : null;
    const paymentMode = parseId(fields['paymentMode']);
    const paymentType = parseId(fields['paymentType']);
    const transactionId = fields['transactionId']?.trim() || null;
    const fail = (message: string) => {
      void refuse(reply, message);
      return null;
    };
    if (!amount || amount.lessThanOrEqualTo(0)) return fail('Payment amount must be greater than 0');
    if (paymentDate === null) return fail('paymentDate is required in YYYY-MM-DD format');
    if (paymentMode === null || ![1, 2, 3, 4].includes(paymentMode)) return fail('Invalid payment mode ID');
    if (paymentType === null || ![1, 2, 3].includes(paymentType)) return fail('Invalid payment type ID');
    if (paymentType === PAYMENT_TYPE.REFUND && current?.paymentType !== PAYMENT_TYPE.REFUND) return fail('Refunds are added with the refund endpoint');
    if (!transactionId && paymentType !== PAYMENT_TYPE.REFUND) return fail('transactionId is required');
    if (proof && !PROOF_TYPES.has(proof.mimeType)) return fail('Payment proof must be a JPEG, PNG or PDF file');
    let invoiceId = 0;
    if (paymentType === PAYMENT_TYPE.AGAINST_INVOICE) {
      const invoice = state.invoices.get(parseId(fields['invoiceId']) ?? -1);
      if (!invoice || invoice.owId !== customer.owId) return fail('invoiceId of an invoice of the customer is required for payments against an invoice');
      if (invoice.status === INVOICE_STATUS.PENDING) return fail('Invoice with the provided ID is not approved yet');
      if (invoice.status === INVOICE_STATUS.CANCELLED) return fail('Invoice with the provided ID is cancelled');
      if (invoice.status === INVOICE_STATUS.PAID) return fail('Invoice with the provided ID is already paid');
      if (amount.greaterThan(invoice.invoiceAmount.minus(invoice.paidAmount))) return fail('Payment amount exceeds the outstanding amount of the invoice');
      invoiceId = invoice.invoiceId;
    }
    return { amount, paymentDate, paymentMode, paymentType, transactionId, invoiceId, proof };
  };

  // A34: every payment of the organization's workspaces; rows carry owId (see README).
  routes.get('/payments/list', async (request, reply) => {
    const query = request.query as Query;
    const tenant = tenantOf(request);
    const rows = filterPayments([...state.payments.values()].filter((payment) => payment.organizationWorkspaceId === tenant.organizationWorkspaceId), query);
    const sorted = sortRows(rows, query['sortBy'] ?? '-modifiedAt', PAYMENT_SORT_KEYS((payment) => state.customers.get(payment.owId)?.name ?? tenant.organizationName));
    if (!sorted) return refuse(reply, `Unsupported sortBy: ${query['sortBy']}`);
    return ok(page(sorted.map((payment) => paymentRow(payment, state.answerVariants.A34 === 'withOwId')), query));
  });

  // A35
  routes.get('/customer/payments/list', async (request, reply) => {
    const customer = customerFromQuery(state, request, reply, 'owId');
    if (!customer) return reply;
    const query = request.query as Query;
    const rows = filterPayments([...state.payments.values()].filter((payment) => payment.owId === customer.owId), query);
    const sorted = sortRows(rows, query['sortBy'] ?? '-modifiedAt', PAYMENT_SORT_KEYS(() => customer.name));
    if (!sorted) return refuse(reply, `Unsupported sortBy: ${query['sortBy']}`);
    return ok(page(sorted.map((payment) => paymentRow(payment, false)), query));
  });

  // A36: a payment waits in Processing until approved (A38).
  routes.post('/customer/payment/add', async (request, reply) => {
    const { fields, proof } = await readMultipart(request);
    const customer = customerById(state, request, reply, fields['owId']);
    if (!customer) return reply;
    const input = paymentInput(customer, fields, proof, reply);
    if (!input) return reply;
    const tenant = tenantOf(request);
    state.recordPayment(tenant, {
      owId: customer.owId,
      paymentDate: input.paymentDate,
      paymentAmount: input.amount,
      paymentStatus: PAYMENT_STATUS.PROCESSING,
      paymentMode: input.paymentMode,
      paymentType: input.paymentType,
      invoiceId: input.invoiceId,
      transactionId: input.transactionId,
      bankName: fields['bankName'] ?? null,
      paymentProof: input.proof,
    });
    return ok('Payment added Successfully.');
  });

  // A37: only a payment still in Processing can be edited.
  routes.put('/customer/payment/:paymentId', async (request, reply) => {
    const { fields, proof } = await readMultipart(request);
    const payment = paymentById(state, request, reply, (request.params as { paymentId: string }).paymentId);
    if (!payment) return reply;
    const customer = customerById(state, request, reply, fields['owId']);
    if (!customer) return reply;
    if (customer.owId !== payment.owId) return refuse(reply, 'Payment does not belong to the provided organization workspace');
    if (payment.paymentStatus !== PAYMENT_STATUS.PROCESSING) return refuse(reply, `${PAYMENT_STATUS_LABEL[payment.paymentStatus]} payments cannot be edited`);
    const input = paymentInput(customer, fields, proof, reply, payment);
    if (!input) return reply;
    payment.paymentAmount = input.amount;
    payment.paymentDate = input.paymentDate;
    payment.paymentMode = input.paymentMode;
    payment.paymentType = input.paymentType;
    payment.transactionId = input.transactionId;
    payment.invoiceId = input.invoiceId;
    if (payment.paymentType === PAYMENT_TYPE.REFUND && fields['refundReason']) payment.refundReason = fields['refundReason'];
    if (input.proof) payment.paymentProof = input.proof;
    payment.modifiedAt = state.now();
    payment.modifiedByUserEmail = tenantOf(request).userEmail;
    return ok('Payment updated Successfully.');
  });

  for (const action of ['approve', 'cancel', 'reject'] as const) {
    // A38, A39, A40
    routes.post(`/customer/payment/${action}/:paymentId`, async (request, reply) => {
      const payment = paymentById(state, request, reply, (request.params as { paymentId: string }).paymentId);
      if (!payment) return reply;
      const body = jsonBody(request);
      if (body['owId'] !== undefined && parseId(body['owId']) !== payment.owId) return refuse(reply, 'Payment does not belong to the provided organization workspace');
      const label = PAYMENT_STATUS_LABEL[payment.paymentStatus] ?? 'Unknown';
      if (payment.paymentStatus !== PAYMENT_STATUS.PROCESSING) return refuse(reply, `Payment is already ${label.toLowerCase()} and cannot be ${action === 'approve' ? 'approved' : action === 'cancel' ? 'cancelled' : 'rejected'}`);
      if (action === 'approve' && payment.paymentType === PAYMENT_TYPE.REFUND) return refuse(reply, 'Refunds are approved with approve-refund');
      if (action === 'approve') {
        const invoice = payment.paymentType === PAYMENT_TYPE.AGAINST_INVOICE ? state.invoices.get(payment.invoiceId) : undefined;
        if (invoice && payment.paymentAmount.greaterThan(invoice.invoiceAmount.minus(invoice.paidAmount))) {
          return refuse(reply, 'Payment amount exceeds the outstanding amount of the invoice');
        }
        payment.paymentStatus = PAYMENT_STATUS.PAID;
        if (invoice) state.settleInvoice(invoice);
        const customer = state.customers.get(payment.owId);
        if (payment.paymentType === PAYMENT_TYPE.AS_FUND && customer) customer.balance = customer.balance.plus(payment.paymentAmount);
      } else {
        payment.paymentStatus = action === 'cancel' ? PAYMENT_STATUS.CANCELLED : PAYMENT_STATUS.REJECTED;
      }
      payment.actionNote = typeof body['actionNote'] === 'string' ? body['actionNote'] : null;
      payment.modifiedAt = state.now();
      payment.modifiedByUserEmail = tenantOf(request).userEmail;
      return ok(`Payment ${action === 'approve' ? 'approved' : action === 'cancel' ? 'cancelled' : 'rejected'} Successfully.`);
    });
  }

  // A41: funds the organization adds to its own workspace (credited at once).
  routes.post('/customer/payment/add-fund', async (request, reply) => {
    const { fields, proof } = await readMultipart(request);
    const tenant = tenantOf(request);
    const amount = parseAmount(fields['paymentAmount']);
    const paymentDate = fields['paymentDate'] ? parsePaymentDate(fields['paymentDate'], 0) : null;
    const paymentMode = parseId(fields['paymentMode']);
    const bankName = fields['bankName']?.trim() || null;
    if (!amount || amount.lessThanOrEqualTo(0)) return refuse(reply, 'Payment amount must be greater than 0');
    if (paymentDate === null) return refuse(reply, 'paymentDate is required in YYYY-MM-DD format');
    if (paymentMode === null || ![1, 2, 3].includes(paymentMode)) return refuse(reply, 'Invalid payment mode ID');
    if ((paymentMode === 2 || paymentMode === 3) && !bankName) return refuse(reply, 'bankName is required for cheque and wire transfer payments');
    if (proof && !PROOF_TYPES.has(proof.mimeType)) return refuse(reply, 'Payment proof must be a JPEG, PNG or PDF file');
    state.recordPayment(tenant, {
      owId: tenant.organizationWorkspaceId,
      paymentDate,
      paymentAmount: amount,
      paymentStatus: PAYMENT_STATUS.PAID,
      paymentMode,
      paymentType: PAYMENT_TYPE.AS_FUND,
      bankName,
      paymentProof: proof,
    });
    const balance = state.organizationBalances.get(tenant.organizationWorkspaceId) ?? new Decimal(0);
    state.organizationBalances.set(tenant.organizationWorkspaceId, balance.plus(amount));
    return ok('Payment added Successfully.');
  });

  // A42
  // A42: form-urlencoded as documented; a JSON body (what the gateway sent before) is read too.
  routes.post('/paypal/payment', async (request, reply) => {
    const amount = parseAmount(jsonBody(request)['paymentAmount']);
    if (!amount || amount.lessThanOrEqualTo(0)) return refuse(reply, 'Payment amount must be greater than 0');
    const token = `EC-SIM${String(state.paypalPayments.size + 1).padStart(11, '0')}`;
    state.paypalPayments.set(token, amount);
    return ok(`https://www.sandbox.paypal.com/cgi-bin/webscr?cmd=_express-checkout&token=${token}`);
  });

  // A43: the refund waits in Processing until approved (A44).
  routes.post('/customer/payment/refund', async (request, reply) => {
    const { fields, proof } = await readMultipart(request);
    const customer = customerById(state, request, reply, fields['owId']);
    if (!customer) return reply;
    const amount = parseAmount(fields['paymentAmount']);
    const paymentDate = fields['paymentDate'] ? parsePaymentDate(fields['paymentDate'], 0) : null;
    const paymentMode = parseId(fields['paymentMode']);
    const refundReason = fields['refundReason']?.trim();
    if (!amount || amount.lessThanOrEqualTo(0)) return refuse(reply, 'Payment amount must be greater than 0');
    if (paymentDate === null) return refuse(reply, 'paymentDate is required in YYYY-MM-DD format');
    if (paymentMode === null || ![1, 2, 3, 4].includes(paymentMode)) return refuse(reply, 'Invalid payment mode ID');
    if (!refundReason) return refuse(reply, 'refundReason is required');
    if (proof && !PROOF_TYPES.has(proof.mimeType)) return refuse(reply, 'Payment proof must be a JPEG, PNG or PDF file');
    if (amount.greaterThan(customer.balance)) return refuse(reply, 'Refund amount exceeds the available balance of the customer');
    const tenant = tenantOf(request);
    state.recordPayment(tenant, {
      owId: customer.owId,
      paymentDate,
      paymentAmount: amount,
      paymentStatus: PAYMENT_STATUS.PROCESSING,
      paymentMode,
      paymentType: PAYMENT_TYPE.REFUND,
      transactionId: fields['transactionId']?.trim() || null,
      refundReason,
      paymentProof: proof,
    });
    return ok('Refund added Successfully.');
  });

  // A44: approving moves the amount out of the customer's available balance.
  routes.post('/customer/payment/approve-refund/:paymentId', async (request, reply) => {
    const { fields, proof } = await readMultipart(request);
    const payment = paymentById(state, request, reply, (request.params as { paymentId: string }).paymentId);
    if (!payment) return reply;
    if (fields['owId'] !== undefined && parseId(fields['owId']) !== payment.owId) return refuse(reply, 'Payment does not belong to the provided organization workspace');
    if (payment.paymentType !== PAYMENT_TYPE.REFUND) return refuse(reply, `Payment is not a refund (${PAYMENT_TYPE_LABEL[payment.paymentType]})`);
    if (payment.paymentStatus !== PAYMENT_STATUS.PROCESSING) return refuse(reply, `Refund is already ${(PAYMENT_STATUS_LABEL[payment.paymentStatus] ?? '').toLowerCase()}`);
    if (proof && !PROOF_TYPES.has(proof.mimeType)) return refuse(reply, 'Payment proof must be a JPEG, PNG or PDF file');
    const customer = state.customers.get(payment.owId);
    if (!customer || customer.balance.lessThan(payment.paymentAmount)) return refuse(reply, 'Refund amount exceeds the available balance of the customer');
    customer.balance = customer.balance.minus(payment.paymentAmount);
    payment.paymentStatus = PAYMENT_STATUS.PAID;
    payment.actionNote = fields['actionNote'] ?? null;
    if (proof) payment.paymentProof = proof;
    payment.modifiedAt = state.now();
    payment.modifiedByUserEmail = tenantOf(request).userEmail;
    return ok('Refund successful.');
  });

  // A45
  routes.post('/payment/email-receipt/:owId/:paymentId', async (request, reply) => {
    const params = request.params as { owId: string; paymentId: string };
    const payment = paymentById(state, request, reply, params.paymentId);
    if (!payment) return reply;
    if (parseId(params.owId) !== payment.owId) return refuse(reply, 'Payment does not belong to the provided organization workspace');
    const email = jsonBody(request)['email'];
    if (!isEmail(email)) return refuse(reply, 'A valid email is required');
    state.emails.push({ kind: 'receipt', owId: payment.owId, id: payment.paymentId, email });
    return ok('Payment receipt e-mail sent successfully.');
  });

  // A46
  routes.get('/payment/download-receipt/:paymentId', async (request, reply) => {
    const tenant = tenantOf(request);
    const payment = state.payments.get(Number((request.params as { paymentId: string }).paymentId));
    if (!payment || payment.organizationWorkspaceId !== tenant.organizationWorkspaceId) return refuse(reply, 'Payment with the provided ID does not exists', 404);
    const owId = parseId((request.query as Query)['owId']);
    if (owId !== null && owId !== payment.owId) return refuse(reply, 'User is not allowed to access provided customer details', 403);
    const payer = state.customers.get(payment.owId)?.name ?? tenant.organizationName;
    const pdf = simplePdf(`Payment receipt ${payment.paymentId}`, [
      `Received from: ${payer} (workspace ${payment.owId})`,
      `Received by: ${tenant.organizationName}`,
      `Amount: ${payment.paymentAmount.toFixed(2)} USD`,
      `Status: ${PAYMENT_STATUS_LABEL[payment.paymentStatus]}`,
      `Type: ${PAYMENT_TYPE_LABEL[payment.paymentType]}`,
      `Date: ${new Date(payment.paymentDate).toISOString().slice(0, 10)}`,
      `Transaction: ${payment.transactionId ?? '-'}`,
      ...(payment.invoiceId ? [`Invoice: ${payment.invoiceId}`] : []),
    ]);
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="receipt-${payment.paymentId}.pdf"`)
      .send(pdf);
  });
}
