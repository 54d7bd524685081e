import type { GatewayConfig } from '../config.js';

/** One start-up log line: a message for people, fields for machines. */
export interface StartupLine {
  readonly message: string;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * What main.ts prints once the gateway listens, after "Gateway ready": where to explore the graph.
 * Outside production: Apollo Sandbox on /graphql (it needs Apollo's CDN) and the self-hosted
 * GraphiQL on /graphiql (works offline). Production serves neither, so nothing is printed. Further
 * lines (how to authenticate) are appended by their own module.
 */
export function explorationLines(config: Pick<GatewayConfig, 'production'>, graphqlUrl: string): StartupLine[] {
  if (config.production) return [];
  const graphiqlUrl = new URL('graphiql', graphqlUrl).toString();
  return [
    { message: `Apollo Sandbox: ${graphqlUrl} (open in a browser; loads from Apollo's CDN)`, fields: { sandboxUrl: graphqlUrl } },
    { message: `GraphiQL: ${graphiqlUrl} (self-hosted, works offline)`, fields: { graphiqlUrl } },
  ];
}
