import { createHash } from 'node:crypto';

/** Calico's default host-side interface prefix (Felix `InterfacePrefix`, env FELIX_INTERFACEPREFIX). */
export const DEFAULT_INTERFACE_PREFIX = 'cali';

/**
 * The host-side veth name Calico's CNI plugin gives a pod's interface, exactly as
 * libcalico-go computes it (projectcalico/calico,
 * libcalico-go/lib/backend/k8s/conversion/workload_endpoint_default.go, VethNameForWorkload):
 *
 *     h := sha1.New()
 *     h.Write(fmt.Appendf(nil, "%s.%s", namespace, podname))
 *     prefix := os.Getenv("FELIX_INTERFACEPREFIX")   // "" → "cali"; else the first of a comma list
 *     return fmt.Sprintf("%s%s", prefix, hex.EncodeToString(h.Sum(nil))[:11])
 *
 * The CNI plugin (cni-plugin/pkg/k8s/k8s.go) names the veth with that function, and Felix
 * matches WorkloadEndpoint.spec.interfaceName, which is the same value.
 *
 * @param interfacePrefix Felix's InterfacePrefix setting; a comma-separated list takes its first entry, as Calico does.
 */
export function vethNameForWorkload(namespace: string, pod: string, interfacePrefix: string = DEFAULT_INTERFACE_PREFIX): string {
  const prefix = interfacePrefix === '' ? DEFAULT_INTERFACE_PREFIX : interfacePrefix.split(',')[0];
  const digest = createHash('sha1').update(`${namespace}.${pod}`, 'utf8').digest('hex');
  return `${prefix}${digest.slice(0, 11)}`;
}
