import { describe, expect, it } from 'vitest';
import { checkSchemaChanges, parseAnnouncements } from '../../.ci/schema-check.js';

const BASE = /* GraphQL */ `
  type Query {
    customer(id: ID!): Customer
  }
  type Customer {
    id: ID!
    displayName: String!
    legacyCode: String
  }
  input PayInput {
    amount: String!
  }
  type Mutation {
    pay(input: PayInput!): Boolean!
  }
`;

const WITHOUT_LEGACY_CODE = BASE.replace('    legacyCode: String\n', '');

const HEADER = `# Announced breaking changes

The check fails on any breaking change not announced here, in this format:

- \`Customer.legacyCode\`: an example in the explanation, not an announcement.

## Announced
`;

describe('Schema check: breaking changes against the base SDL', () => {
  it('fails on an unannounced field removal and names it', async () => {
    const result = await checkSchemaChanges(BASE, WITHOUT_LEGACY_CODE, HEADER);
    expect(result.changes).toContainEqual({
      level: 'BREAKING',
      path: 'Customer.legacyCode',
      message: "Field 'legacyCode' was removed from object type 'Customer'",
      announced: false,
    });
    expect(result.unannounced.map((change) => change.path)).toEqual(['Customer.legacyCode']);
  });

  it('passes when the removal is announced under "## Announced"', async () => {
    const announcements = `${HEADER}\n- \`Customer.legacyCode\`: never filled since 2025; read \`Customer.id\` instead.\n`;
    const result = await checkSchemaChanges(BASE, WITHOUT_LEGACY_CODE, announcements);
    expect(result.changes.find((change) => change.path === 'Customer.legacyCode')).toMatchObject({ level: 'BREAKING', announced: true });
    expect(result.unannounced).toEqual([]);
  });

  it('treats a new required input field as breaking until announced, several per item allowed', async () => {
    const head = BASE.replace('amount: String!', 'amount: String!\n    idempotencyKey: String!');
    const unannounced = await checkSchemaChanges(BASE, head, HEADER);
    expect(unannounced.unannounced.map((change) => change.path)).toEqual(['PayInput.idempotencyKey']);
    const announced = await checkSchemaChanges(BASE, head, `${HEADER}\n- \`OtherInput.idempotencyKey\`, \`PayInput.idempotencyKey\`: money moves once.\n`);
    expect(announced.unannounced).toEqual([]);
  });

  it('passes a dangerous and a non-breaking addition without any announcement', async () => {
    const head = BASE.replace('displayName: String!', 'displayName: String!\n    email: String')
      .replace('type Mutation {', 'enum Tier {\n    GOLD\n  }\n  type Mutation {')
      .replace('pay(input: PayInput!): Boolean!', 'pay(input: PayInput!, note: String): Boolean!');
    const result = await checkSchemaChanges(BASE, head, HEADER);
    expect(result.changes.map((change) => [change.level, change.path])).toEqual(
      expect.arrayContaining([
        ['NON_BREAKING', 'Customer.email'],
        ['NON_BREAKING', 'Tier'],
        ['DANGEROUS', 'Mutation.pay.note'],
      ]),
    );
    expect(result.unannounced).toEqual([]);
  });

  it('reads announcements only from the list items under "## Announced", by their leading coordinates', () => {
    const markdown = `${HEADER}\n- \`A.b\`, \`C.d\` and \`E\`: reason, see \`F.g\`.\n* \`H.i.j\`: argument.\nprose with \`K.l\`\n`;
    expect([...parseAnnouncements(markdown)].sort()).toEqual(['A.b', 'C.d', 'E', 'H.i.j']);
  });
});
