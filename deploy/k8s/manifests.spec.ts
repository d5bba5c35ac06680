import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonSet, Deployment } from 'kubernetes-models/apps/v1';
import { ClusterRole, ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

// Every manifest in deploy/k8s: parsed as kubectl does (YAML 1.1: 0400 is octal), validated
// offline against the Kubernetes OpenAPI schema of its kind (kubernetes-models), then held to
// the properties that matter for Routescope's security and wiring.

const DIR = __dirname;
const REPO = join(DIR, '..', '..');

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

// Loose views of the objects, for the assertions (the schema validation is what types them).
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet?: { path: string; port: number | string };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  volumeMounts?: Array<{ name: string; mountPath: string; mountPropagation?: string; readOnly?: boolean }>;
  ports?: Array<{ name?: string; containerPort: number; hostPort?: number }>;
  securityContext?: SecurityContext & {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
    procMount?: string;
  };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
/** The fields shared by the pod's and the container's securityContext. */
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  seccompProfile?: { type: string };
  appArmorProfile?: { type: string };
  seLinuxOptions?: { type?: string };
}
interface Volume {
  name: string;
  [source: string]: unknown;
  hostPath?: { path: string; type?: string };
  secret?: { secretName: string; defaultMode?: number; items?: Array<{ key: string; path: string }> };
}
interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  dnsPolicy?: string;
  tolerations?: Array<{ key?: string; operator?: string; effect?: string }>;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  securityContext?: SecurityContext & { sysctls?: Array<{ name: string }> };
}
interface Workload extends Manifest {
  spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/Secret': Secret,
  'apps/v1/Deployment': Deployment,
  'apps/v1/DaemonSet': DaemonSet,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
};

const yamlFiles = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();

function parse(file: string): unknown[] {
  const documents = parseAllDocuments(readFileSync(join(DIR, file), 'utf8'), { version: '1.1' });
  return documents.map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
    return document.toJS();
  });
}

const manifests: Manifest[] = yamlFiles.flatMap((file) =>
  parse(file)
    .filter((d) => d !== null)
    .map((d) => ({ ...(d as Omit<Manifest, 'file'>), file }) as Manifest),
);
const kustomization = parse('kustomization.yaml')[0] as { resources: string[]; namespace: string; images?: Array<{ name: string; newName?: string; newTag?: string }> };
const applied = manifests.filter((m) => kustomization.resources.includes(m.file));

