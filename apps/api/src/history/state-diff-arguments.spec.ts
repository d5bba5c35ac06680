import { HistoryError, HistoryErrorCode } from './history.errors';
import { parseDiffArguments, type DiffArguments } from './state-diff.service';
import { DiffMode } from './types/state-diff.type';

const t1 = new Date('2025-01-01T00:00:00Z');
const t2 = new Date('2025-01-01T01:00:00Z');

function failure(args: DiffArguments): HistoryError {
  try {
    parseDiffArguments(args);
  } catch (error) {
    if (error instanceof HistoryError) return error;
    throw error;
  }
  throw new Error('expected a HistoryError');
}

describe('diff arguments', () => {
  it('(node, from, to) is a diff over time', () => {
    expect(parseDiffArguments({ node: 'a', from: t1, to: t2 })).toEqual({ mode: DiffMode.TIME, node: 'a', from: t1, to: t2 });
  });

  it('(node, otherNode, at) compares two nodes', () => {
    expect(parseDiffArguments({ node: 'a', otherNode: 'b', at: t1 })).toEqual({ mode: DiffMode.NODES, node: 'a', otherNode: 'b', at: t1 });
  });

  it('mixing the two forms names the arguments that clash', () => {
    const error = failure({ node: 'a', from: t1, otherNode: 'b', at: t2 });
    expect(error.code).toBe(HistoryErrorCode.InvalidArgument);
    expect(error.message).toMatch(/from cannot be combined with otherNode/);
  });

  it('a missing half of a form names the missing argument', () => {
    expect(failure({ node: 'a', from: t1 }).message).toMatch(/to is missing/);
    expect(failure({ node: 'a', at: t1 }).message).toMatch(/needs otherNode/);
    expect(failure({ node: 'a', otherNode: 'b' }).message).toMatch(/needs at/);
    expect(failure({ node: 'a' }).message).toMatch(/from is missing/);
  });

  it('from must be before to', () => {
    const error = failure({ node: 'a', from: t2, to: t1 });
    expect(error.code).toBe(HistoryErrorCode.InvalidTimeRange);
    expect(error.message).toMatch(/from .* must be before to/);
  });
});
