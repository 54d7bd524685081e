import { BadUserInputError } from '../../errors.js';

/**
 * The OData `$filter` of D1, both ways. The gateway side builds it only from validated GUIDs and
 * integers, so no caller text ever reaches the expression; the simulator side parses exactly the
 * grammar the builder emits and refuses everything else:
 *
 *   filter     := term ( " and " term )*
 *   term       := comparison | "(" comparison ( " or " comparison )* ")"   — one field per group
 *   comparison := "CustomerId eq guid'" GUID "'" | ( "LocationId" | "EmployeeId" ) " eq " INTEGER
 */

const GUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Filters longer than this are refused by the parser (a 20-customer batch is about 1 000 characters). */
export const MAX_FILTER_LENGTH = 4096;

/** Whether `value` is a GUID in the 8-4-4-4-12 hex form iQmetrix uses (no braces, no quotes). */
export function isGuid(value: unknown): value is string {
  return typeof value === 'string' && GUID_PATTERN.test(value);
}

export interface InvoiceSummaryFilter {
  /** Any of these customers; an empty list is refused (it would otherwise mean "every customer"). */
  readonly customerIds?: readonly string[] | null;
  readonly locationId?: number | null;
  readonly employeeId?: number | null;
}

/**
 * Builds D1's `$filter`, e.g. `(CustomerId eq guid'…' or CustomerId eq guid'…') and LocationId eq 4
 * and EmployeeId eq 15`, or null when nothing is filtered. GUIDs are lower-cased and deduplicated so
 * equal filters are equal strings. Throws BadUserInputError for a value that is not a GUID or a
 * non-negative safe integer.
 */
export function buildInvoiceSummaryFilter(filter: InvoiceSummaryFilter): string | null {
  const clauses: string[] = [];
  if (filter.customerIds !== undefined && filter.customerIds !== null) {
    const ids = canonicalGuids(filter.customerIds, 'customerId');
    if (ids.length === 0) throw new BadUserInputError('iQmetrix: a customer filter needs at least one customer id', { field: 'customerId' });
    const comparisons = ids.map((id) => `CustomerId eq guid'${id}'`);
    clauses.push(comparisons.length === 1 ? comparisons.join('') : `(${comparisons.join(' or ')})`);
  }
  if (filter.locationId !== undefined && filter.locationId !== null) {
    clauses.push(`LocationId eq ${odataInteger(filter.locationId, 'locationId')}`);
  }
  if (filter.employeeId !== undefined && filter.employeeId !== null) {
    clauses.push(`EmployeeId eq ${odataInteger(filter.employeeId, 'employeeId')}`);
  }
  return clauses.length === 0 ? null : clauses.join(' and ');
}

/** Validated, lower-cased, deduplicated GUIDs in first-seen order. */
export function canonicalGuids(values: readonly unknown[], field: string): string[] {
  const seen = new Set<string>();
  for (const value of values) {
    if (!isGuid(value)) throw new BadUserInputError(`iQmetrix: ${field} must be a GUID`, { field });
    seen.add(value.toLowerCase());
  }
  return [...seen];
}

function odataInteger(value: unknown, field: string): string {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new BadUserInputError(`iQmetrix: ${field} must be a non-negative integer`, { field });
  }
  return String(value);
}

// ---------------------------------------------------------------- simulator side

export type InvoiceSummaryFilterField = 'CustomerId' | 'LocationId' | 'EmployeeId';

/** One `and` operand: the row's field must equal one of `values` (GUIDs lower-cased). */
export type InvoiceSummaryFilterClause =
  | { readonly field: 'CustomerId'; readonly values: readonly string[] }
  | { readonly field: 'LocationId' | 'EmployeeId'; readonly values: readonly number[] };

export class InvoiceSummaryFilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`Invalid $filter at position ${position}: ${message}`);
    this.name = 'InvoiceSummaryFilterSyntaxError';
  }
}

type Token =
  | { readonly kind: '(' | ')'; readonly at: number }
  | { readonly kind: 'word'; readonly value: string; readonly at: number }
  | { readonly kind: 'integer'; readonly value: number; readonly at: number }
  | { readonly kind: 'guid'; readonly value: string; readonly at: number };

/**
 * Parses the `$filter` grammar above into `and` clauses. Throws InvoiceSummaryFilterSyntaxError for
 * anything else: other fields or operators, `or` across fields, nesting, quotes outside `guid'…'`.
 */
