import { invalidParameters } from '../domain/errors';

/** arrayOf reads a WSDL ArrayOfX element ({ X: item | item[] } or empty) as a list. */
export function arrayOf<T = unknown>(value: unknown, itemName: string): T[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value !== 'object') throw invalidParameters(`expected a list of ${itemName}`);
  const items = (value as Record<string, unknown>)[itemName];
  if (items === undefined || items === null) return [];
  return (Array.isArray(items) ? items : [items]) as T[];
}

/** optionalText reads an optional string argument. */
export function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object') throw invalidParameters(`${name} must be text`);
  return String(value);
}

/** requiredObject reads a required complex argument. */
export function requiredObject(value: unknown, name: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalidParameters(`${name} is required`);
  return value as Record<string, unknown>;
}
