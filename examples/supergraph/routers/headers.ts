/**
 * The request headers a router must forward to the finance gateway (and the CRM), and nothing else:
 * - `authorization`: the caller's bearer JWT. Without it the gateway answers 401 — it never falls back
 *   to a demo or service identity — and with it the gateway binds the request to the token's tenant;
 * - `apollographql-client-name` / `-version`: the client, in the gateway's logs, metrics and usage reports;
 * - `traceparent` / `tracestate`: the caller's W3C trace, continued by the gateway's spans and upstream calls;
 * - `x-request-id`: the id the gateway's log lines carry (it makes one when none arrives).
 * Cookies and every other header stay at the router.
 */
export const PROPAGATED_HEADERS = [
  'authorization',
  'apollographql-client-name',
  'apollographql-client-version',
  'traceparent',
  'tracestate',
  'x-request-id',
] as const;

/** The propagated headers present on a request, read through `get` (Fetch's `Headers.get` or a Node lookup). */
export function propagatedHeaders(get: (name: string) => string | null | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of PROPAGATED_HEADERS) {
    const value = get(name);
    if (value) headers[name] = value;
  }
  return headers;
}
