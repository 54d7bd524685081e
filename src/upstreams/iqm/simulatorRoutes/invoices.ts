import { Decimal } from 'decimal.js';
import type { FastifyRequest } from 'fastify';
import { INVOICE_STATUS, PAYMENT_MODE, PAYMENT_STATUS, PAYMENT_TYPE, type IqmSimulatorState, type SimInvoice } from '../simulatorState.js';
import { simplePdf } from './pdf.js';
import {
  PROOF_TYPES,
  customerById,
  invoiceById,
  invoiceRow,
  isEmail,
  jsonBody,
  ok,
  parseAmount,
  parseId,
  parsePaymentDate,
  readMultipart,
  refuse,
  sortRows,
  tenantOf,
  type Query,
  type SimRoutes,
} from './support.js';

const SETTINGS_FIELDS = [
  'invoiceTitle',
  'invoiceCompanyAddress',
  'email',
  'website',
  'invoiceDescription',
  'termsAndConditions',
  'paymentTerm',
  'invoiceFooter',
  'paypalAccountId',
  'chequeCompanyName',
  'chequeCompanyAddress',
  'wireTransferCompanyName',
  'bankName',
  'accountNumber',
  'bankAddress',
] as const;

/** Invoices and invoice settings: A17–A26. */
export function registerInvoiceRoutes(routes: SimRoutes, state: IqmSimulatorState): void {
  const organizationOf = (request: FastifyRequest) => {
    const organization = state.organizations.get(tenantOf(request).organizationWorkspaceId);
    if (!organization) throw new Error('IQM simulator: tenant without organization settings');
    return organization;
  };

  // A17
  routes.get('/invoice-settings', async (request) => {
    const { invoiceSettings: settings, organizationWorkspaceId } = organizationOf(request);
    return ok({
      invoiceId: settings.invoiceId,
      owId: organizationWorkspaceId,
      invoiceTitle: settings.invoiceTitle,
      invoiceCompanyName: settings.invoiceCompanyName,
      invoiceCompanyAddress: settings.invoiceCompanyAddress,
      email: settings.email,
      website: settings.website,
      invoiceDescription: settings.invoiceDescription,
      paypalId: settings.paypalId,
      chequeTransferId: settings.chequeTransferId,
      wireTransferId: settings.wireTransferId,
      termsAndConditions: settings.termsAndConditions,
      paymentTerm: settings.paymentTerm,
      invoiceFooter: settings.invoiceFooter,
      createdAt: settings.createdAt,
    });
  });

  // A18
  routes.get('/invoice-settings-payment-details', async (request, reply) => {
    const invoice = invoiceById(state, request, reply, (request.query as Query)['invoiceId']);
    if (!invoice) return reply;
    const settings = organizationOf(request).invoiceSettings;
    return ok({
      paypalPaymentDetail:
        state.answerVariants.A18 === 'table'
          ? { payPalId: settings.paypalId, paypalAccountId: settings.paypalAccountId }
          : { paypalId: settings.paypalId, paypalAccountId: settings.paypalAccountId },
      chequePaymentDetail: { chequeId: settings.chequeTransferId, chequeCompanyName: settings.chequeCompanyName, chequeCompanyAddress: settings.chequeCompanyAddress },
      wireTransferPaymentDetail: {
        wireTransferId: settings.wireTransferId,
        wireTransferCompanyName: settings.wireTransferCompanyName,
        bankName: settings.bankName,
        accountNumber: settings.accountNumber,
        bankAddress: settings.bankAddress,
        swiftCode: settings.swiftCode,
        routing: settings.routing,
      },
    });
  });

  // A19
  routes.get('/invoice/list/:owId', async (request, reply) => {
    const tenant = tenantOf(request);
    const owId = Number((request.params as { owId: string }).owId);
    const query = request.query as Query;
    const organizationView = owId === tenant.organizationWorkspaceId;
    if (!organizationView && !state.customerOf(tenant.organizationWorkspaceId, owId)) {
      return refuse(reply, 'User is not allowed to access provided customer details', 403);
    }
    const statuses = query['status'] ? query['status'].split(',').map(Number) : null;
    const rows = [...state.invoices.values()].filter(
      (invoice) =>
        invoice.organizationWorkspaceId === tenant.organizationWorkspaceId &&
        (organizationView || invoice.owId === owId) &&
        (!statuses || statuses.includes(invoice.status)),
    );
    const sorted = sortRows(rows, query['sortBy'] ?? '-invoiceId', {
      invoiceId: (invoice) => invoice.invoiceId,
      issuedOn: (invoice) => invoice.issuedOn,
      invoiceAmount: (invoice) => invoice.invoiceAmount.toNumber(),
      status: (invoice) => invoice.status,
    });
    if (!sorted) return refuse(reply, `Unsupported sortBy: ${query['sortBy']}`);
    return ok({ data: sorted.map((invoice) => invoiceRow(invoice, state.answerVariants.A19)), totalRecords: rows.length, filteredRecords: rows.length });
  });

  // A20: the path id is the invoice-settings id of A17.
  routes.patch('/invoice-settings/:invoiceId', async (request, reply) => {
    const organization = organizationOf(request);
    const id = parseId((request.params as { invoiceId: string }).invoiceId);
    if (id !== organization.invoiceSettings.invoiceId) {
      const owner = [...state.organizations.values()].some((other) => other.invoiceSettings.invoiceId === id);
      return refuse(reply, owner ? 'Invoice does not belong to the logged in organization workspace' : 'Invoice with the provided ID does not exists');
    }
    if ((request.query as Query)['isWhiteLabel'] !== 'true') return refuse(reply, 'Invoice settings can only be updated when isWhiteLabel is true');
    const body = jsonBody(request);
    if (body['email'] !== undefined && !isEmail(body['email'])) return refuse(reply, 'Invalid email');
    const settings = organization.invoiceSettings;
    for (const field of SETTINGS_FIELDS) {
      const value = body[field];
      if (typeof value === 'string') settings[field] = value;
    }
    if (typeof body['companyTaxId'] === 'string' && typeof body['companyTaxName'] === 'string') {
      const taxId = Math.max(organization.organizationWorkspaceId * 10, ...organization.taxData.keys()) + 1;
      organization.taxData.set(taxId, { companyTaxId: body['companyTaxId'], companyTaxName: body['companyTaxName'] });
    }
    return ok({ invoiceId: settings.invoiceId, message: 'Invoice details updated successfully' });
  });

  // A21
  routes.delete('/invoice-settings-tax-data', async (request, reply) => {
    const taxId = parseId((request.query as Query)['taxId']);
    const organization = organizationOf(request);
    if (taxId === null || !organization.taxData.has(taxId)) return refuse(reply, 'Tax ID is invalid');
    organization.taxData.delete(taxId);
    return ok('Tax data deleted successfully');
  });

  // A22
  routes.patch('/invoice-approve/:invoiceId', async (request, reply) => {
    const invoice = invoiceById(state, request, reply, (request.params as { invoiceId: string }).invoiceId);
    if (!invoice) return reply;
    if (invoice.status === INVOICE_STATUS.CANCELLED) return refuse(reply, 'Invoice with the provided ID is cancelled and cannot be approved');
    if (invoice.status !== INVOICE_STATUS.PENDING) return refuse(reply, 'Invoice with the provided ID is already approved');
    invoice.status = INVOICE_STATUS.UNPAID;
    recordAction(state, invoice, request);
    state.settleInvoice(invoice);
    return ok('Invoice with the provided ID approved successfully');
  });

  // A23
  routes.patch('/invoice-cancel/:invoiceId', async (request, reply) => {
    const invoice = invoiceById(state, request, reply, (request.params as { invoiceId: string }).invoiceId);
    if (!invoice) return reply;
    if (invoice.status === INVOICE_STATUS.CANCELLED) return refuse(reply, 'Invoice with the provided ID is already cancelled');
    if (invoice.status === INVOICE_STATUS.PAID || invoice.paidAmount.greaterThan(0)) {
      return refuse(reply, 'Invoice with the provided ID has payments and cannot be cancelled');
    }
    invoice.status = INVOICE_STATUS.CANCELLED;
    recordAction(state, invoice, request);
    return ok('Invoice with the provided ID rejected successfully');
  });

  // A24: multipart (or query) fields, optional paymentProof. The amount is kept as the exact decimal sent.
  routes.post('/pay-invoice', async (request, reply) => {
    const tenant = tenantOf(request);
    const { fields, proof } = await readMultipart(request);
    const invoice = invoiceById(state, request, reply, fields['invoiceId']);
    if (!invoice) return reply;
    if (fields['owId'] !== undefined && parseId(fields['owId']) !== invoice.owId) {
      return refuse(reply, 'Invoice does not belong to the provided organization workspace');
    }
    const amount = parseAmount(fields['paymentAmount']);
    const paymentType = parseId(fields['paymentType']);
    const paymentMode = fields['paymentMode'] === undefined ? null : parseId(fields['paymentMode']);
    const paymentDate = parsePaymentDate(fields['paymentDate'], state.now());
    if (!amount || amount.lessThanOrEqualTo(0)) return refuse(reply, 'Payment amount must be greater than 0');
    if (paymentType !== PAYMENT_TYPE.AS_FUND && paymentType !== PAYMENT_TYPE.AGAINST_INVOICE) return refuse(reply, 'Invalid payment type ID');
    if (paymentMode !== null && ![1, 2, 3, 4].includes(paymentMode)) return refuse(reply, 'Invalid payment mode ID');
    if (paymentDate === null) return refuse(reply, 'Invalid payment date');
    if (proof && !PROOF_TYPES.has(proof.mimeType)) return refuse(reply, 'Payment proof must be a JPEG, PNG or PDF file');
    if (invoice.status === INVOICE_STATUS.PENDING) return refuse(reply, 'Invoice with the provided ID is not approved yet');
    if (invoice.status === INVOICE_STATUS.CANCELLED) return refuse(reply, 'Invoice with the provided ID is cancelled');
    if (invoice.status === INVOICE_STATUS.PAID) return refuse(reply, 'Invoice with the provided ID is already paid');
    const outstanding = invoice.invoiceAmount.minus(invoice.paidAmount);
    if (amount.greaterThan(outstanding)) return refuse(reply, 'Payment amount exceeds the outstanding amount of the invoice');
    const customer = state.customers.get(invoice.owId);
    if (paymentType === PAYMENT_TYPE.AS_FUND) {
      // Paying "as fund" draws on the customer's balance.
      if (!customer || customer.balance.lessThan(amount)) return refuse(reply, 'Insufficient balance to pay the invoice');
      customer.balance = customer.balance.minus(amount);
    }
    const { modifiedAt: now } = state.recordPayment(tenant, {
      owId: invoice.owId,
      paymentDate,
      paymentAmount: new Decimal(amount),
      paymentStatus: PAYMENT_STATUS.PAID,
      paymentMode: paymentMode ?? (paymentType === PAYMENT_TYPE.AS_FUND ? PAYMENT_MODE.TO_FUNDS : PAYMENT_MODE.WIRE_TRANSFER),
      paymentType: PAYMENT_TYPE.AGAINST_INVOICE,
      invoiceId: invoice.invoiceId,
      transactionId: fields['transactionId'] ?? null,
      bankName: fields['bankName'] ?? null,
      paymentProof: proof,
    });
    invoice.modifiedAt = now;
    state.settleInvoice(invoice);
    return ok('Payment added Successfully.');
  });

  // A25
  routes.post('/email-invoice/:owId/:invoiceId', async (request, reply) => {
    const params = request.params as { owId: string; invoiceId: string };
    const invoice = invoiceById(state, request, reply, params.invoiceId);
    if (!invoice) return reply;
    if (parseId(params.owId) !== invoice.owId && parseId(params.owId) !== tenantOf(request).organizationWorkspaceId) {
      return refuse(reply, 'Invoice does not belong to the provided organization workspace');
    }
    const email = jsonBody(request)['email'];
    if (!isEmail(email)) return refuse(reply, 'A valid email is required');
    state.emails.push({ kind: 'invoice', owId: invoice.owId, id: invoice.invoiceId, email });
    return ok('Invoice e-mail sent successfully.');
  });

  // A26: a PDF. Unknown invoices answer 404 with IQM's error envelope.
  routes.get('/download-invoice/:owId/:invoiceId', async (request, reply) => {
    const params = request.params as { owId: string; invoiceId: string };
    const invoice = state.invoices.get(Number(params.invoiceId));
    const tenant = tenantOf(request);
    if (!invoice || invoice.organizationWorkspaceId !== tenant.organizationWorkspaceId) return refuse(reply, 'Invoice with the provided ID does not exists', 404);
    if (parseId(params.owId) !== invoice.owId && parseId(params.owId) !== tenant.organizationWorkspaceId) {
      return refuse(reply, 'User is not allowed to access provided customer details', 403);
    }
    const customer = customerById(state, request, reply, invoice.owId);
    if (!customer) return reply;
    const pdf = simplePdf(`Invoice ${invoice.invoiceName}`, [
      `Invoice ID: ${invoice.invoiceId}`,
      `Billed to: ${customer.name} (workspace ${customer.owId})`,
      `Issued by: ${tenant.organizationName}`,
      `Period: ${new Date(invoice.invoiceFromDate).toISOString().slice(0, 10)} to ${new Date(invoice.invoiceToDate).toISOString().slice(0, 10)}`,
      `Issued on: ${new Date(invoice.issuedOn).toISOString().slice(0, 10)}, payment term ${invoice.paymentTerm} days`,
      `Amount: ${invoice.invoiceAmount.toFixed(2)} USD`,
      `Paid: ${invoice.paidAmount.toFixed(2)} USD`,
      ...Array.from({ length: 30 }, (_, line) => `Line ${line + 1}: campaign media and data charges`),
    ]);
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="invoice-${invoice.invoiceId}.pdf"`)
      .send(pdf);
  });
}

function recordAction(state: IqmSimulatorState, invoice: SimInvoice, request: FastifyRequest): void {
  const note = jsonBody(request)['actionNote'];
  invoice.actionNote = typeof note === 'string' ? note : null;
  invoice.invoiceStatusUpdatedBy = tenantOf(request).userName;
  invoice.modifiedAt = state.now();
}
