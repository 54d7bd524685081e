import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Caller } from '../auth/index.js';
import type { GatewayConfig } from '../config.js';

/** Which budget ran out, as a client sees it in `extensions.limit`. */
export type RateLimitName = 'RATE_LIMIT_TENANT_REQUESTS' | 'RATE_LIMIT_SUBJECT_REQUESTS' | 'RATE_LIMIT_TENANT_UPSTREAM_CALLS' | 'RATE_LIMIT_SUBJECT_UPSTREAM_CALLS';

export type RateDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly limit: RateLimitName; readonly retryAfterSeconds: number; readonly allowance: number };

interface Budget {
  readonly name: RateLimitName;
  readonly limiter: RateLimiterAbstract;
  readonly points: number;
  readonly keyOf: (caller: Caller) => string;
}

/**
 * Per-tenant and per-subject budgets over a fixed window of RATE_LIMIT_WINDOW_SECONDS
 * (rate-limiter-flexible; in Redis when REDIS_URL is set, so replicas share one count):
 * - requests: every authenticated request to /graphql and /uploads costs 1, charged before Apollo runs;
 * - upstream calls: an operation is charged its estimate (upstreamCost.ts) before it executes, and
 *   the difference to the calls it really made is given back (or charged on top) when it ends, so
 *   the budget counts real upstream work while a caller can never start more than it has left.
 * A subject's budget is charged first, then its tenant's; a refusal takes back what it charged.
 * Redis unreachable: each replica falls back to counting in memory until it is back.
 */
export class RateLimits {
  private readonly requestBudgets: readonly Budget[];
  private readonly upstreamBudgets: readonly Budget[];

  constructor(config: GatewayConfig['rateLimits'], redis: Redis | null) {
    const duration = config.windowSeconds;
    const budget = (name: RateLimitName, points: number, scope: 'tenant' | 'subject', kind: string): Budget[] => {
      if (points === 0) return [];
      const options = { points, duration, keyPrefix: `gateway:rate:${kind}:${scope}` };
      // While Redis cannot be reached, each replica counts in its own memory (rate-limiter-flexible's
      // insurance limiter): budgets stay enforced per replica, and an outage of the shared counters
      // neither stops traffic nor hides what the stores that must fail closed (idempotency) report.
      const limiter = redis ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) }) : new RateLimiterMemory(options);
      // The subject key is the caller's partition key (tenant, issuer and subject digested).
      return [{ name, limiter, points, keyOf: scope === 'tenant' ? (caller) => caller.tenant.id : (caller) => caller.partitionKey }];
    };
    this.requestBudgets = [
      ...budget('RATE_LIMIT_SUBJECT_REQUESTS', config.subjectRequests, 'subject', 'requests'),
      ...budget('RATE_LIMIT_TENANT_REQUESTS', config.tenantRequests, 'tenant', 'requests'),
    ];
    this.upstreamBudgets = [
      ...budget('RATE_LIMIT_SUBJECT_UPSTREAM_CALLS', config.subjectUpstreamCalls, 'subject', 'upstream'),
      ...budget('RATE_LIMIT_TENANT_UPSTREAM_CALLS', config.tenantUpstreamCalls, 'tenant', 'upstream'),
    ];
  }

  /** Charges one request to the caller's subject and tenant. */
  chargeRequest(caller: Caller): Promise<RateDecision> {
    return charge(this.requestBudgets, caller, 1);
  }

  /** Charges an operation's estimated upstream calls before it executes. */
  chargeUpstreamCalls(caller: Caller, calls: number): Promise<RateDecision> {
    return calls > 0 ? charge(this.upstreamBudgets, caller, calls) : Promise.resolve({ allowed: true });
  }

  /** Settles an operation: `actual - charged` more (or back, when negative). */
  async reconcileUpstreamCalls(caller: Caller, charged: number, actual: number): Promise<void> {
    const difference = actual - charged;
    if (difference === 0) return;
    await Promise.all(
      this.upstreamBudgets.map((budget) =>
        difference > 0 ? budget.limiter.penalty(budget.keyOf(caller), difference) : budget.limiter.reward(budget.keyOf(caller), -difference),
      ),
    );
  }
}

async function charge(budgets: readonly Budget[], caller: Caller, points: number): Promise<RateDecision> {
  const charged: Budget[] = [];
  for (const budget of budgets) {
    try {
      await budget.limiter.consume(budget.keyOf(caller), points);
      charged.push(budget);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      // A refused consume still counted its points: take them back here and in the budgets before it.
      await Promise.all([budget, ...charged].map((taken) => taken.limiter.reward(taken.keyOf(caller), points)));
      const left = Math.max(0, budget.points - (error.consumedPoints - points));
      return { allowed: false, limit: budget.name, retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)), allowance: left };
    }
  }
  return { allowed: true };
}
