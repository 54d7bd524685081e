import type { SourceSystem } from './models.js';

/**
 * Global object ids: opaque to clients, stable across gateway replicas and restarts, and carrying
 * the GraphQL type, the source system and the upstream's own key so that `node(id:)` can route.
 * Wire form: base64url of `<Type>:<system>:<key>`; the key may itself contain colons.
 */
export interface GlobalIdParts {
  readonly typeName: string;
  readonly system: SourceSystem | 'DIRECTORY';
  readonly key: string;
}

export function toGlobalId(typeName: string, system: GlobalIdParts['system'], key: string): string {
  return Buffer.from(`${typeName}:${system}:${key}`, 'utf8').toString('base64url');
}

/** Decodes a global id, or returns null when the text is not one of ours. */
export function fromGlobalId(id: string): GlobalIdParts | null {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return null;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const match = /^([A-Z][A-Za-z]*):(IQM|INTACT|REFRENS|IQMETRIX|DIRECTORY):(.+)$/s.exec(text);
  if (!match) return null;
  const [, typeName, system, key] = match as unknown as [string, string, GlobalIdParts['system'], string];
  return { typeName, system, key };
}
