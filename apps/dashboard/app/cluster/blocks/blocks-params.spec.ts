import { parseBlocksParams } from './blocks-params';

const now = new Date('2026-01-02T03:00:00Z');

describe('parseBlocksParams', () => {
  it('defaults to the first page of every block, now', () => {
    expect(parseBlocksParams({}, now)).toEqual({ params: { at: undefined, problems: false, size: 50, after: undefined, offset: 0, block: undefined, node: undefined }, errors: {} });
  });

  it('reads the time, the filter, the page and the selected cell', () => {
    const { params, errors } = parseBlocksParams({ at: '2026-01-02T02:00:00Z', problems: '1', size: '100', after: 'WyJibGsiXQ', offset: '100', block: '10.244.3.0/26', node: 'node-a' }, now);
    expect(errors).toEqual({});
    expect(params).toEqual({ at: new Date('2026-01-02T02:00:00Z'), problems: true, size: 100, after: 'WyJibGsiXQ', offset: 100, block: '10.244.3.0/26', node: 'node-a' });
  });

  it('resets what is invalid and says why, keeping the rest', () => {
    const { params, errors } = parseBlocksParams({ size: '7', block: 'not a block', node: 'Node_A', problems: '1', at: '2099-01-01T00:00:00Z' }, now);
    expect(params).toMatchObject({ size: 50, block: undefined, node: undefined, problems: true, at: undefined });
    expect(Object.keys(errors).sort()).toEqual(['at', 'block', 'node', 'size']);
  });

  it('starts over when a cursor comes without its offset, and ignores a node without a block', () => {
    expect(parseBlocksParams({ after: 'abc' }, now).params).toMatchObject({ after: undefined, offset: 0 });
    expect(parseBlocksParams({ node: 'node-a' }, now).params.node).toBeUndefined();
  });
});
