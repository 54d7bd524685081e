/** What keeps one caller from hurting another across requests: rate limits and their shared store (README, "Limits"). */
export { RateLimits, type RateDecision, type RateLimitName } from './rateLimits.js';
export { closeKeyvRedis, closeRedis, connectKeyvRedis, connectRedis } from './redis.js';
