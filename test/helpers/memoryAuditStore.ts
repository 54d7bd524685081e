import { chainHash, GENESIS_HASH, type AuditActor, type AuditEntry, type AuditOutcome, type AuditQuery, type AuditRecord, type AuditStore } from '../../src/audit/index.js';

/**
 * The audit trail in test memory, for stacks whose tests are not about auditing: the embedded PGlite
 * costs seconds and hundreds of MB per instance. The audit tests run against PGlite and PostgreSQL.
 */
export class MemoryAuditStore implements AuditStore {
  readonly description = 'test memory';
  readonly records: AuditRecord[] = [];

  async ready(): Promise<void> {}

  async append(entry: AuditEntry): Promise<AuditRecord> {
    const previous = this.records.filter((record) => record.tenant === entry.tenant).at(-1);
    const sequence = (previous?.sequence ?? 0) + 1;
    const previousHash = previous?.hash ?? GENESIS_HASH;
    const record = { ...entry, sequence, previousHash, hash: chainHash(entry, sequence, previousHash) };
    this.records.push(record);
    return record;
  }

  async list(tenant: string, query: AuditQuery): Promise<AuditRecord[]> {
    return this.records
      .filter(
        (record) =>
          record.tenant === tenant &&
          (!query.subject || record.subject === query.subject) &&
          (!query.mutation || record.mutation === query.mutation) &&
          (!query.outcome || record.outcome === query.outcome) &&
          (!query.targetId || record.targetIds.includes(query.targetId) || record.upstreamIds.includes(query.targetId)) &&
          (!query.from || record.at >= query.from) &&
          (!query.to || record.at < query.to) &&
          (query.beforeSequence === null || query.beforeSequence === undefined || record.sequence < query.beforeSequence),
      )
      .reverse()
      .slice(0, query.limit);
  }

  async actorsOf(tenant: string, upstreamId: string, mutations: readonly string[], outcomes: readonly AuditOutcome[]): Promise<AuditActor[]> {
    return this.records
      .filter((record) => record.tenant === tenant && record.upstreamIds.includes(upstreamId) && mutations.includes(record.mutation) && outcomes.includes(record.outcome))
      .map(({ subject, issuer }) => ({ subject, issuer }));
  }

  async close(): Promise<void> {}
}
