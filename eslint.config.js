// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const namedExportsOnly = { selector: 'ExportDefaultDeclaration', message: 'Use named exports (graphql-js convention).' };

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'src/__generated__/', 'examples/**/__generated__/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        namedExportsOnly,
      ],
    },
  },
  {
    // An accessor in an object literal lives in the literal's hidden class; made inside a function, each
    // literal gets a hidden class of its own in the old generation pointing at its closure, which every
    // scavenge then keeps alive with everything the closure reaches (bench/README.md, "What the young
    // generation keeps"). Per-request and per-row objects use classes with prototype getters instead.
    // A rule's options in a later block replace an earlier block's, so the named-exports entry is repeated.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        namedExportsOnly,
        {
          selector: ':function ObjectExpression > Property[kind=/^[gs]et$/]',
          message: 'No accessor in an object literal made inside a function: use a class with a prototype getter (bench/README.md, "What the young generation keeps").',
        },
        {
          selector: ":function CallExpression[callee.object.name='Object'][callee.property.name=/^definePropert(y|ies)$/]",
          message: 'No Object.defineProperty on objects made at run time: it gives each object a hidden class of its own (bench/README.md, "What the young generation keeps").',
        },
      ],
    },
  },
  {
    files: ['eslint.config.js', '**/codegen.ts', '**/vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
