import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayHttpApp } from './app.js';
import { resolveCaller, type GatewayServices } from '../context.js';
import { IqmClient } from '../upstreams/iqm/index.js';
import type { UpstreamStreamResponse } from '../upstreams/http.js';
import { sendError, sendGatewayError } from './errors.js';

/**
 * The file routes GraphQL links to (IqmInvoice.pdfUrl, IqmPayment.receiptUrl):
 * `GET /files/invoices/{owId}/{invoiceId}.pdf` (A26) and `GET /files/receipts/{owId}/{paymentId}.pdf`
 * (A46). The caller sends the same credentials as to /graphql; the gateway fetches the PDF from IQM
 * with them and streams it through without buffering. Neither IQM's URL nor its token is exposed;
 * failures are `{ error: { code, message } }` with a matching HTTP status.
 */
export function registerFileRoutes(app: GatewayHttpApp, services: GatewayServices): void {
  const route = (kind: 'invoices' | 'receipts') => async (request: FastifyRequest, reply: FastifyReply) => {
    const { owId, file } = request.params as { owId: string; file: string };
    const id = /^(\d{1,12})\.pdf$/.exec(file)?.[1];
    if (!/^\d{1,12}$/.test(owId) || id === undefined) return sendError(reply, 404, 'NOT_FOUND', 'no such file');
    const caller = resolveCaller(services, request.headers);
    const client = new IqmClient(services.pools.iqm, caller.iqmCredentials);
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
  app.get('/files/invoices/:owId/:file', route('invoices'));
  app.get('/files/receipts/:owId/:file', route('receipts'));
}