export function parseInvoiceSummaryFilter(text: string): readonly InvoiceSummaryFilterClause[] {
  if (text.length > MAX_FILTER_LENGTH) throw new InvoiceSummaryFilterSyntaxError(`longer than ${MAX_FILTER_LENGTH} characters`, MAX_FILTER_LENGTH);
  const tokens = tokenize(text);
  let index = 0;
  const peek = (): Token | undefined => tokens[index];
  const end = text.length;

  const expectWord = (word: string): void => {
    const token = tokens[index];
    if (token?.kind !== 'word' || token.value !== word) throw new InvoiceSummaryFilterSyntaxError(`expected '${word}'`, token?.at ?? end);
    index += 1;
  };

  const comparison = (): { field: InvoiceSummaryFilterField; value: string | number; at: number } => {
    const fieldToken = tokens[index];
    if (fieldToken?.kind !== 'word') throw new InvoiceSummaryFilterSyntaxError('expected CustomerId, LocationId or EmployeeId', fieldToken?.at ?? end);
    const field = fieldToken.value;
    if (field !== 'CustomerId' && field !== 'LocationId' && field !== 'EmployeeId') {
      throw new InvoiceSummaryFilterSyntaxError(`unsupported field '${field}'`, fieldToken.at);
    }
    index += 1;
    expectWord('eq');
    const valueToken = tokens[index];
    index += 1;
    if (field === 'CustomerId') {
      if (valueToken?.kind !== 'guid') throw new InvoiceSummaryFilterSyntaxError("CustomerId compares to guid'…'", valueToken?.at ?? end);
      return { field, value: valueToken.value, at: fieldToken.at };
    }
    if (valueToken?.kind !== 'integer') throw new InvoiceSummaryFilterSyntaxError(`${field} compares to an integer`, valueToken?.at ?? end);
    return { field, value: valueToken.value, at: fieldToken.at };
  };

  const term = (): InvoiceSummaryFilterClause => {
    const open = peek();
    const group: { field: InvoiceSummaryFilterField; value: string | number; at: number }[] = [];
    if (open?.kind === '(') {
      index += 1;
      group.push(comparison());
      for (let next = peek(); next?.kind === 'word' && next.value === 'or'; next = peek()) {
        index += 1;
        const item = comparison();
        if (item.field !== group[0]?.field) throw new InvoiceSummaryFilterSyntaxError("'or' joins comparisons of one field only", item.at);
        group.push(item);
      }
      const close = peek();
      if (close?.kind !== ')') throw new InvoiceSummaryFilterSyntaxError("expected ')'", close?.at ?? end);
      index += 1;
    } else {
      group.push(comparison());
    }
    const field = group[0]!.field;
    if (field === 'CustomerId') return { field, values: group.map((item) => String(item.value)) };
    return { field, values: group.map((item) => Number(item.value)) };
  };

  if (tokens.length === 0) throw new InvoiceSummaryFilterSyntaxError('empty filter', 0);
  const clauses = [term()];
  while (index < tokens.length) {
    expectWord('and');
    clauses.push(term());
  }
  return clauses;
}

/** Whether a summary row passes every clause (GUIDs compared case-insensitively). */
export function matchesInvoiceSummaryFilter(
  clauses: readonly InvoiceSummaryFilterClause[],
  row: { readonly customerId: string | null; readonly locationId: number | null; readonly employeeId: number | null },
): boolean {
  return clauses.every((clause) => {
    switch (clause.field) {
      case 'CustomerId':
        return row.customerId !== null && clause.values.includes(row.customerId.toLowerCase());
      case 'LocationId':
        return row.locationId !== null && clause.values.includes(row.locationId);
      case 'EmployeeId':
        return row.employeeId !== null && clause.values.includes(row.employeeId);
    }
  });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const char = text[at]!;
    if (char === ' ') {
      at += 1;
    } else if (char === '(' || char === ')') {
      tokens.push({ kind: char, at });
      at += 1;
    } else if (/[0-9]/.test(char)) {
      const digits = /^[0-9]+/.exec(text.slice(at))![0];
      const value = Number(digits);
      if (!Number.isSafeInteger(value)) throw new InvoiceSummaryFilterSyntaxError('integer out of range', at);
      tokens.push({ kind: 'integer', value, at });
      at += digits.length;
      requireBoundary(text, at);
    } else if (/[A-Za-z]/.test(char)) {
      const word = /^[A-Za-z][A-Za-z0-9]*/.exec(text.slice(at))![0];
      if (word === 'guid' && text[at + word.length] === "'") {
        const literal = /^guid'([^']*)'/.exec(text.slice(at));
        if (!literal || !isGuid(literal[1])) throw new InvoiceSummaryFilterSyntaxError("malformed guid'…' literal", at);
        tokens.push({ kind: 'guid', value: literal[1].toLowerCase(), at });
        at += literal[0].length;
        requireBoundary(text, at);
      } else {
        tokens.push({ kind: 'word', value: word, at });
        at += word.length;
      }
    } else {
      throw new InvoiceSummaryFilterSyntaxError(`unexpected character ${JSON.stringify(char)}`, at);
    }
  }
  return tokens;
}

/** A literal must be followed by a space, a closing parenthesis or the end (`4and` is not `4 and`). */
function requireBoundary(text: string, at: number): void {
  const next = text[at];
  if (next !== undefined && next !== ' ' && next !== ')') throw new InvoiceSummaryFilterSyntaxError('expected a space after a literal', at);
}