function one<T extends Manifest>(kind: string, name: string): T {
  const found = applied.filter((m) => m.kind === kind && m.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name} in the applied manifests, found ${found.length}`);
  return found[0] as T;
}

const api = () => one<Workload>('Deployment', 'routescope-api');
const collector = () => one<Workload>('DaemonSet', 'routescope-collector');
const dashboard = () => one<Workload>('Deployment', 'routescope-dashboard');
const containerOf = (workload: Workload) => {
  expect(workload.spec.template.spec.containers).toHaveLength(1);
  return workload.spec.template.spec.containers[0];
};
const envOf = (container: Container, name: string) => container.env?.find((e) => e.name === name);
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);


/**
 * The Pod Security Standards (kubernetes.io/docs/concepts/security/pod-security-standards,
 * policy version latest) as Pod Security Admission applies them to a pod template: every rule of
 * `baseline`, plus those of `restricted` when asked. Returns the violations, one line each.
 */
function podSecurityViolations(pod: PodSpec, level: 'baseline' | 'restricted'): string[] {
  const violations: string[] = [];
  const containers = [...pod.containers, ...(pod.initContainers ?? [])];
  const contexts = containers.map((c) => ({ name: c.name, sc: c.securityContext ?? {} }));
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) if (pod[field]) violations.push(`${field}: true`);
  const volumesBaseline = (pod.volumes ?? []).filter((v) => v.hostPath !== undefined);
  for (const volume of volumesBaseline) violations.push(`hostPath volume ${volume.name}`);
  const baselineCapabilities = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
  const safeSysctls = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
  for (const sysctl of pod.securityContext?.sysctls ?? []) if (!safeSysctls.includes(sysctl.name)) violations.push(`sysctl ${sysctl.name}`);
  const podContext = pod.securityContext ?? {};
  for (const { name, sc } of [{ name: 'pod', sc: podContext as Container['securityContext'] & object }, ...contexts]) {
    if (sc.appArmorProfile?.type === 'Unconfined') violations.push(`${name}: appArmorProfile Unconfined`);
    if (sc.seccompProfile?.type === 'Unconfined') violations.push(`${name}: seccompProfile Unconfined`);
    if (sc.seLinuxOptions?.type !== undefined && !['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'].includes(sc.seLinuxOptions.type)) {
      violations.push(`${name}: seLinuxOptions.type ${sc.seLinuxOptions.type}`);
    }
  }
  for (const container of containers) {
    const sc = container.securityContext ?? {};
    if (sc.privileged) violations.push(`${container.name}: privileged`);
    if (sc.procMount !== undefined && sc.procMount !== 'Default') violations.push(`${container.name}: procMount ${sc.procMount}`);
    for (const port of container.ports ?? []) if (port.hostPort) violations.push(`${container.name}: hostPort ${port.hostPort}`);
    for (const capability of sc.capabilities?.add ?? []) if (!baselineCapabilities.includes(capability)) violations.push(`${container.name}: adds ${capability}`);
  }
  if (level === 'baseline') return violations;

  const restrictedVolumeSources = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
  for (const volume of pod.volumes ?? []) {
    const sources = Object.keys(volume).filter((k) => k !== 'name');
    if (!sources.every((source) => restrictedVolumeSources.includes(source))) violations.push(`volume ${volume.name}: ${sources.join(', ')}`);
  }
  for (const container of containers) {
    const sc = container.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) violations.push(`${container.name}: allowPrivilegeEscalation is not false`);
    if ((sc.runAsNonRoot ?? podContext.runAsNonRoot) !== true) violations.push(`${container.name}: runAsNonRoot is not true`);
    if ((sc.runAsUser ?? podContext.runAsUser) === 0) violations.push(`${container.name}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') violations.push(`${container.name}: seccompProfile is ${seccomp ?? 'unset'}`);
    if (!(sc.capabilities?.drop ?? []).includes('ALL')) violations.push(`${container.name}: does not drop ALL capabilities`);
    for (const capability of sc.capabilities?.add ?? []) if (capability !== 'NET_BIND_SERVICE') violations.push(`${container.name}: adds ${capability} (restricted)`);
  }
  return violations;
}

