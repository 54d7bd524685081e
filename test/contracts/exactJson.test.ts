import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimalToWireNumber, toDecimal, wireAmountProblem } from '../../src/domain/money.js';
import { LosslessNumber, hasLongDigitRun, parseExactJson, stringifyExactJson } from '../../src/upstreams/exactJson.js';

describe('Money: exactJson and the wire amount types', () => {
  it('reads numbers a double holds as numbers and every other number as its digits', () => {
    const value = parseExactJson('{"a":0.1,"b":30430.75,"c":99999999999999.99,"d":12345678901234567890,"e":"1234567890123456789","f":1e2}') as Record<string, unknown>;
    expect(value['a']).toBe(0.1);
    expect(value['b']).toBe(30430.75);
    expect(value['c']).toEqual(new LosslessNumber('99999999999999.99'));
    expect(value['d']).toEqual(new LosslessNumber('12345678901234567890'));
    // A long digit run inside a string only takes the slower path; the string is untouched.
    expect(value['e']).toBe('1234567890123456789');
    expect(value['f']).toBe(100);
    expect(toDecimal(value['c'] as LosslessNumber).toFixed()).toBe('99999999999999.99');
  });

  it('finds a run of 16 digits and dots wherever it sits, probing one position in 16', () => {
    const everyCharacter = (text: string) => /[0-9.]{16}/.test(text);
    const piece = fc.oneof(fc.stringMatching(/^[0-9.]{0,20}$/), fc.stringMatching(/^[a-z",:{}]{0,3}$/));
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const text = pieces.join('');
        expect(hasLongDigitRun(text)).toBe(everyCharacter(text));
      }),
      { numRuns: 5000 },
    );
    expect(hasLongDigitRun('1234567890.12345')).toBe(true);
    expect(hasLongDigitRun('x1234567890.1234')).toBe(false);
  });

  it('refuses text that is not JSON on both paths', () => {
    expect(() => parseExactJson('{"a": tru')).toThrow(SyntaxError);
    expect(() => parseExactJson('{"a": 99999999999999.99,')).toThrow();
  });

  it('writes LosslessNumber and Decimal values with exactly their digits', () => {
    expect(stringifyExactJson({ a: decimalToWireNumber(toDecimal('99999999999999.99')), b: new Decimal('0.1'), c: 'x', d: [1.5] })).toBe(
      '{"a":99999999999999.99,"b":0.1,"c":"x","d":[1.5]}',
    );
    expect(decimalToWireNumber(toDecimal('12.30'))).toBe(12.3);
  });

  it('knows which amounts a double and a .NET decimal hold exactly', () => {
    expect(wireAmountProblem(toDecimal('9999999999999.99'), 'double')).toBeNull();
    expect(wireAmountProblem(toDecimal('0.1'), 'double')).toBeNull();
    expect(wireAmountProblem(toDecimal('99999999999999.99'), 'double')).toMatch(/IEEE-754 double/);
    expect(wireAmountProblem(toDecimal('792281625142643375935439503.35'), 'dotnet-decimal')).toBeNull();
    expect(wireAmountProblem(toDecimal('792281625142643375935439503.36'), 'dotnet-decimal')).toMatch(/\.NET decimal/);
    expect(wireAmountProblem(toDecimal('0.0000000000000000000000000001'), 'dotnet-decimal')).toBeNull();
    expect(wireAmountProblem(toDecimal('0.00000000000000000000000000001'), 'dotnet-decimal')).toMatch(/\.NET decimal/);
  });
});
