import { recordFromRow, type AuditRow } from './auditStore.js';
import type { SqlDatabase } from './database.js';
import { migrate } from './migrations.js';
import { chainHash, GENESIS_HASH } from './record.js';

/** The first record where a tenant's chain stops holding, and why. */
export interface BrokenLink {
  readonly tenant: string;
  readonly sequence: number;
  readonly reason: string;
}

export interface ChainReport {
  /** Tenants checked, with how many records each chain holds. */
  readonly tenants: readonly { readonly tenant: string; readonly records: number }[];
  /** One entry per tenant whose chain is broken (the first broken record of it). */
  readonly broken: readonly BrokenLink[];
}

const PAGE = 1_000;

/**
 * Re-reads every tenant's chain from its first record: sequences without gaps, each record linking
 * to the hash of the one before, each hash recomputed from the record's own fields, and the last
 * record matching the tenant's head (so deleting the newest records is seen too).
 */
export async function verifyChains(db: SqlDatabase): Promise<ChainReport> {
  await migrate(db);
  const { rows: tenantRows } = await db.query<{ tenant: string }>('SELECT tenant FROM audit_heads UNION SELECT DISTINCT tenant FROM audit_records ORDER BY tenant');
  const tenants: { tenant: string; records: number }[] = [];
  const broken: BrokenLink[] = [];
  for (const { tenant } of tenantRows) {
    let expected = 1;
    let previousHash = GENESIS_HASH;
    let failure: BrokenLink | null = null;
    pages: for (;;) {
      const { rows } = await db.query<AuditRow>('SELECT * FROM audit_records WHERE tenant = $1 AND sequence >= $2 ORDER BY sequence LIMIT $3', [tenant, expected, PAGE]);
      for (const row of rows) {
        const record = recordFromRow(row);
        if (record.sequence !== expected) {
          failure = { tenant, sequence: expected, reason: `record ${expected} is missing (the next one is ${record.sequence}): deleted` };
        } else if (record.previousHash !== previousHash) {
          failure = { tenant, sequence: expected, reason: 'its previous hash does not match the record before it: a record before it was changed or replaced' };
        } else if (chainHash(record, record.sequence, record.previousHash) !== record.hash) {
          failure = { tenant, sequence: expected, reason: 'its hash does not match its contents: the record was changed' };
        }
        if (failure) break pages;
        previousHash = record.hash;
        expected += 1;
      }
      if (rows.length < PAGE) break;
    }
    const last = expected - 1;
    if (!failure) {
      const { rows } = await db.query<{ sequence: number | string; hash: string }>('SELECT sequence, hash FROM audit_heads WHERE tenant = $1', [tenant]);
      const head = rows[0];
      if (!head) failure = { tenant, sequence: last, reason: 'the tenant has records but no head' };
      else if (Number(head.sequence) !== last || head.hash !== previousHash) {
        failure = { tenant, sequence: last + 1, reason: `the chain ends at record ${last} but its head says ${Number(head.sequence)}: records at the end were deleted or changed` };
      }
    }
    tenants.push({ tenant, records: last });
    if (failure) broken.push(failure);
  }
  return { tenants, broken };
}
