import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

// No Docker daemon here, so each Dockerfile's build is rendered instead of run: its steps are
// parsed, the build command must be a real Nx target of this repository, every path copied out
// of the build stage must exist in a built tree (this checkout, after the build targets ran:
// deploy/project.json's `images` target runs them first), the final user must not be root (the
// collector alone is root, bounded by capabilities), and every base image must be pinnable.
// docker-compose.yml is held to its healthchecks and start order the same way (no compose plugin).

const DEPLOY = __dirname;
const REPO = join(DEPLOY, '..');

interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(file: string): Instruction[] {
  const result: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.trim();
      if (!pending && (line === '' || line.startsWith('#'))) return;
      if (!pending) startLine = index + 1;
      if (line.endsWith('\\')) {
        pending += `${line.slice(0, -1)} `;
        return;
      }
      const text = pending + line;
      pending = '';
      const [keyword, ...rest] = text.split(/\s+/);
      result.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine });
    });
  return result;
}

interface Stage {
  from: string;
  name?: string;
  steps: Instruction[];
}

function stages(steps: Instruction[]): Stage[] {
  const result: Stage[] = [];
  for (const step of steps) {
    if (step.keyword === 'FROM') {
      const [from, as, name] = step.args.split(/\s+/);
      result.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, steps: [] });
    } else if (result.length > 0) result[result.length - 1].steps.push(step);
  }
  return result;
}

/** `nx run project:target` commands in a RUN line, checked against the projects' project.json. */
function nxTargets(run: string): Array<{ project: string; target: string }> {
  return [...run.matchAll(/nx run ([\w-]+):([\w-]+)/g)].map((m) => ({ project: m[1], target: m[2] }));
}