describe('deploy/k8s manifests', () => {
  it('parse, and every document validates against the OpenAPI schema of its kind', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) {
      const { file, ...object } = manifest;
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      if (!Model) throw new Error(`${file}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
      expect(() => new Model(object as never).validate()).not.toThrow();
    }
    expect(applied.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual(
      [
        'ClusterRole/routescope-api',
        'ClusterRoleBinding/routescope-api',
        'DaemonSet/routescope-collector',
        'Deployment/routescope-api',
        'Deployment/routescope-dashboard',
        'Namespace/routescope',
        'Namespace/routescope-collector',
        'Service/routescope-api',
        'Service/routescope-dashboard',
        'ServiceAccount/routescope-api',
        'ServiceAccount/routescope-collector',
      ].sort(),
    );
  });

  it('the schema validation has teeth: a wrong type or a missing required field fails', () => {
    const broken = structuredClone(collector()) as unknown as Workload;
    (broken.spec.template.spec as unknown as { hostPID: string }).hostPID = 'yes please';
    expect(() => new DaemonSet(broken as never).validate()).toThrow(/hostPID/);
    const headless = structuredClone(api()) as unknown as { spec: Partial<Workload['spec']> };
    delete headless.spec.selector;
    expect(() => new Deployment(headless as never).validate()).toThrow(/selector/);
  });

  it('kustomization applies every manifest but the Secret examples; the API lives in `routescope`, the collector alone in `routescope-collector`', () => {
    for (const resource of kustomization.resources) expect(existsSync(join(DIR, resource))).toBe(true);
    expect([...kustomization.resources].sort()).toEqual(yamlFiles.filter((f) => !f.endsWith('.example.yaml')));
    // A kustomization-wide namespace would move both into one.
    expect(kustomization.namespace).toBeUndefined();
    const placed = applied.filter((m) => m.kind !== 'Namespace' && !m.kind.startsWith('Cluster')).map((m) => `${m.metadata.namespace}/${m.kind}/${m.metadata.name}`);
    expect(placed.sort()).toEqual(
      [
        'routescope/Deployment/routescope-api',
        'routescope/Deployment/routescope-dashboard',
        'routescope/Service/routescope-api',
        'routescope/Service/routescope-dashboard',
        'routescope/ServiceAccount/routescope-api',
        'routescope-collector/DaemonSet/routescope-collector',
        'routescope-collector/ServiceAccount/routescope-collector',
      ].sort(),
    );
  });

  it('the API\'s namespace enforces the `restricted` Pod Security level, the collector\'s `privileged` (warned and audited at `baseline`)', () => {
    const labels = (name: string) => one<Manifest>('Namespace', name).metadata.labels ?? {};
    const psa = (name: string) => Object.fromEntries(Object.entries(labels(name)).filter(([key]) => key.startsWith('pod-security.kubernetes.io/')));
    expect(psa('routescope')).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/warn-version': 'latest',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/audit-version': 'latest',
    });
    expect(psa('routescope-collector')).toEqual({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/enforce-version': 'latest',
      'pod-security.kubernetes.io/warn': 'baseline',
      'pod-security.kubernetes.io/warn-version': 'latest',
      'pod-security.kubernetes.io/audit': 'baseline',
      'pod-security.kubernetes.io/audit-version': 'latest',
    });
  });

  it('the API pod passes every `restricted` rule: non-root, no escalation, drop ALL, seccomp RuntimeDefault, read-only root, no host access', () => {
    const pod = api().spec.template.spec;
    expect(podSecurityViolations(pod, 'restricted')).toEqual([]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext!.runAsUser).toBeGreaterThan(0);
    expect(containerOf(api()).securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it('the Pod Security check has teeth: the collector breaks exactly the rules it needs to, and each weakening of the API pod is caught', () => {
    const collectorPod = collector().spec.template.spec;
    expect(podSecurityViolations(collectorPod, 'baseline').sort()).toEqual(
      ['hostNetwork: true', 'hostPID: true', 'hostPath volume netns', 'hostPath volume spool', 'collector: adds SYS_ADMIN', 'collector: adds SYS_PTRACE', 'collector: adds NET_RAW'].sort(),
    );
    expect(podSecurityViolations(collectorPod, 'restricted')).toEqual(
      expect.arrayContaining(['collector: runAsNonRoot is not true', 'collector: runAsUser 0', 'collector: adds SYS_ADMIN (restricted)', 'volume netns: hostPath']),
    );
    const weakened: Array<[string, (pod: PodSpec) => void]> = [
      ['api: allowPrivilegeEscalation is not false', (pod) => delete pod.containers[0].securityContext!.allowPrivilegeEscalation],
      ['api: runAsNonRoot is not true', (pod) => delete pod.securityContext!.runAsNonRoot],
      ['api: runAsUser 0', (pod) => (pod.securityContext!.runAsUser = 0)],
      ['api: seccompProfile is unset', (pod) => delete pod.securityContext!.seccompProfile],
      ['api: does not drop ALL capabilities', (pod) => (pod.containers[0].securityContext!.capabilities = {})],
      ['api: adds NET_RAW (restricted)', (pod) => (pod.containers[0].securityContext!.capabilities!.add = ['NET_RAW'])],
      ['volume data: hostPath', (pod) => pod.volumes!.push({ name: 'data', hostPath: { path: '/srv' } })],
      ['hostNetwork: true', (pod) => (pod.hostNetwork = true)],
    ];
    for (const [violation, weaken] of weakened) {
      const pod = structuredClone(api().spec.template.spec);
      weaken(pod);
      expect(podSecurityViolations(pod, 'restricted')).toContain(violation);
    }
  });

  it('the ClusterRole grants get/list/watch on nodes, pods and Calico ippools/blockaffinities/ipamblocks, and nothing more', () => {
    const role = one<Manifest & { rules: Rule[] }>('ClusterRole', 'routescope-api');
    const grants = new Set<string>();
    for (const rule of role.rules) {
      expect(rule.resourceNames).toBeUndefined();
      expect(rule.nonResourceURLs).toBeUndefined();
      expect(role).not.toHaveProperty('aggregationRule');
      for (const group of rule.apiGroups ?? []) for (const resource of rule.resources ?? []) for (const verb of rule.verbs) grants.add(`${group}/${resource}:${verb}`);
    }
    const expected = [
      ['', 'nodes'],
      ['', 'pods'],
      ['crd.projectcalico.org', 'ippools'],
      ['crd.projectcalico.org', 'blockaffinities'],
      ['crd.projectcalico.org', 'ipamblocks'],
    ].flatMap(([group, resource]) => ['get', 'list', 'watch'].map((verb) => `${group}/${resource}:${verb}`));
    expect([...grants].sort()).toEqual(expected.sort());
    expect([...grants].some((g) => g.includes('*'))).toBe(false);
  });

  it('binds the ClusterRole to the API\'s service account, which only the API uses', () => {
    const binding = one<Manifest & { roleRef: { apiGroup: string; kind: string; name: string }; subjects: Array<{ kind: string; name: string; namespace?: string }> }>(
      'ClusterRoleBinding',
      'routescope-api',
    );
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'routescope-api' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'routescope-api', namespace: 'routescope' }]);
    expect(api().spec.template.spec.serviceAccountName).toBe('routescope-api');
    const collectorPod = collector().spec.template.spec;
    expect(collectorPod.serviceAccountName).toBe('routescope-collector');
    expect(collectorPod.automountServiceAccountToken).toBe(false);
    expect(applied.filter((m) => m.kind === 'ClusterRoleBinding' || m.kind === 'RoleBinding')).toHaveLength(1);
  });

  it('the collector DaemonSet runs hostNetwork + hostPID as uid 0 with exactly the documented capabilities, no escalation, seccomp and AppArmor at the runtime default', () => {
    const pod = collector().spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.hostPID).toBe(true);
    expect(pod.hostIPC).toBeUndefined();
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const security = containerOf(collector()).securityContext!;
    expect(security.privileged).not.toBe(true);
    expect(security.capabilities!.drop).toEqual(['ALL']);
    expect([...security.capabilities!.add!].sort()).toEqual(['NET_RAW', 'SETGID', 'SYS_ADMIN', 'SYS_PTRACE']);
    expect(security.readOnlyRootFilesystem).toBe(true);
    expect(security.allowPrivilegeEscalation).toBe(false);
    expect(security.runAsUser).toBe(0);
    expect(security.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(security.appArmorProfile).toEqual({ type: 'RuntimeDefault' });
    // The API server refuses allowPrivilegeEscalation: false next to the CAP_-prefixed spelling.
    for (const capability of security.capabilities!.add!) expect(capability).not.toMatch(/^CAP_/);
    // Writable: the spool (hostPath) and a size-limited memory /tmp, nothing else.
    const writable = containerOf(collector()).volumeMounts!.filter((m) => !m.readOnly).map((m) => m.mountPath).sort();
    expect(writable).toEqual(['/tmp', '/var/lib/routescope/spool']);
    // Each capability added is documented (README table and a comment above it) and NET_ADMIN is explained away.
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| capability `([A-Z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual([...security.capabilities!.add!].sort());
    const source = readFileSync(join(DIR, 'collector.yaml'), 'utf8');
    for (const capability of security.capabilities!.add!) expect(source).toMatch(new RegExp(`# ${capability}: \\S`));
    expect(source).toMatch(/Not NET_ADMIN/);
  });

  it('the collector gets NODE_NAME from spec.nodeName, its token from the Secret, and the netns and spool mounts', () => {
    const workload = collector();
    const pod = workload.spec.template.spec;
    const container = containerOf(workload);
    expect(envOf(container, 'NODE_NAME')).toEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    // The token: a Secret key, either as ROUTESCOPE_TOKEN or as the file --token-file reads. Never a literal.
    const tokenEnv = envOf(container, 'ROUTESCOPE_TOKEN');
    const args = container.args ?? [];
    const tokenFile = args[args.indexOf('--token-file') + 1];
    expect(args.includes('--token') || tokenEnv?.value !== undefined).toBe(false);
    if (tokenEnv) {
      expect(tokenEnv.valueFrom?.secretKeyRef).toEqual({ name: 'routescope', key: 'ingest-token' });
    } else {
      expect(args).toContain('--token-file');
      const mount = container.volumeMounts!.find((m) => tokenFile.startsWith(`${m.mountPath}/`))!;
      const volume = pod.volumes!.find((v) => v.name === mount.name)!;
      // The collector's own Secret in its own namespace: it never sees the API's database URL or other tokens.
      expect(volume.secret).toMatchObject({ secretName: 'routescope-collector', items: [{ key: 'ingest-token', path: tokenFile.slice(mount.mountPath.length + 1) }] });
      expect(volume.secret!.defaultMode).toBe(0o400);
      expect(mount.readOnly).toBe(true);
    }
    expect(args.slice(0, 5)).toEqual(['run', '--interval', '30s', '--spool', '/var/lib/routescope/spool']);
    expect(envOf(container, 'ROUTESCOPE_SERVER')?.value).toBe('http://routescope-api.routescope.svc:4000');

    const mountOf = (path: string) => {
      const mount = container.volumeMounts!.find((m) => m.mountPath === path)!;
      return { mount, volume: pod.volumes!.find((v) => v.name === mount.name)! };
    };
    const netns = mountOf('/var/run/netns');
    expect(netns.mount).toMatchObject({ mountPropagation: 'HostToContainer', readOnly: true });
    expect(netns.volume.hostPath).toEqual({ path: '/var/run/netns', type: 'DirectoryOrCreate' });
    expect(mountOf('/var/lib/routescope/spool').volume.hostPath).toEqual({ path: '/var/lib/routescope/spool', type: 'DirectoryOrCreate' });
    // Only these host paths, nothing writable of the host but the spool.
    expect(pod.volumes!.filter((v) => v.hostPath).map((v) => v.hostPath!.path).sort()).toEqual(['/var/lib/routescope/spool', '/var/run/netns']);

    expect(pod.tolerations).toContainEqual({ operator: 'Exists' });
    expect(container.resources?.requests).toBeDefined();
    expect(container.resources?.limits?.['memory']).toBeDefined();
  });

  it('the API Deployment is ready on /readyz, alive on /healthz, and takes DATABASE_URL and tokens from the Secret', () => {
    const container = containerOf(api());
    const port = (value: number | string) => (typeof value === 'number' ? value : container.ports!.find((p) => p.name === value)!.containerPort);
    expect(container.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(port(container.readinessProbe!.httpGet!.port)).toBe(4000);
    expect(container.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(port(container.livenessProbe!.httpGet!.port)).toBe(4000);
    for (const [name, key] of [
      ['DATABASE_URL', 'database-url'],
      ['ROUTESCOPE_INGEST_TOKEN', 'ingest-token'],
      ['ROUTESCOPE_READ_TOKEN', 'read-token'],
      ['ROUTESCOPE_ADMIN_TOKEN', 'admin-token'],
    ]) {
      expect(envOf(container, name)).toEqual({ name, valueFrom: { secretKeyRef: { name: 'routescope', key } } });
    }
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(container.securityContext?.capabilities?.add).toBeUndefined();
    expect(api().spec.template.spec.hostNetwork).toBeUndefined();
  });

  it('the dashboard pod passes every `restricted` rule too, with no service account token and a writable Next cache only', () => {
    const pod = dashboard().spec.template.spec;
    expect(podSecurityViolations(pod, 'restricted')).toEqual([]);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.securityContext!.runAsUser).toBeGreaterThan(0);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.hostNetwork).toBeUndefined();
    const container = containerOf(dashboard());
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    // Read-only root: only /tmp and Next's cache are writable, both emptyDir.
    expect(container.volumeMounts?.map((m) => m.mountPath).sort()).toEqual(['/app/apps/dashboard/.next/cache', '/tmp']);
    expect(pod.volumes?.every((v) => Object.keys(v).sort().join() === 'emptyDir,name')).toBe(true);
    // a weakened copy is caught, so the check above is not vacuous
    const weakened = structuredClone(pod);
    weakened.securityContext!.runAsNonRoot = false;
    expect(podSecurityViolations(weakened, 'restricted')).toContain('dashboard: runAsNonRoot is not true');
  });

  it('the dashboard calls the API through its Service, is probed on /api/healthz, takes its session secret from the Secret, and has its own Service', () => {
    const container = containerOf(dashboard());
    const port = (value: number | string) => (typeof value === 'number' ? value : container.ports!.find((p) => p.name === value)!.containerPort);
    expect(container.readinessProbe?.httpGet?.path).toBe('/api/healthz');
    expect(container.livenessProbe?.httpGet?.path).toBe('/api/healthz');
    expect(port(container.readinessProbe!.httpGet!.port)).toBe(3000);
    expect(envOf(container, 'PORT')?.value).toBe('3000');
    const apiService = one<Manifest & { spec: { ports: Array<{ port: number }> } }>('Service', 'routescope-api');
    expect(envOf(container, 'ROUTESCOPE_API_URL')?.value).toBe(`http://${apiService.metadata.name}.${apiService.metadata.namespace}.svc:${apiService.spec.ports[0].port}`);
    expect(envOf(container, 'ROUTESCOPE_DASHBOARD_SESSION_SECRET')).toEqual({ name: 'ROUTESCOPE_DASHBOARD_SESSION_SECRET', valueFrom: { secretKeyRef: { name: 'routescope', key: 'dashboard-session-secret' } } });
    // no token: users sign in with their own read token
    expect(container.env?.map((e) => e.name).filter((name) => name.includes('TOKEN'))).toEqual([]);
    const service = one<Manifest & { spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: number | string }> } }>('Service', 'routescope-dashboard');
    expect(selects(service.spec.selector, dashboard().spec.template.metadata.labels)).toBe(true);
    expect(selects(service.spec.selector, api().spec.template.metadata.labels)).toBe(false);
    expect(selects(one<Manifest & { spec: { selector: Record<string, string> } }>('Service', 'routescope-api').spec.selector, dashboard().spec.template.metadata.labels)).toBe(false);
    expect(selects(dashboard().spec.selector.matchLabels, dashboard().spec.template.metadata.labels)).toBe(true);
    expect(service.spec.ports.map((p) => port(p.targetPort))).toEqual([3000]);
  });

  it('the Service selects the API pods (and not the collectors) on the API\'s port', () => {
    const service = one<Manifest & { spec: { selector: Record<string, string>; ports: Array<{ port: number; targetPort: number | string }> } }>('Service', 'routescope-api');
    expect(selects(service.spec.selector, api().spec.template.metadata.labels)).toBe(true);
    expect(selects(service.spec.selector, collector().spec.template.metadata.labels)).toBe(false);
    expect(selects(api().spec.selector.matchLabels, api().spec.template.metadata.labels)).toBe(true);
    expect(selects(collector().spec.selector.matchLabels, collector().spec.template.metadata.labels)).toBe(true);
    const container = containerOf(api());
    for (const port of service.spec.ports) {
      const target = typeof port.targetPort === 'number' ? port.targetPort : container.ports!.find((p) => p.name === port.targetPort)?.containerPort;
      expect(target).toBe(4000);
    }
    // ROUTESCOPE_SERVER of the collectors reaches this Service.
    expect(envOf(containerOf(collector()), 'ROUTESCOPE_SERVER')?.value).toBe(`http://${service.metadata.name}.${service.metadata.namespace}.svc:${service.spec.ports[0].port}`);
  });

  it('every image is one of ours, built from a Dockerfile in deploy/', () => {
    const workloads = manifests.filter((m) => m.kind === 'Deployment' || m.kind === 'DaemonSet') as Workload[];
    const images = workloads.flatMap((w) => [...w.spec.template.spec.containers, ...(w.spec.template.spec.initContainers ?? [])].map((c) => c.image));
    expect(new Set(images.map((image) => image.split(':')[0]))).toEqual(new Set(['routescope/api', 'routescope/collector', 'routescope/dashboard']));
    for (const image of images) {
      const match = /^routescope\/(api|collector|dashboard):[\w.-]+$/.exec(image);
      expect(match).not.toBeNull();
      expect(existsSync(join(REPO, 'deploy', match![1], 'Dockerfile'))).toBe(true);
    }
    for (const rewrite of kustomization.images ?? []) {
      expect(rewrite.name).toMatch(/^routescope\/(api|collector|dashboard)$/);
      expect(rewrite.newName).toBeUndefined();
    }
  });

  it('the Secret examples hold unmistakable placeholders only, and exactly the keys each workload reads from its own namespace', () => {
    // One Secret per file (tools parse them as single documents): the API's, then the collectors'.
    const examples = ['secret.example.yaml', 'collector-secret.example.yaml'].map((file) => {
      const documents = manifests.filter((m) => m.file === file);
      expect(documents).toHaveLength(1);
      return documents[0] as Manifest & { stringData: Record<string, string> };
    });
    expect(manifests.filter((m) => m.file.endsWith('.example.yaml'))).toHaveLength(2);
    expect(examples.map((e) => `${e.metadata.namespace}/${e.kind}/${e.metadata.name}`)).toEqual(['routescope/Secret/routescope', 'routescope-collector/Secret/routescope-collector']);
    for (const example of examples) {
      for (const [key, value] of Object.entries(example.stringData)) {
        // A token placeholder says what it is from its first character on; the URL's password does.
        if (key.endsWith('-token')) expect(value).toMatch(/^CHANGE-ME-[a-z]+-token-placeholder$/);
        else if (key.endsWith('-secret')) expect(value).toMatch(/^CHANGE-ME-[a-z-]+-secret-placeholder$/);
        else expect(new URL(value).password).toBe('CHANGE-ME-PASSWORD');
      }
      // No `data:` (base64) that could hide a real value from this check.
      expect(example).not.toHaveProperty('data');
    }
    // The collector's copy of the ingest token is the API's.
    expect(examples[1].stringData['ingest-token']).toBe(examples[0].stringData['ingest-token']);
    const source = readFileSync(join(DIR, 'secret.example.yaml'), 'utf8');
    expect(source).toMatch(/^# EXAMPLE ONLY: every value below is a placeholder/);
    expect(source).toMatch(/kubectl -n routescope create secret generic routescope /);
    const collectorSource = readFileSync(join(DIR, 'collector-secret.example.yaml'), 'utf8');
    expect(collectorSource).toMatch(/^# EXAMPLE ONLY: the value below is a placeholder/);
    expect(collectorSource).toMatch(/kubectl -n routescope-collector create secret generic routescope-collector /);
    const used = new Set<string>();
    for (const workload of applied.filter((m) => m.kind === 'Deployment' || m.kind === 'DaemonSet') as Workload[]) {
      const pod = workload.spec.template.spec;
      const at = (secret: string, key: string) => `${workload.metadata.namespace}/${secret}/${key}`;
      for (const container of pod.containers) for (const env of container.env ?? []) if (env.valueFrom?.secretKeyRef) used.add(at(env.valueFrom.secretKeyRef.name, env.valueFrom.secretKeyRef.key));
      for (const volume of pod.volumes ?? []) for (const item of volume.secret?.items ?? []) used.add(at(volume.secret!.secretName as string, item.key));
    }
    const provided = examples.flatMap((e) => Object.keys(e.stringData).map((key) => `${e.metadata.namespace}/${e.metadata.name}/${key}`));
    expect([...used].sort()).toEqual(provided.sort());
  });
});
