import { decodePools, encodePools, poolsContext } from './capture-context';

describe('IP pool context', () => {
  const rows = [
    { cidr: ' 10.244.0.0/16 ', encapsulation: 'IPIP' as const, blockSize: '26', mtu: '1440' },
    { cidr: '', encapsulation: 'VXLAN' as const, blockSize: '24', mtu: '' },
    { cidr: 'fd00:10:244::/48', encapsulation: 'None' as const, blockSize: '', mtu: '' },
  ];

  it('sends the rows with a CIDR as the API’s ipPools, numbers as numbers, empty as not given', () => {
    expect(poolsContext(rows)).toEqual({
      ipPools: [
        { name: 'pool-1', cidr: '10.244.0.0/16', encapsulation: 'IPIP', blockSize: 26, mtu: 1440 },
        { name: 'pool-2', cidr: 'fd00:10:244::/48', encapsulation: 'None', blockSize: null, mtu: null },
      ],
    });
    expect(poolsContext([rows[1]])).toBeNull();
  });

  it('round-trips through the link and drops entries it cannot read', () => {
    const encoded = encodePools(rows);
    expect(encoded).toBe('10.244.0.0/16,IPIP,26,1440;fd00:10:244::/48,None,,');
    expect(decodePools(encoded)).toEqual([
      { cidr: '10.244.0.0/16', encapsulation: 'IPIP', blockSize: '26', mtu: '1440' },
      { cidr: 'fd00:10:244::/48', encapsulation: 'None', blockSize: '', mtu: '' },
    ]);
    expect(decodePools('10.0.0.0/8,GRE,26,;;,IPIP')).toEqual([]);
    expect(decodePools(null)).toEqual([]);
  });
});
