import { Pool } from 'undici';

/**
 * What the floor processes (bench/floor.ts, bench/frameworkFloor.ts) replay per request: the
 * concrete upstream calls the gateway made for an operation, in the plan's waves. Its only
 * dependency is undici, so bench/run.ts transpiles it beside them and runs them with plain node.
 */

/** One upstream call, replayed as the gateway made it. */
export interface FloorCall {
  readonly origin: string;
  /** Path and query. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface FloorOperation {
  /** The GraphQL document the benchmark sends: the key a request is matched by. */
  readonly query: string;
  /** Rounds of calls; each starts when the previous one's bodies are all parsed. */
  readonly waves: readonly (readonly FloorCall[])[];
  /** The gateway's answer (parsed), serialised again for every request by bench/floor.ts. */
  readonly response: unknown;
  /**
   * The `data` of the gateway's answer to the operation with `__typename` in every selection set:
   * what bench/frameworkFloor.ts executes the operation over. Absent in bench/floor.ts's spec.
   */
  readonly typenamedData?: unknown;
}

export interface FloorSpec {
  readonly operations: readonly FloorOperation[];
  /** The gateway's SDL files, joined: bench/frameworkFloor.ts builds its subgraph schema from them. */
  readonly typeDefs?: string;
}

export interface UpstreamReplay {
  /** Makes the operation's calls, wave after wave, each wave in parallel; every body read and parsed. */
  run(operation: FloorOperation): Promise<void>;
  close(): Promise<void>;
}

/** One undici keep-alive pool of `connections` sockets per upstream origin, as the gateway has. */
export function upstreamReplay(connections: number): UpstreamReplay {
  const pools = new Map<string, Pool>();
  const poolFor = (origin: string): Pool => {
    let pool = pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, { connections, keepAliveTimeout: 60_000 });
      pools.set(origin, pool);
    }
    return pool;
  };
  async function call(upstream: FloorCall): Promise<unknown> {
    const response = await poolFor(upstream.origin).request({ method: 'GET', path: upstream.path, headers: upstream.headers });
    const text = await response.body.text();
    if (response.statusCode !== 200) throw new Error(`${upstream.path}: HTTP ${response.statusCode}`);
    return JSON.parse(text);
  }
  return {
    async run(operation) {
      for (const wave of operation.waves) await Promise.all(wave.map(call));
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}
