import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for the operations in src/operations/*.graphql, from the gateway's printed schema.
 * Copy this file into a frontend project and point `schema` at the gateway's SDL (a copy of
 * src/__generated__/schema.graphql, or the running gateway's URL outside production, where
 * introspection is on). Run from this folder: `npx graphql-codegen --config codegen.ts`.
 */
const config: CodegenConfig = {
  schema: '../../src/__generated__/schema.graphql',
  documents: ['src/operations/*.graphql'],
  // Relative imports with .js extensions, as Node's ESM resolution (and tsc's NodeNext) require.
  emitLegacyCommonJSImports: false,
  generates: {
    'src/__generated__/': {
      preset: 'client',
      presetConfig: {
        // Operations are written in .graphql files, not with the graphql() tag, and select what they use.
        gqlTagName: 'graphql',
        fragmentMasking: false,
        // Trusted documents: writes persisted-documents.json ({ "<sha256>": "<document>" }), the manifest
        // the gateway loads (TRUSTED_DOCUMENTS_FILES or its Redis hash), and puts each document's id in
        // its `__meta__.hash`, which the client sends instead of the text. The document stays in the
        // generated code, so the client still works against a gateway that does not know the id.
        persistedDocuments: { hashAlgorithm: 'sha256', mode: 'embedHashInDocument' },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // Only the types the operations use: a schema change elsewhere does not touch these files.
        onlyOperationTypes: true,
        strictScalars: true,
        scalars: {
          ID: { input: 'string', output: 'string' },
          // Decimal travels as a string ("1250.50"): parse it with a decimal library, never Number().
          Decimal: 'string',
          DateTime: 'string',
          Date: 'string',
          CurrencyCode: 'string',
          EmailAddress: 'string',
          Guid: 'string',
          IdempotencyKey: 'string',
          // Declared for the authorization directives' arguments; never in a response.
          federation__Scope: 'string',
        },
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};

export default config;
