import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A trusted-documents manifest that cannot be used; the message names the file and every bad entry. */
export class TrustedDocumentsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid trusted documents:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'TrustedDocumentsError';
  }
}

/** SHA-256 of a document's exact text, hex: the id a client sends and a manifest's key. */
export function documentHash(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

const SHA256_ID = /^(?:sha256:)?([0-9a-f]{64})$/;

/**
 * The SHA-256 hex digest a document id names, or null: the client preset writes ids as
 * `sha256:<hex>`, Apollo's persisted-query protocol sends the bare hex; both name the same document.
 */
export function documentIdHash(id: string): string | null {
  return SHA256_ID.exec(id)?.[1] ?? null;
}

/**
 * Reads manifests as graphql-codegen's client preset writes them with `persistedDocuments`
 * (`{ "sha256:<hex>": "<document text>" }`; a bare hex key is accepted too) into one map keyed by
 * the hex digest. Every key must be the SHA-256 of its document, so an id can never name a text
 * other than the one the client was built with; any problem in any file is reported at once.
 */
export function readManifests(files: readonly string[]): Map<string, string> {
  const documents = new Map<string, string>();
  const problems: string[] = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      problems.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      problems.push(`${file}: must be a JSON object of "<sha256>": "<document>"`);
      continue;
    }
    for (const [id, document] of Object.entries(parsed)) {
      const hash = documentIdHash(id);
      if (typeof document !== 'string' || document.trim() === '') problems.push(`${file}: ${id}: the document must be a non-empty string`);
      else if (hash === null) problems.push(`${file}: ${id}: the key must be a SHA-256 hex digest (client preset: persistedDocuments.hashAlgorithm 'sha256')`);
      else if (documentHash(document) !== hash) problems.push(`${file}: ${id}: is not the SHA-256 of its document`);
      else documents.set(hash, document);
    }
  }
  if (problems.length > 0) throw new TrustedDocumentsError(problems);
  return documents;
}
