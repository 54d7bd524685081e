import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toDecimal } from '../../src/domain/money.js';

describe('Money: toDecimal', () => {
  // Issue 16 hands decimal.js the number itself instead of String(number); the decimal must be the same.
  it('reads a JSON number as the decimal of its shortest round-trip text, sign and all', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(0, -0, 0.1, 1e21, 1e-7, -1.5e-300, 2 ** 53 + 2)), (value) => {
        const viaText = toDecimal(String(value));
        const decimal = toDecimal(value);
        expect(decimal.toFixed()).toBe(viaText.toFixed());
        expect(decimal.equals(viaText)).toBe(true);
        expect(decimal.isNegative()).toBe(viaText.isNegative());
      }),
      { numRuns: 20_000 },
    );
  });
});
