/**
 * Reads V8's `--trace-gc-nvp` lines (one `name=value` line per collection) into what the young
 * generation costs an operation: how many bytes each scavenge copies and promotes for every
 * megabyte the gateway allocates. A request whose objects all die young promotes nearly nothing
 * (a Fastify route that answers `{ status: 'ok' }` promotes 0.3 KB per MB); whatever a scavenge
 * promotes stays in the old generation until the next mark-compact, which is what the peak RSS and
 * the p99 outliers pay for (bench/README.md, "What the young generation keeps").
 */

export interface GcTraceSummary {
  readonly scavenges: number;
  readonly markCompacts: number;
  readonly allocatedMb: number;
  /** KB promoted to the old generation per MB allocated. */
  readonly promotedKbPerMb: number;
  /** KB that survived a scavenge (copied or promoted) per MB allocated. */
  readonly survivedKbPerMb: number;
  /** Milliseconds of scavenge pauses per MB allocated. */
  readonly scavengeMsPerMb: number;
  readonly markCompactMs: number;
}

interface Collection {
  readonly kind: string;
  readonly pauseMs: number;
  readonly allocated: number;
  readonly promoted: number;
  readonly survived: number;
}

export function parseGcTrace(text: string): Collection[] {
  const collections: Collection[] = [];
  for (const line of text.split('\n')) {
    const kind = / gc=(\w+) /.exec(line)?.[1];
    if (kind === undefined) continue;
    const field = (name: string) => Number(new RegExp(` ${name}=([\\d.]+)`).exec(line)?.[1] ?? 0);
    collections.push({ kind, pauseMs: field('pause'), allocated: field('allocated'), promoted: field('promoted'), survived: field('new_space_survived') });
  }
  return collections;
}

export function summarizeGcTrace(collections: readonly Collection[]): GcTraceSummary {
  const scavenges = collections.filter((collection) => collection.kind === 's');
  const markCompacts = collections.filter((collection) => collection.kind === 'mc');
  const sum = (values: readonly Collection[], key: 'pauseMs' | 'allocated' | 'promoted' | 'survived') => values.reduce((total, collection) => total + collection[key], 0);
  const allocatedMb = sum(collections, 'allocated') / 1048576;
  const perMb = (value: number) => (allocatedMb > 0 ? value / allocatedMb : 0);
  return {
    scavenges: scavenges.length,
    markCompacts: markCompacts.length,
    allocatedMb,
    promotedKbPerMb: perMb(sum(scavenges, 'promoted') / 1024),
    survivedKbPerMb: perMb(sum(scavenges, 'survived') / 1024),
    scavengeMsPerMb: perMb(sum(scavenges, 'pauseMs')),
    markCompactMs: sum(markCompacts, 'pauseMs'),
  };
}
