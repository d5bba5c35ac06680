import { query } from './api-client';
import { fetchClusterChangeRate, fetchOverviewNodes, fetchWindowChangeRate, overviewFilter } from './data';
import { parseOverviewParams } from './search-params';

// The overview asks the API to sort, filter and count: these check the variables it sends and
// what it makes of the answer (the API itself is tested in apps/api).
jest.mock('./api-client', () => ({ query: jest.fn() }));
const queryMock = query as unknown as jest.Mock;

const now = new Date('2026-01-02T12:00:00Z');

describe('overview data', () => {
  beforeEach(() => queryMock.mockReset());

  it('turns the URL filters into the API filter', () => {
    expect(overviewFilter(parseOverviewParams({}).params)).toBeNull();
    expect(overviewFilter(parseOverviewParams({ q: 'worker', status: 'SILENT', findings: 'open' }).params)).toEqual({ nameContains: 'worker', status: 'SILENT', hasOpenFindings: true });
    expect(overviewFilter(parseOverviewParams({ findings: 'none' }).params)).toEqual({ hasOpenFindings: false });
  });

  it('asks the API for one sorted, filtered page and keeps its order', async () => {
    queryMock.mockResolvedValue({
      nodes: {
        totalCount: 7,
        asOf: '2026-01-02T12:00:00.000Z',
        pageInfo: { hasNextPage: true, endCursor: 'c2' },
        edges: [
          {
            node: {
              name: 'node-z',
              status: 'SILENT',
              firstSeenAt: '2026-01-01T00:00:00.000Z',
              lastSeenAt: '2026-01-02T06:00:00.000Z',
              reportingIntervalSeconds: 30,
              gaps: [{ start: '2026-01-02T06:01:30.000Z', end: '2026-01-02T12:00:00.000Z' }],
              findings: [{ severity: 'CRITICAL' }, { severity: 'WARNING' }, { severity: 'WARNING' }],
              changeCount: 1234,
            },
          },
          {
            node: { name: 'node-a', status: 'REPORTING', firstSeenAt: '2026-01-02T11:00:00.000Z', lastSeenAt: '2026-01-02T11:59:50.000Z', reportingIntervalSeconds: 30, gaps: [], findings: [], changeCount: 3 },
          },
        ],
      },
    });
    const { params } = parseOverviewParams({ sort: 'changes', dir: 'desc', status: 'SILENT', size: '25', after: 'c1' });
    const result = await fetchOverviewNodes(params, now);
    expect(queryMock).toHaveBeenCalledTimes(1);
    expect(queryMock.mock.calls[0][1]).toEqual({
      first: 25,
      after: 'c1',
      filter: { status: 'SILENT' },
      orderBy: { field: 'CHANGES_24H', direction: 'DESC' },
      since: '2026-01-01T12:00:00Z',
      now: '2026-01-02T12:00:00Z',
    });
    expect(result).toMatchObject({ totalCount: 7, endCursor: 'c2', hasNextPage: true, asOf: '2026-01-02T12:00:00.000Z' });
    expect(result.rows.map((r) => [r.name, r.changes, r.findings, r.gapCount])).toEqual([
      ['node-z', 1234, { CRITICAL: 1, WARNING: 2 }, 1],
      ['node-a', 3, {}, 0],
    ]);
  });

  it.each([
    ['name', 'asc', 'NAME', 'ASC'],
    ['status', 'desc', 'STATUS', 'DESC'],
    ['lastSeen', 'asc', 'LAST_SEEN', 'ASC'],
    ['findings', 'desc', 'OPEN_FINDINGS', 'DESC'],
  ])('sorts by %s %s as %s %s', async (sort, dir, field, direction) => {
    queryMock.mockResolvedValue({ nodes: { totalCount: 0, asOf: '2026-01-02T12:00:00.000Z', pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } });
    await fetchOverviewNodes(parseOverviewParams({ sort, dir }).params, now);
    expect(queryMock.mock.calls[0][1].orderBy).toEqual({ field, direction });
  });

  it('asks for the rate of change in round buckets covering the window, and never for the individual changes', async () => {
    const buckets = [{ start: '2026-01-01T12:00:00.000Z', end: '2026-01-01T12:15:00.000Z', count: 3, nodeCount: 2 }];
    queryMock.mockResolvedValue({ clusterChangeRate: buckets });
    const result = await fetchClusterChangeRate(new Date('2026-01-01T12:07:00Z'), new Date('2026-01-02T12:07:00Z'));
    expect(queryMock.mock.calls[0][1]).toEqual({ from: '2026-01-01T12:00:00Z', to: '2026-01-02T12:15:00Z', buckets: 97 });
    expect(result).toEqual(buckets);
  });

  it('asks for the rate of change of a review window over exactly that window, in buckets of about the round width', async () => {
    queryMock.mockResolvedValue({ clusterChangeRate: [] });
    await fetchWindowChangeRate(new Date('2026-01-01T12:07:31Z'), new Date('2026-01-01T13:07:30Z'));
    expect(queryMock.mock.calls[0][1]).toEqual({ from: '2026-01-01T12:07:31Z', to: '2026-01-01T13:07:30Z', buckets: 60 });
  });
});
