import { readFileSync } from 'node:fs';

/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function and per area (a
 * package under node_modules, a folder of src/, Node's internals, GC), so the benchmark can say what
 * dominates the gateway's CPU under saturation.
 */

interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly samples: readonly number[];
  /** Microseconds between consecutive samples. */
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  readonly selfMs: number;
  readonly percent: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly topFunctions: ProfileEntry[];
  readonly topAreas: ProfileEntry[];
  /** Time with the function anywhere on the stack (each sample counted once per function), highest first. */
  readonly topInclusive: ProfileEntry[];
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const nameOf = (node: CpuProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : '';
    return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
  };
  let totalUs = 0;
  profile.samples.forEach((id, index) => {
    const node = byId.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    if (!node || node.callFrame.functionName === '(idle)') return;
    totalUs += delta;
    const name = nameOf(node);
    functions.set(name, (functions.get(name) ?? 0) + delta);
    const onStack = new Set<string>();
    for (let at: CpuProfileNode | undefined = node; at; at = byId.get(parentOf.get(at.id) ?? -1)) onStack.add(nameOf(at));
    for (const frame of onStack) inclusive.set(frame, (inclusive.get(frame) ?? 0) + delta);
    const area = areaOf(node.callFrame.functionName, node.callFrame.url);
    areas.set(area, (areas.get(area) ?? 0) + delta);
  });
  const ranked = (entries: Map<string, number>) =>
    [...entries]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: Math.round(us / 1000), percent: Math.round((us / Math.max(totalUs, 1)) * 1000) / 10 }));
  return { totalMs: Math.round(totalUs / 1000), topFunctions: ranked(functions), topAreas: ranked(areas), topInclusive: ranked(inclusive) };
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  // The gateway runs compiled: dist/x.js is src/x.ts.
  const source = /\/(?:src|dist)\/(.*)$/.exec(url);
  if (source) return `src/${source[1]!.replace(/\.js$/, '.ts')}`;
  return url.replace(/^file:\/\//, '');
}

/** node_modules/<package>, src/<folder>, node:internals, or V8's own buckets such as (garbage collector). */
function areaOf(functionName: string, url: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (modules) return modules[1]!;
  const source = /\/(?:src|dist)\/([^/]+)/.exec(url);
  if (source) return `src/${source[1]!.replace(/\.(?:ts|js)$/, '')}`;
  if (url.startsWith('node:')) return 'node internals';
  return shortUrl(url);
}
