export { Bulkhead, type BulkheadAdmission, type BulkheadOptions, type BulkheadRelease } from './bulkhead.js';
export { CircuitBreaker, type BreakerPermit, type BreakerState, type CircuitBreakerOptions } from './circuitBreaker.js';
export { sleep, systemClock, type Clock } from './clock.js';
export { callWithResilience, type AttemptOutcome, type Refusal, type ResiliencePolicies, type ResilientCall } from './resilientCall.js';
export { backoffDelayMs, isRetryableMethod, isRetryableStatus, nextRetryDelay, parseRetryAfter, type FailedAttempt, type RetryPolicy } from './retry.js';
