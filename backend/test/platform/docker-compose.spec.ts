import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';

// docker-compose.yml cannot run here (no Docker engine), so its structure is checked against the code it deploys:
// services and ports line up, every environment variable given to the backend is one the backend reads, files it
// mounts or builds from exist, and the backend's URLs point at services of the stack.
const root = join(__dirname, '..', '..', '..');
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'));
type Service = {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment: Record<string, string>;
  ports: string[];
  volumes: string[];
  healthcheck: { test: string[] };
  depends_on: Record<string, unknown>;
};
const services = compose.services as Record<string, Service>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}
/** Environment variable names the backend's source reads: process.env.X, or X on an injected env (ctx.env.X). */
function envNamesReadByBackend(): Set<string> {
  const names = new Set<string>();
  for (const file of sourceFiles(join(root, 'backend', 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)|\[['"]([A-Z][A-Z0-9_]*)['"]\])/g))
      names.add(m[1] ?? m[2]);
  }
  return names;
}
const containerPort = (mapping: string) => Number(String(mapping).split(':').pop());
const mountedFile = (service: Service, target: string): string => {
  const volume = service.volumes.find((v) => v.split(':')[1] === target);
  if (!volume) throw new Error(`nothing is mounted at ${target}`);
  return join(root, volume.split(':')[0]);
};

describe('docker-compose.yml', () => {
  it('runs an event store, a directory and the backend', () => {
    expect(Object.keys(services).sort()).toEqual(['backend', 'eventstore', 'openldap']);
  });

  it('runs EventStoreDB as an insecure single node with projections enabled, gRPC/HTTP on 2113', () => {
    const es = services.eventstore;
    expect(es.image).toMatch(/^(eventstore\/eventstore|docker\.kurrent\.io\/.+\/kurrentdb):\d/);
    expect(es.environment).toMatchObject({
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_RUN_PROJECTIONS: 'All',
      EVENTSTORE_INSECURE: 'true',
    });
    expect(es.ports.map(containerPort)).toContain(2113);
    expect(es.healthcheck.test.join(' ')).toContain(':2113/health/live');
  });

  it('gives the backend only environment variables that the backend reads', () => {
    const read = envNamesReadByBackend();
    const given = Object.keys(services.backend.environment);
    const configFile = mountedFile(services.backend, services.backend.environment.UNLOCKDESK_CONFIG);
    // Secrets referenced by the mounted configuration ({ env: NAME }) are read through the configuration.
    const configEnv = [...readFileSync(configFile, 'utf8').matchAll(/env:\s*([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]);
    const unread = given.filter((name) => !read.has(name) && !configEnv.includes(name));
    expect(unread).toEqual([]);
    for (const name of configEnv) expect(given).toContain(name);
  });

  it('points the backend at the stack: event store URL, mounted configuration, health', () => {
    const be = services.backend;
    const esUrl = new URL(be.environment.UNLOCKDESK_EVENTSTORE_URL);
    expect(esUrl.protocol).toBe('esdb:');
    expect(services[esUrl.hostname]).toBeDefined();
    expect(services[esUrl.hostname].ports.map(containerPort)).toContain(Number(esUrl.port));
    expect(esUrl.searchParams.get('tls')).toBe('false');

    const configFile = mountedFile(be, be.environment.UNLOCKDESK_CONFIG);
    expect(existsSync(configFile)).toBe(true);
    const config = parse(readFileSync(configFile, 'utf8'));
    for (const store of config.identityStores) {
      for (const url of store.urls) {
        const u = new URL(url);
        expect(services[u.hostname]).toBeDefined();
        expect(services[u.hostname].ports.map(containerPort)).toContain(Number(u.port));
      }
    }
    expect(be.ports.map(containerPort)).toContain(Number(be.environment.PORT));
    expect(Object.keys(be.depends_on).sort()).toEqual(['eventstore', 'openldap']);
  });

  it('builds images from files that exist in the repository', () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.build) continue;
      const dockerfile = join(root, service.build.context, service.build.dockerfile);
      expect({ name, exists: existsSync(dockerfile) }).toEqual({ name, exists: true });
      const text = readFileSync(dockerfile, 'utf8');
      for (const m of text.matchAll(/^COPY (?!--from)(\S+)/gm)) {
        expect({ dockerfile: relative(root, dockerfile), copies: m[1], exists: existsSync(join(root, m[1])) }).toEqual({
          dockerfile: relative(root, dockerfile),
          copies: m[1],
          exists: true,
        });
      }
    }
    expect(readFileSync(join(root, 'backend', 'Dockerfile'), 'utf8')).toMatch(/^FROM node:24/m);
  });
});
