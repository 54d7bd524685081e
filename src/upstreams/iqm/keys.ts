/**
 * The shape of every IQM key the gateway puts in a path or a query: workspace, invoice, payment and
 * credit ids are whole numbers (IQM's own ids are positive; 0 stands for the organization in a
 * global id). Anything else never leaves the gateway.
 */
const IQM_ID = /^\d{1,12}$/;

export function isIqmId(value: string): boolean {
  return IQM_ID.test(value);
}
