import type { Logger } from 'pino';
import type { GatewayContext } from '../context.js';

/**
 * A settlement reached without a request: the background reconciliation of an ambiguous outcome.
 * Settlements reached inside a request are told through `context.idempotencyOutcome` instead.
 */
export interface IdempotencySettlement {
  readonly mutation: string;
  /** The client's key. */
  readonly idempotencyKey: string;
  readonly tenantId: string;
  readonly subject: string;
  readonly issuer: string;
  readonly client: { readonly name: string | null; readonly version: string | null };
  /** `reconciled_applied`: the write was found; `reconciled_not_applied`: provably absent, key freed; `outcome_unknown`: still blocked. */
  readonly outcome: 'reconciled_applied' | 'reconciled_not_applied' | 'outcome_unknown';
  /** The payload stored for replay when applied (the domain model the mutation answers with). */
  readonly payload: unknown;
  /** When applied: upstream objects the evidence showed that the payload does not hold (e.g. the payment carrying the marker). */
  readonly objects: readonly object[];
  /** The ambiguous call's attempt (its audit attemptId, as the key's record names it); null when it named none. */
  readonly attempt: string | null;
  /** The ambiguous call's input, its idempotency key included. */
  readonly input: object;
  /** The context the reconciliation ran in: a fork of the ambiguous request's (the same caller and tenant). */
  readonly context: GatewayContext;
  /** The request id of the operation whose write was ambiguous. */
  readonly requestId: string;
  readonly at: Date;
}

export type SettlementListener = (settlement: IdempotencySettlement) => void | Promise<void>;

/** The orphan sweep's shortest period: with a 0 ms reconcile delay (tests) it would otherwise spin. */
const MIN_SWEEP_INTERVAL_MS = 1_000;

/**
 * Runs background reconciliations `delayMs` after an ambiguous outcome, so a client that never retries
 * still leaves a settled record, and the periodic orphan sweep (sweep) for keys whose replica
 * died before its own could run; tells every `onSettled` listener (the audit trail subscribes here).
 * Jobs run at most once each in this process; across replicas the store's lease (takeOver) lets only
 * one reconcile a key at a time. `close()` cancels what has not started and waits for what has.
 */
export class BackgroundReconciler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private readonly listeners = new Set<SettlementListener>();
  private closed = false;
  private sweeper: { readonly timer: NodeJS.Timeout; readonly sweep: () => Promise<readonly IdempotencySettlement[]> } | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    readonly delayMs: number,
    private readonly logger: Logger,
  ) {}

  /** Subscribes to background settlements; returns the unsubscribe function. A failing listener is logged, never retried. */
  onSettled(listener: SettlementListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reconciliations scheduled or running now (tests and shutdown). */
  get pending(): number {
    return this.timers.size + this.running.size;
  }

  /** Runs `job` after the delay; its settlement (null: nothing settled here) goes to the listeners. */
  schedule(job: () => Promise<IdempotencySettlement | null>): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.run(job);
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    }, this.delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Resolves when every scheduled reconciliation has run (tests). */
  async drain(): Promise<void> {
    while (this.pending > 0) {
      await Promise.all(this.running);
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.delayMs, 20) + 1));
    }
  }

  /**
   * Runs `sweep` (reconcileOrphans) every IDEMPOTENCY_RECONCILE_DELAY_MS (at least every second) until
   * close(), never two at once; the settlements it returns go to the listeners. A failed sweep is
   * logged; the next one tries again.
   */
  sweep(sweep: () => Promise<readonly IdempotencySettlement[]>): void {
    if (this.closed || this.sweeper) return;
    const timer = setInterval(() => void this.sweepNow(), Math.max(MIN_SWEEP_INTERVAL_MS, this.delayMs));
    timer.unref();
    this.sweeper = { timer, sweep };
  }

  /** Runs the sweep once now, or waits for the one running (tests and operators); nothing before sweep(). */
  async sweepNow(): Promise<void> {
    if (!this.sweeper) return;
    const { sweep } = this.sweeper;
    this.sweeping ??= (async () => {
      try {
        for (const settlement of await sweep()) await this.tell(settlement, 'a key orphaned by a dead replica reconciled');
      } catch (error) {
        this.logger.error({ err: error }, 'the orphan sweep failed; the next one tries again');
      } finally {
        this.sweeping = null;
      }
    })();
    await this.sweeping;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (this.sweeper) clearInterval(this.sweeper.timer);
    this.sweeper = null;
    await Promise.all([...this.running, this.sweeping]);
  }

  private async run(job: () => Promise<IdempotencySettlement | null>): Promise<void> {
    let settlement: IdempotencySettlement | null;
    try {
      settlement = await job();
    } catch (error) {
      this.logger.error({ err: error }, 'background reconciliation failed: the key stays blocked until a retry reconciles it');
      return;
    }
    if (settlement !== null) await this.tell(settlement, 'ambiguous outcome reconciled in the background');
  }

  private async tell(settlement: IdempotencySettlement, message: string): Promise<void> {
    this.logger.info({ mutation: settlement.mutation, idempotencyKey: settlement.idempotencyKey, outcome: settlement.outcome }, message);
    for (const listener of this.listeners) {
      try {
        await listener(settlement);
      } catch (error) {
        this.logger.error({ err: error, outcome: settlement.outcome }, 'an idempotency settlement listener failed');
      }
    }
  }
}
