import { parseDiffParams, parseNodeParams, parseOverviewParams, parseReviewParams } from './search-params';

const now = new Date('2026-01-02T12:00:00Z');

describe('overview parameters', () => {
  it('default to the first page of 50 nodes by name', () => {
    expect(parseOverviewParams({})).toEqual({ params: { status: 'all', findings: 'any', sort: 'name', dir: 'asc', offset: 0, size: 50 }, errors: {} });
  });

  it('keep the sort, direction and filters of a permalink', () => {
    expect(parseOverviewParams({ sort: 'changes', dir: 'desc', status: 'SILENT', findings: 'open', q: 'worker', after: 'eyJuIjoxfQ' }).params).toMatchObject({
      sort: 'changes',
      dir: 'desc',
      status: 'SILENT',
      findings: 'open',
      q: 'worker',
      after: 'eyJuIjoxfQ',
    });
  });

  it('refuse sorting by a column the API cannot sort (data gaps) and an unknown findings filter', () => {
    const { params, errors } = parseOverviewParams({ sort: 'gaps', findings: 'maybe' });
    expect(params).toMatchObject({ sort: 'name', findings: 'any' });
    expect(Object.keys(errors).sort()).toEqual(['findings', 'sort']);
  });

  it('reset an invalid value to its default and say which one', () => {
    const { params, errors } = parseOverviewParams({ sort: 'drop table', size: '7', q: 'worker' });
    expect(params).toMatchObject({ sort: 'name', size: 50, q: 'worker' });
    expect(Object.keys(errors).sort()).toEqual(['size', 'sort']);
  });
});

describe('node parameters', () => {
  it('refuse a "show state at" time in the future', () => {
    const { params, errors } = parseNodeParams({ at: '2026-01-03T00:00:00Z' }, now);
    expect(params.at).toBeUndefined();
    expect(errors.at).toMatch(/future/);
  });

  it('report a malformed time as a field error', () => {
    expect(parseNodeParams({ at: 'noon' }, now).errors.at).toMatch(/not a date and time/);
  });
});

describe('diff parameters', () => {
  it('default to the last hour', () => {
    expect(parseDiffParams({}, 'node-a', now).params).toEqual({ mode: 'TIME', from: new Date('2026-01-02T11:00:00Z'), to: now, range: undefined });
  });

  it('compare two nodes at one time when another node is named', () => {
    expect(parseDiffParams({ other: 'node-b', at: '2026-01-02T10:00:00Z' }, 'node-a', now).params).toEqual({ mode: 'NODES', otherNode: 'node-b', at: new Date('2026-01-02T10:00:00Z') });
  });

  it('say that "to" must follow "from" and fall back to the hour before "to"', () => {
    const { params, errors } = parseDiffParams({ from: '2026-01-02T10:00:00Z', to: '2026-01-02T09:00:00Z' }, 'node-a', now);
    expect(errors.to).toBe('“to” must be after “from”');
    expect(params.mode).toBe('TIME');
  });

  it('refuse to compare a node with itself or with an invalid name', () => {
    expect(parseDiffParams({ other: 'node-a' }, 'node-a', now).errors.other).toMatch(/another node/);
    expect(parseDiffParams({ other: 'Node_A' }, 'node-a', now).errors.other).toMatch(/not a valid node name/);
  });
});

describe('review parameters', () => {
  it('refuse windows longer than the API allows', () => {
    expect(parseReviewParams({ from: '2025-11-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }, now).errors.from).toMatch(/31 days/);
  });

  it('keep a valid window and cursor', () => {
    expect(parseReviewParams({ from: '2026-01-02T10:00:00Z', to: '2026-01-02T11:00:00Z', after: 'abc=' }, now).params).toEqual({
      from: new Date('2026-01-02T10:00:00Z'),
      to: new Date('2026-01-02T11:00:00Z'),
      range: undefined,
      after: 'abc=',
    });
  });
});
