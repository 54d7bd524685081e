import type { ApolloServerPlugin } from '@apollo/server';
// The CommonJS build, which Apollo Server and graphql-tools load: under vitest a bare 'graphql'
// import from src resolves to the ESM build, a second copy whose instanceof checks fail.
import { GraphQLError, Kind, print, visit } from 'graphql/index.js';
import type { ASTNode, DocumentNode, ValueNode } from 'graphql';

/**
 * graphql-js names the path of a bad value given in a variable (`Variable "$input" got invalid
 * value "abc" at "input.amount"; …`) but not of the same value written inline in the document
 * (`Expected value of type "Decimal!", found "abc"; …`). This plugin adds the path to the inline
 * case, in the variables' words: `Expected value of type "Decimal!", found "abc" at "input.amount"; …`,
 * so a client learns which field is at fault either way.
 */
export function inputPathPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async validationDidStart({ document }) {
          return async (errors) => {
            for (const error of errors ?? []) {
              if (error instanceof GraphQLError) nameInputPath(document, error);
            }
          };
        },
      };
    },
  };
}

const EXPECTED_VALUE = 'Expected value of type "';

/** Rewrites one ValuesOfCorrectTypeRule message in place (Apollo reads the message after this hook). */
function nameInputPath(document: DocumentNode, error: GraphQLError): void {
  const node = error.nodes?.[0];
  if (!node || !isValueNode(node) || !error.message.startsWith(EXPECTED_VALUE)) return;
  const found = `, found ${print(node)}`;
  const at = error.message.indexOf(found);
  const path = inputPathOf(document, node);
  if (at < 0 || path === null) return;
  const end = at + found.length;
  error.message = `${error.message.slice(0, end)} at "${path}"${error.message.slice(end)}`;
}

/** The argument path of a literal (`input.orders.0.items.1.sellingPrice`), or `$name` for a variable's default. */
export function inputPathOf(document: DocumentNode, target: ValueNode): string | null {
  let path: string | null = null;
  const search = (value: ValueNode, at: readonly string[]): boolean => {
    if (value === target) {
      path = at.join('.');
      return true;
    }
    if (value.kind === Kind.OBJECT) return value.fields.some((field) => search(field.value, [...at, field.name.value]));
    if (value.kind === Kind.LIST) return value.values.some((item, index) => search(item, [...at, String(index)]));
    return false;
  };
  visit(document, {
    Argument(argument) {
      if (path === null) search(argument.value, [argument.name.value]);
    },
    VariableDefinition(definition) {
      if (path === null && definition.defaultValue) search(definition.defaultValue, [`$${definition.variable.name.value}`]);
    },
  });
  return path;
}

function isValueNode(node: ASTNode): node is ValueNode {
  return (
    node.kind === Kind.STRING ||
    node.kind === Kind.INT ||
    node.kind === Kind.FLOAT ||
    node.kind === Kind.BOOLEAN ||
    node.kind === Kind.NULL ||
    node.kind === Kind.ENUM ||
    node.kind === Kind.LIST ||
    node.kind === Kind.OBJECT ||
    node.kind === Kind.VARIABLE
  );
}
