import { vethNameForWorkload } from './veth-name';

// Known values from Calico's own tests (projectcalico/calico,
// libcalico-go/lib/backend/k8s/conversion/conversion_test.go):
//   PodToWorkloadEndpoint of pod default/podA → InterfaceName "cali7f94ce7c295"
//     ("The calculation of this name should be consistent between releases … fix the code not this expect!")
//   FELIX_INTERFACEPREFIX="eni,veth,foo", VethNameForWorkload("namespace", "podname") → "eni82111e10a96"

describe('vethNameForWorkload (Calico VethNameForWorkload)', () => {
  it('matches the interface name Calico pins for default/podA', () => {
    expect(vethNameForWorkload('default', 'podA')).toBe('cali7f94ce7c295');
  });

  it('takes the first prefix of a FELIX_INTERFACEPREFIX list, as Calico does', () => {
    expect(vethNameForWorkload('namespace', 'podname', 'eni,veth,foo')).toBe('eni82111e10a96');
  });

  it('is "cali" + the first 11 hex characters of sha1("<namespace>.<pod>"), 15 characters (IFNAMSIZ - 1)', () => {
    const name = vethNameForWorkload('kube-system', 'coredns-7db6d8ff4d-abcde');
    expect(name).toMatch(/^cali[0-9a-f]{11}$/);
    expect(name).toHaveLength(15);
    expect(vethNameForWorkload('namespace', 'podname')).toBe('cali82111e10a96');
    expect(vethNameForWorkload('namespace', 'podname', '')).toBe('cali82111e10a96');
  });

  it('depends on namespace and name only, in that order, joined by a dot', () => {
    expect(vethNameForWorkload('a.b', 'c')).toBe(vethNameForWorkload('a', 'b.c'));
    expect(vethNameForWorkload('a', 'b')).not.toBe(vethNameForWorkload('b', 'a'));
  });
});
