import {
  decodeClusterChangeCursor,
  decodeNodeChangeCursor,
  decodeNodeCursor,
  encodeClusterChangeCursor,
  encodeNodeChangeCursor,
  encodeNodeCursor,
} from './history-cursors';
import { HistoryError, HistoryErrorCode } from './history.errors';
import { NodeOrderField, OrderDirection } from './types/node.type';

const AS_OF = new Date('2025-01-01T00:00:00.000Z');

function codeOf(fn: () => unknown): HistoryErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof HistoryError ? error.code : undefined;
  }
  return undefined;
}

describe('history cursors', () => {
  it('a node cursor keeps its ordering, instant, sort value and name', () => {
    const byName = { field: NodeOrderField.NAME, direction: OrderDirection.DESC, asOf: AS_OF, sortKey: null, name: 'worker-1.example' };
    const cursor = encodeNodeCursor(byName);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeNodeCursor(cursor)).toEqual(byName);
    const byFindings = { field: NodeOrderField.OPEN_FINDINGS, direction: OrderDirection.ASC, asOf: AS_OF, sortKey: '2000001000', name: 'worker-2' };
    expect(decodeNodeCursor(encodeNodeCursor(byFindings))).toEqual(byFindings);
  });

  it('still reads the name-only node cursors of earlier versions, as NAME ASC', () => {
    expect(decodeNodeCursor(Buffer.from('node:worker-1').toString('base64url'))).toEqual({ field: 'NAME', direction: 'ASC', asOf: undefined, sortKey: null, name: 'worker-1' });
  });

  it.each([
    ['an unknown field', ['n', 'SIZE', 'ASC', AS_OF.toISOString(), '1', 'a']],
    ['an unknown direction', ['n', 'NAME', 'UP', AS_OF.toISOString(), '', 'a']],
    ['a sort value when sorted by name', ['n', 'NAME', 'ASC', AS_OF.toISOString(), '1', 'a']],
    ['a sort value that is not an integer', ['n', 'LAST_SEEN', 'ASC', AS_OF.toISOString(), '1.5', 'a']],
    ['no name', ['n', 'LAST_SEEN', 'ASC', AS_OF.toISOString(), '1', '']],
    ['a bad instant', ['n', 'LAST_SEEN', 'ASC', 'yesterday', '1', 'a']],
  ])('refuses a node cursor with %s', (_label, value) => {
    expect(codeOf(() => decodeNodeCursor(Buffer.from(JSON.stringify(value)).toString('base64url')))).toBe(HistoryErrorCode.InvalidCursor);
  });

  it('a change cursor keeps the instant to the millisecond and every key part', () => {
    const position = { at: new Date('2025-01-01T00:01:00.123Z'), ns: 'pod:cni-1', kind: 'route', key: 'main|inet|unicast|0.0.0.0/0|0' };
    expect(decodeNodeChangeCursor(encodeNodeChangeCursor(position))).toEqual({ ...position, node: '' });
    const cluster = { ...position, node: 'worker-2' };
    expect(decodeClusterChangeCursor(encodeClusterChangeCursor(cluster))).toEqual(cluster);
  });

  it.each([['garbage!'], ['bm9kZTo'], [Buffer.from('node:').toString('base64url')], [Buffer.from('["nc","x"]').toString('base64url')], [Buffer.from('["nc","not a date","h","k","x"]').toString('base64url')]])(
    'refuses %s as INVALID_CURSOR',
    (cursor) => {
      expect(codeOf(() => decodeNodeCursor(cursor)) ?? codeOf(() => decodeNodeChangeCursor(cursor))).toBe(HistoryErrorCode.InvalidCursor);
    },
  );

  it('a cursor of one connection is refused by another', () => {
    const nodeCursor = encodeNodeCursor({ field: NodeOrderField.NAME, direction: OrderDirection.ASC, asOf: AS_OF, sortKey: null, name: 'worker-1' });
    const changeCursor = encodeNodeChangeCursor({ at: new Date(0), ns: 'host', kind: 'link', key: 'eth0' });
    expect(codeOf(() => decodeNodeChangeCursor(nodeCursor))).toBe(HistoryErrorCode.InvalidCursor);
    expect(codeOf(() => decodeClusterChangeCursor(changeCursor))).toBe(HistoryErrorCode.InvalidCursor);
    expect(codeOf(() => decodeNodeCursor(changeCursor))).toBe(HistoryErrorCode.InvalidCursor);
  });
});
