import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../context.js';

/**
 * Adds the errors of systems that failed inside a fan-out (collected on the context) to the
 * response, so a customer whose Intact ledger is down still comes back with its other data and an
 * error at `customer.invoices` naming INTACT. They are added after Apollo ran its formatError, so
 * they go through the same function here: a partial error is masked exactly like any other.
 */
export function usePartialErrors(
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single' || contextValue.partialErrors.length === 0) return;
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...contextValue.partialErrors.map((error) => formatError(error.toJSON(), error.originalError ?? error))];
        },
      };
    },
  };
}
