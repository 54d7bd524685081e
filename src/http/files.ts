import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayHttpApp } from './app.js';
import { AuthenticationError, ownsIqmWorkspace, type Tenant } from '../auth/index.js';
import type { GatewayServices } from '../context.js';
import { IqmClient } from '../upstreams/iqm/index.js';
import type { UpstreamStreamResponse } from '../upstreams/http.js';
import { sendError, sendGatewayError } from './errors.js';
import { FileLinks } from './fileLinks.js';

/**
 * The file routes GraphQL links to (IqmInvoice.pdfUrl, IqmPayment.receiptUrl):
 * `GET /files/invoices/{owId}/{invoiceId}.pdf` (A26) and `GET /files/receipts/{owId}/{paymentId}.pdf`
 * (A46). A request is admitted by the link's own signature (the links GraphQL hands out are signed
 * for the caller's tenant and expire after minutes) or by a bearer token with `finance:read`; either
 * way the workspace must be the tenant's, or the answer is 404 and IQM is never asked. The PDF is
 * fetched from IQM with the tenant's credentials and streamed through without buffering; neither
 * IQM's URL nor its token is exposed. Failures are `{ error: { code, message } }`.
 */
export function registerFileRoutes(app: GatewayHttpApp, services: GatewayServices): void {
  const route = (kind: 'invoices' | 'receipts') => async (request: FastifyRequest, reply: FastifyReply) => {
    const { owId, file } = request.params as { owId: string; file: string };
    const id = /^(\d{1,12})\.pdf$/.exec(file)?.[1];
    if (!/^\d{1,12}$/.test(owId) || id === undefined) return sendError(reply, 404, 'NOT_FOUND', 'no such file');
    const tenant = await admittedTenant(request, reply, `/files/${kind}/${owId}/${file}`);
    if (!tenant) return reply;
    if (!ownsIqmWorkspace({ caller: { tenant }, directory: services.directoryOf(tenant) }, Number(owId))) return sendError(reply, 404, 'NOT_FOUND', 'no such file');
    const client = new IqmClient(services.pools.iqm, tenant.credentials.iqm);
    let upstream: UpstreamStreamResponse;
    try {
      upstream =
        kind === 'invoices'
          ? await client.downloadInvoice(Number(owId), Number(id), true)
          : await client.downloadReceipt(Number(owId), Number(id), true);
    } catch (error) {
      return sendGatewayError(reply, error);
    }
    const length = upstream.headers['content-length'];
    if (length && /^\d+$/.test(length)) void reply.header('content-length', length);
    // Upstream errors after the headers are sent can only cut the stream short.
    upstream.body.on('error', (error) => request.log.warn({ err: error }, 'IQM file stream failed'));
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `attachment; filename="${kind === 'invoices' ? 'invoice' : 'receipt'}-${id}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(upstream.body);
  };

  /** The tenant the request may read files of, or null once a refusal has been sent. */
  async function admittedTenant(request: FastifyRequest, reply: FastifyReply, path: string): Promise<Tenant | null> {
    const query = request.query as Record<string, unknown>;
    if (FileLinks.isSigned(query)) {
      const tenantId = services.fileLinks.verify(path, query);
      const tenant = tenantId === null ? undefined : services.tenants.get(tenantId);
      if (tenant) return tenant;
      await sendError(reply, 403, 'FORBIDDEN', 'the link is invalid or has expired; ask the graph for a fresh one');
      return null;
    }
    try {
      const caller = await services.authenticator.authenticate(request.headers);
      if (caller.scopes.has('finance:read')) return caller.tenant;
      await sendError(reply, 403, 'FORBIDDEN', 'the finance:read scope is required');
      return null;
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      void reply.header('www-authenticate', 'Bearer error="invalid_token"');
      await sendError(reply, 401, 'UNAUTHENTICATED', error.message);
      return null;
    }
  }

  app.get('/files/invoices/:owId/:file', route('invoices'));
  app.get('/files/receipts/:owId/:file', route('receipts'));
}