function projectJson(project: string): { targets: Record<string, { outputs?: string[] }> } {
  for (const dir of ['apps', 'libs', 'tools']) {
    const file = join(REPO, dir, project, 'project.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  }
  throw new Error(`no project ${project}`);
}

const dockerfiles = readdirSync(DEPLOY, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(DEPLOY, entry.name, 'Dockerfile')))
  .map((entry) => entry.name)
  .sort();

describe('Dockerfiles, rendered', () => {
  it('one per image: the API, the collector and the dashboard', () => {
    expect(dockerfiles).toEqual(['api', 'collector', 'dashboard']);
  });

  describe.each(dockerfiles)('deploy/%s/Dockerfile', (image) => {
    const file = join(DEPLOY, image, 'Dockerfile');
    const steps = instructions(file);
    const built = stages(steps);
    const final = built[built.length - 1];

    it('takes every base image from the pinnable NODE_IMAGE argument (a digest at release time)', () => {
      const arg = steps.find((s) => s.keyword === 'ARG' && s.args.startsWith('NODE_IMAGE='));
      expect(arg?.args).toBe('NODE_IMAGE=node:20-bookworm-slim');
      expect(steps.indexOf(arg!)).toBe(0);
      for (const stage of built) expect(stage.from).toBe('${NODE_IMAGE}');
    });

    it('builds with the repository\'s own commands: npm ci, then an Nx build target that exists', () => {
      const runs = built.flatMap((stage) => stage.steps.filter((s) => s.keyword === 'RUN').map((s) => s.args));
      const buildRuns = runs.filter((run) => run.includes('nx run'));
      if (image === 'collector') {
        // The collector image copies the bundle `npm ci` builds (root postinstall) from the context.
        expect(buildRuns).toEqual([]);
        expect(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts.postinstall).toMatch(/build:collector|collector/);
        return;
      }
      expect(buildRuns).toHaveLength(1);
      expect(buildRuns[0]).toMatch(/^npm ci --no-audit --no-fund && /);
      const targets = nxTargets(buildRuns[0]);
      expect(targets).toHaveLength(1);
      const { project, target } = targets[0];
      expect(project).toBe(image);
      expect(Object.keys(projectJson(project).targets)).toContain(target);
    });

    it('copies only paths that exist in a built tree', () => {
      const copies = final.steps.filter((s) => s.keyword === 'COPY');
      expect(copies.length).toBeGreaterThan(0);
      for (const copy of copies) {
        const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--chown'));
        const fromBuild = parts[0] === `--from=${built[0].name}`;
        const sources = (fromBuild ? parts.slice(1, -1) : parts.slice(0, -1)).map((source) => (fromBuild ? source.replace(/^\/app\//, '') : source));
        for (const source of sources) {
          const path = join(REPO, source);
          if (!existsSync(path)) throw new Error(`${image}/Dockerfile:${copy.line}: COPY ${source} does not exist in the built tree (run the build targets first)`);
        }
      }
    });

    it(image === 'collector' ? 'runs as root, and says why' : 'runs as a non-root user', () => {
      const user = final.steps.filter((s) => s.keyword === 'USER').pop()?.args;
      if (image === 'collector') {
        expect(user).toBe('root');
        expect(readFileSync(file, 'utf8')).toMatch(/runs as root: setns\(2\)/);
      } else {
        expect(user).toBe('node');
        // USER comes before CMD, so the server never runs as root
        const order = final.steps.map((s) => s.keyword);
        expect(order.lastIndexOf('USER')).toBeLessThan(order.indexOf('CMD'));
      }
    });
  });

  it('the dashboard image runs the standalone server that its build target produces', () => {
    const steps = instructions(join(DEPLOY, 'dashboard', 'Dockerfile'));
    expect(steps.filter((s) => s.keyword === 'RUN').flatMap((s) => nxTargets(s.args))).toContainEqual({ project: 'dashboard', target: 'build' });
    // the one `next build` (the same .next `npm start` serves) writes the standalone tree
    expect(readFileSync(join(REPO, 'apps/dashboard/next.config.ts'), 'utf8')).toMatch(/phase === PHASE_PRODUCTION_BUILD \? \{ output: 'standalone'/);
    const cmd = steps.find((s) => s.keyword === 'CMD')!;
    const [, script] = JSON.parse(cmd.args) as string[];
    // the server lands at apps/dashboard/server.js of the standalone tree, copied to /app
    expect(existsSync(join(REPO, 'apps/dashboard/.next/standalone', script))).toBe(true);
  });
});

interface ComposeService {
  image?: string;
  build?: { dockerfile: string };
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  cap_drop?: string[];
}

/** `docker compose` (plugin) or `docker-compose` (v1), whichever this machine has. */
function composeCli(): string[] | undefined {
  for (const cli of [['docker', 'compose'], ['docker-compose']]) {
    if (spawnSync(cli[0], [...cli.slice(1), 'version'], { stdio: 'ignore' }).status === 0) return cli;
  }
  return undefined;
}
const compose = composeCli();

describe('docker-compose.yml', () => {
  // Compose's own validation where a compose CLI is installed (no daemon needed); the parsed
  // checks below run everywhere.
  if (compose) {
    it(`is valid for ${compose.join(' ')} with the .env.example values, and a missing secret stops it by name`, () => {
      const run = (envFile: string, env: NodeJS.ProcessEnv) => spawnSync(compose[0], [...compose.slice(1), '-f', join(REPO, 'docker-compose.yml'), '--env-file', envFile, 'config', '-q'], { cwd: REPO, encoding: 'utf8', env });
      const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('ROUTESCOPE_')));
      const valid = run(join(REPO, '.env.example'), clean);
      expect(valid.stderr).toBe('');
      expect(valid.status).toBe(0);
      // an .env without the dashboard's secret
      const dir = mkdtempSync(join(tmpdir(), 'rs-compose-'));
      try {
        const partial = join(dir, '.env');
        writeFileSync(partial, readFileSync(join(REPO, '.env.example'), 'utf8').replace(/^ROUTESCOPE_DASHBOARD_SESSION_SECRET=.*$/m, ''));
        const missing = run(partial, clean);
        expect(missing.status).not.toBe(0);
        expect(missing.stderr).toMatch(/ROUTESCOPE_DASHBOARD_SESSION_SECRET/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  const services = (parseYaml(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> }).services;

  it('runs PostgreSQL, the API, the dashboard and the collector, each image built from its Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'collector', 'dashboard', 'postgres']);
    for (const name of ['api', 'collector', 'dashboard']) {
      expect(services[name].build?.dockerfile).toBe(`deploy/${name}/Dockerfile`);
      expect(services[name].image).toBe(`routescope/${name}:0.1.0`);
    }
  });

  it('starts each service once the one it needs is healthy, and every server has a healthcheck', () => {
    expect(services.api.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.dashboard.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(services.collector.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    expect(services.postgres.healthcheck?.test.join(' ')).toMatch(/pg_isready/);
    expect(services.api.healthcheck?.test.join(' ')).toMatch(/127\.0\.0\.1:4000\/readyz/);
    expect(services.dashboard.healthcheck?.test.join(' ')).toMatch(/127\.0\.0\.1:3000\/api\/healthz/);
    expect(services.dashboard.environment?.['ROUTESCOPE_API_URL']).toBe('http://api:4000');
  });

  it('takes every secret from the one .env file, required by name, and .env.example lists exactly those', () => {
    const required = new Set<string>();
    for (const service of Object.values(services)) {
      for (const value of Object.values(service.environment ?? {})) {
        for (const m of String(value).matchAll(/\$\{(\w+)(:\?[^}]*)?\}/g)) {
          // the collector reuses the API's ingest token, which the API requires
          if (m[2]) required.add(m[1]);
        }
      }
    }
    expect([...required].sort()).toEqual(['ROUTESCOPE_ADMIN_TOKEN', 'ROUTESCOPE_DASHBOARD_SESSION_SECRET', 'ROUTESCOPE_INGEST_TOKEN', 'ROUTESCOPE_READ_TOKEN']);
    const example = readFileSync(join(REPO, '.env.example'), 'utf8');
    const keys = example
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split('=')[0]);
    expect(keys.sort()).toEqual([...required].sort());
    for (const line of example.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line.split('=')[1]).toMatch(/^CHANGE-ME-[a-z-]+-placeholder$/);
    expect(readFileSync(join(REPO, '.gitignore'), 'utf8').split('\n')).toContain('.env');
  });

  it('publishes the API and the dashboard on loopback only, and the dashboard drops every capability', () => {
    expect(services.api.ports).toEqual(['127.0.0.1:4000:4000']);
    expect(services.dashboard.ports).toEqual(['127.0.0.1:3000:3000']);
    expect(services.dashboard.cap_drop).toEqual(['ALL']);
  });
});
