import { HistoryError, HistoryErrorCode } from './history.errors';
import type { ChangePosition } from './store/fact-change.repository';
import { NodeOrderField, OrderDirection } from './types/node.type';

// Opaque cursors: base64url of a tagged value, so a cursor from one connection is refused by
// another. Clients must not build them; anything that does not decode is BAD_USER_INPUT.

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Where a page of `nodes` continues: after the node `name` whose sort value was `sortKey`
 * (null when sorted by name), in the ordering `field` `direction` evaluated at `asOf`, which
 * the following pages keep (status, open findings and recent changes move with time).
 */
export interface NodePosition {
  field: NodeOrderField;
  direction: OrderDirection;
  asOf: Date;
  sortKey: string | null;
  name: string;
}

export function encodeNodeCursor(position: NodePosition): string {
  return encodeJson(['n', position.field, position.direction, position.asOf.toISOString(), position.sortKey ?? '', position.name]);
}

/**
 * A node cursor; `asOf` is undefined for the cursors of the name-only connection this one
 * replaced (`node:<name>`, still accepted: they continue the NAME ASC order).
 */
export function decodeNodeCursor(cursor: string): Omit<NodePosition, 'asOf'> & { asOf: Date | undefined } {
  const text = decode(cursor);
  if (text?.startsWith('node:') && text.length > 'node:'.length) {
    return { field: NodeOrderField.NAME, direction: OrderDirection.ASC, asOf: undefined, sortKey: null, name: text.slice('node:'.length) };
  }
  const value = decodeJson(cursor);
  if (value.length !== 6 || value[0] !== 'n') throw invalidCursor();
  const [, field, direction, asOf, sortKey, name] = value;
  if (!isEnumValue(NodeOrderField, field) || !isEnumValue(OrderDirection, direction) || !name) throw invalidCursor();
  if (field === NodeOrderField.NAME ? sortKey !== '' : !/^-?\d{1,19}$/.test(sortKey)) throw invalidCursor();
  return { field, direction, asOf: dateOf(asOf), sortKey: sortKey === '' ? null : sortKey, name };
}

function isEnumValue<E extends Record<string, string>>(values: E, value: string): value is E[keyof E] {
  return (Object.values(values) as string[]).includes(value);
}

/** Position of a change within one node's changes (the node is implied by the connection). */
export function encodeNodeChangeCursor(position: Omit<ChangePosition, 'node'>): string {
  return encodeJson(['nc', position.at.toISOString(), position.ns, position.kind, position.key]);
}

export function decodeNodeChangeCursor(cursor: string): ChangePosition {
  const value = decodeJson(cursor);
  if (value.length !== 5 || value[0] !== 'nc') throw invalidCursor();
  return { at: dateOf(value[1]), node: '', ns: value[2], kind: value[3], key: value[4] };
}

export function encodeClusterChangeCursor(position: ChangePosition): string {
  return encodeJson(['cc', position.at.toISOString(), position.node, position.ns, position.kind, position.key]);
}

export function decodeClusterChangeCursor(cursor: string): ChangePosition {
  const value = decodeJson(cursor);
  if (value.length !== 6 || value[0] !== 'cc') throw invalidCursor();
  return { at: dateOf(value[1]), node: value[2], ns: value[3], kind: value[4], key: value[5] };
}

function encodeJson(value: string[]): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decodeJson(cursor: string): string[] {
  const text = decode(cursor);
  if (text === undefined) throw invalidCursor();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw invalidCursor();
  return value as string[];
}

function decode(cursor: string): string | undefined {
  if (!BASE64URL.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // Reject anything that is not exactly what encode would have produced.
  return Buffer.from(text, 'utf8').toString('base64url') === cursor ? text : undefined;
}

function dateOf(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime()) || date.toISOString() !== value) throw invalidCursor();
  return date;
}

function invalidCursor(): HistoryError {
  return new HistoryError(HistoryErrorCode.InvalidCursor, 'after is not a cursor returned by this connection');
}
