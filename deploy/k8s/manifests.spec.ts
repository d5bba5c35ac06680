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
  ports?: Array<{ name?: string; containerPort: number }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  volumeMounts?: Array<{ name: string; mountPath: string; mountPropagation?: string; readOnly?: boolean }>;
  securityContext?: {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsNonRoot?: boolean;
    readOnlyRootFilesystem?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
  };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface Volume {
  name: string;
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
const containerOf = (workload: Workload) => {
  expect(workload.spec.template.spec.containers).toHaveLength(1);
  return workload.spec.template.spec.containers[0];
};
const envOf = (container: Container, name: string) => container.env?.find((e) => e.name === name);
const selects = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);

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
        'Namespace/routescope',
        'Service/routescope-api',
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

  it('kustomization applies every manifest but the Secret example, into the routescope namespace', () => {
    for (const resource of kustomization.resources) expect(existsSync(join(DIR, resource))).toBe(true);
    expect([...kustomization.resources].sort()).toEqual(yamlFiles.filter((f) => f !== 'secret.example.yaml'));
    expect(kustomization.namespace).toBe('routescope');
    for (const m of applied) if (m.kind !== 'Namespace' && !m.kind.startsWith('Cluster')) expect(m.metadata.namespace).toBe('routescope');
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

  it('the collector DaemonSet runs hostNetwork + hostPID with exactly the documented capabilities, all others dropped', () => {
    const pod = collector().spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.hostPID).toBe(true);
    expect(pod.hostIPC).toBeUndefined();
    expect(pod.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const security = containerOf(collector()).securityContext!;
    expect(security.privileged).not.toBe(true);
    expect(security.capabilities!.drop).toEqual(['ALL']);
    expect([...security.capabilities!.add!].sort()).toEqual(['SYS_ADMIN', 'SYS_PTRACE']);
    expect(security.readOnlyRootFilesystem).toBe(true);
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
      expect(volume.secret).toMatchObject({ secretName: 'routescope', items: [{ key: 'ingest-token', path: tokenFile.slice(mount.mountPath.length + 1) }] });
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
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      const match = /^routescope\/(api|collector):[\w.-]+$/.exec(image);
      expect(match).not.toBeNull();
      expect(existsSync(join(REPO, 'deploy', match![1], 'Dockerfile'))).toBe(true);
    }
    for (const rewrite of kustomization.images ?? []) {
      expect(rewrite.name).toMatch(/^routescope\/(api|collector)$/);
      expect(rewrite.newName).toBeUndefined();
    }
  });

  it('the Secret example holds placeholders only, and every key the workloads read', () => {
    const example = manifests.find((m) => m.file === 'secret.example.yaml') as Manifest & { stringData: Record<string, string> };
    expect(example).toMatchObject({ kind: 'Secret', metadata: { name: 'routescope' } });
    for (const value of Object.values(example.stringData)) expect(value).toMatch(/CHANGE-ME/);
    expect(readFileSync(join(DIR, 'secret.example.yaml'), 'utf8')).toMatch(/kubectl -n routescope create secret generic routescope/);
    const used = new Set<string>();
    for (const workload of applied.filter((m) => m.kind === 'Deployment' || m.kind === 'DaemonSet') as Workload[]) {
      const pod = workload.spec.template.spec;
      for (const container of pod.containers) for (const env of container.env ?? []) if (env.valueFrom?.secretKeyRef) used.add(`${env.valueFrom.secretKeyRef.name}/${env.valueFrom.secretKeyRef.key}`);
      for (const volume of pod.volumes ?? []) for (const item of volume.secret?.items ?? []) used.add(`${volume.secret!.secretName}/${item.key}`);
    }
    expect([...used].sort()).toEqual(Object.keys(example.stringData).map((key) => `routescope/${key}`).sort());
  });
});
