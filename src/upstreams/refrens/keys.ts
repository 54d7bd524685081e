/**
 * The shape of every Refrens key that becomes a path segment: a business `urlKey` is a slug
 * (`northwind-traders`), invoice and payment ids are 24-hex-digit object ids. `..`, `/`, `%` and the
 * like are refused before a URL is built, so a key can never climb out of `/businesses/{urlKey}/…`.
 */
const URL_KEY = /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,98}[A-Za-z0-9])?$/;
const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

export function isRefrensUrlKey(value: string): boolean {
  return URL_KEY.test(value);
}

export function isRefrensObjectId(value: string): boolean {
  return OBJECT_ID.test(value);
}
