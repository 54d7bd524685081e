import type { ApolloServerPlugin } from '@apollo/server';
import { productionSafeError } from '../plugins/maskErrors.js';

/**
 * In production, puts every error of the final response in productionSafeError's shape, including
 * errors a plugin appends after Apollo's formatError ran (usePartialErrors adds the fan-out's
 * failed systems in its own willSendResponse). Apollo calls willSendResponse hooks in plugin order
 * and usePartialErrors appends synchronously, so this plugin must come after it (server.ts lists
 * the security plugins after it); test/security/production.test.ts fails otherwise.
 */
export function productionErrorsPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          response.body.singleResult.errors = response.body.singleResult.errors.map(productionSafeError);
        },
      };
    },
  };
}
