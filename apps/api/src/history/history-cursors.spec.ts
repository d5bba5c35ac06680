import {
  decodeClusterChangeCursor,
  decodeNodeChangeCursor,
  decodeNodeCursor,
  encodeClusterChangeCursor,
  encodeNodeChangeCursor,
  encodeNodeCursor,
} from './history-cursors';
import { HistoryError, HistoryErrorCode } from './history.errors';

function codeOf(fn: () => unknown): HistoryErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof HistoryError ? error.code : undefined;
  }
  return undefined;
}

describe('history cursors', () => {
  it('a node cursor is base64url of the name and decodes back to it', () => {
    const cursor = encodeNodeCursor('worker-1.example');
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeNodeCursor(cursor)).toBe('worker-1.example');
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
    const nodeCursor = encodeNodeCursor('worker-1');
    const changeCursor = encodeNodeChangeCursor({ at: new Date(0), ns: 'host', kind: 'link', key: 'eth0' });
    expect(codeOf(() => decodeNodeChangeCursor(nodeCursor))).toBe(HistoryErrorCode.InvalidCursor);
    expect(codeOf(() => decodeClusterChangeCursor(changeCursor))).toBe(HistoryErrorCode.InvalidCursor);
    expect(codeOf(() => decodeNodeCursor(changeCursor))).toBe(HistoryErrorCode.InvalidCursor);
  });
});
