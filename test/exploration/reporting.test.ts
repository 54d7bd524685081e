import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack } from '../helpers/stack.js';
import { interceptOutboundFetch, type OutboundFetch } from './outboundFetch.js';

const KEY = 'service:finance-gateway:not-a-real-key';
const GRAPH_REF = 'finance-gateway@staging';
const QUERY = 'query CustomerNamesForReport { customers(first: 2) { nodes { displayName } } }';

describe('Exploration: GraphOS usage and schema reporting', () => {
  let outbound: OutboundFetch;
  beforeAll(() => {
    outbound = interceptOutboundFetch();
  });
  beforeEach(() => {
    outbound.clear();
  });
  afterAll(() => {
    outbound.restore();
  });

  describe('APOLLO_KEY and APOLLO_GRAPH_REF unset in the config', () => {
    const leaked = ['APOLLO_KEY', 'APOLLO_GRAPH_REF', 'APOLLO_SCHEMA_REPORTING'] as const;
    const saved = new Map(leaked.map((name) => [name, process.env[name]]));
    afterEach(() => {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it('sends nothing anywhere, even with the variables present in process.env (Apollo Server reads them itself)', async () => {
      // The config is read from the stack's own environment; process.env is what Apollo Server would look at.
      process.env['APOLLO_KEY'] = KEY;
      process.env['APOLLO_GRAPH_REF'] = GRAPH_REF;
      process.env['APOLLO_SCHEMA_REPORTING'] = 'true';
      const stack = await startStack();
      try {
        expect(stack.services.config.apollo).toEqual({ key: null, graphRef: null });
        const response = await stack.gql(QUERY);
        expect(response.errors).toBeUndefined();
        // Stopping Apollo Server flushes pending usage reports: had a reporter been installed, it would send now.
        await stack.gateway.apollo.stop();
      } finally {
        await stack.close();
      }
      expect(outbound.requests).toEqual([]);
    });
  });

  describe('APOLLO_KEY and APOLLO_GRAPH_REF set', () => {
    it('sends the usage report of the operations run to GraphOS with the key and graph ref', async () => {
      const stack = await startStack({ env: { APOLLO_KEY: KEY, APOLLO_GRAPH_REF: GRAPH_REF } });
      try {
        const response = await stack.gql(QUERY);
        expect(response.errors).toBeUndefined();
        await stack.gateway.apollo.stop();
      } finally {
        await stack.close();
      }
      const usage = outbound.requests.filter((request) => request.url === 'https://usage-reporting.api.apollographql.com/api/ingress/traces');
      expect(usage).toHaveLength(1);
      const [report] = usage;
      expect(report!.method).toBe('POST');
      expect(report!.headers['x-api-key']).toBe(KEY);
      // The report is a gzipped protobuf; its strings (graph ref, operation signature) are stored as UTF-8.
      const decoded = gunzipSync(report!.body).toString('utf8');
      expect(decoded).toContain(GRAPH_REF);
      expect(decoded).toContain('# CustomerNamesForReport');
      // Schema reporting is off (Apollo's refuses a subgraph; the schema is published with rover): usage reports only.
      for (const request of outbound.requests) {
        expect(new URL(request.url).hostname).toBe('usage-reporting.api.apollographql.com');
        expect(request.headers['x-api-key']).toBe(KEY);
      }
    });
  });
});
