// Static checks of docker-compose.temporal.yml: no Docker needed, the file is parsed as YAML and
// its services, images, ports and setup commands are checked against what the project expects.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loopback, ports, searchAttributes } from '../src/stack/services.js';

type StringMap = Record<string, string | number | boolean | null>;

interface PortMapping {
  target: number | string;
  published?: number | string;
  host_ip?: string;
}

interface ComposeService {
  image?: string;
  environment?: string[] | StringMap;
  ports?: (string | number | PortMapping)[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  volumes?: (string | { type?: string; source?: string; target?: string })[];
  configs?: (string | { source: string; target?: string })[];
  entrypoint?: string | string[];
  command?: string | string[];
  stdin_open?: boolean;
  tty?: boolean;
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  configs?: Record<string, { content?: string; file?: string }>;
}

const composeText = readFileSync(new URL('../docker-compose.temporal.yml', import.meta.url), 'utf8');
const compose = parse(composeText) as ComposeFile;

const expectedServices = ['postgresql', 'temporal', 'temporal-admin-tools', 'temporal-ui', 'temporal-setup'];
const expectedSearchAttributes = ['AcodeSystem', 'FailureType', 'RecoveryStrategy', 'RecoveryPhase'];

function service(name: string): ComposeService {
  const s = compose.services[name];
  if (!s) throw new Error(`service ${name} is missing from docker-compose.temporal.yml`);
  return s;
}

/** The environment as a map, whichever of the two Compose syntaxes (list or map) is used. */
function env(s: ComposeService): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(s.environment)) {
    for (const entry of s.environment) {
      const eq = entry.indexOf('=');
      if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } else if (s.environment) {
    for (const [key, value] of Object.entries(s.environment)) out[key] = value === null ? '' : String(value);
  }
  return out;
}

/** depends_on as service -> condition ('service_started' for the short list syntax). */
function dependsOn(s: ComposeService): Record<string, string> {
  if (Array.isArray(s.depends_on)) return Object.fromEntries(s.depends_on.map((d) => [d, 'service_started']));
  return Object.fromEntries(
    Object.entries(s.depends_on ?? {}).map(([d, spec]) => [d, spec.condition ?? 'service_started']),
  );
}

interface Published {
  hostIp: string | undefined;
  published: number;
  target: number;
}

/** Published ports, from the short ("[ip:]host:container[/proto]") or the long syntax. */
function published(s: ComposeService): Published[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p === 'object') {
      return { hostIp: p.host_ip, published: Number(p.published), target: Number(p.target) };
    }
    const parts = String(p)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    if (parts.length === 3) return { hostIp: parts[0], published: Number(parts[1]), target: Number(parts[2]) };
    if (parts.length === 2) return { hostIp: undefined, published: Number(parts[0]), target: Number(parts[1]) };
    return { hostIp: undefined, published: Number.NaN, target: Number(parts[0]) };
  });
}

/** entrypoint + command as one shell text, to look for the commands a one-shot job runs. */
function script(s: ComposeService): string {
  const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return [...asList(s.entrypoint), ...asList(s.command)].join('\n');
}

/** "repo/name:tag" -> { repository, tag }; tag is undefined when the image has none. */
function splitImage(image: string): { repository: string; tag: string | undefined; digest: string | undefined } {
  const [nameAndTag = '', digest] = image.split('@');
  const lastSlash = nameAndTag.lastIndexOf('/');
  const colon = nameAndTag.indexOf(':', lastSlash + 1);
  if (colon < 0) return { repository: nameAndTag, tag: undefined, digest };
  return { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
}

const semver = /^\d+\.\d+\.\d+$/;

describe('docker-compose.temporal.yml', () => {
  it('defines the database, server, admin tools, UI and search-attribute setup services', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(expectedServices));
  });

  it('pins every image to an explicit tag that is not latest', () => {
    const images = Object.entries(compose.services).map(([name, s]) => [name, s.image] as const);
    expect(images.length).toBeGreaterThanOrEqual(expectedServices.length);
    for (const [name, image] of images) {
      expect(image, `${name} has no image`).toBeTypeOf('string');
      expect(image, `${name}: no Compose variables in image names, pin literally`).not.toContain('$');
      const { tag } = splitImage(image ?? '');
      expect(tag, `${name}: ${image} has no tag`).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
      expect(tag, `${name}: ${image} must not float`).not.toMatch(/^(latest|stable|main|master|nightly)$/i);
      expect(tag, `${name}: ${image} tag must be a version`).toMatch(/^\d/);
    }
  });

  it('uses the official Temporal images at exact releases, server and admin tools from the same release', () => {
    const server = splitImage(service('temporal').image ?? '');
    expect(['temporalio/server', 'temporalio/auto-setup']).toContain(server.repository);
    expect(server.tag).toMatch(semver);

    const adminTools = splitImage(service('temporal-admin-tools').image ?? '');
    expect(adminTools.repository).toBe('temporalio/admin-tools');
    expect(adminTools.tag).toMatch(semver);
    // Every admin-tools container (schema job included) must come from the server's release.
    for (const [name, s] of Object.entries(compose.services)) {
      const img = splitImage(s.image ?? '');
      if (img.repository === 'temporalio/admin-tools') {
        expect(img.tag, `${name}: admin tools must match the server release`).toBe(server.tag);
      }
    }

    const ui = splitImage(service('temporal-ui').image ?? '');
    expect(ui.repository).toBe('temporalio/ui');
    expect(ui.tag).toMatch(semver);

    expect(splitImage(service('postgresql').image ?? '').repository).toBe('postgres');
    expect(service('temporal-setup').image).toBe(service('temporal-admin-tools').image);
  });

  it('publishes Temporal gRPC on 127.0.0.1:7233 and the Web UI on 127.0.0.1:8233', () => {
    expect(published(service('temporal'))).toContainEqual({ hostIp: '127.0.0.1', published: 7233, target: 7233 });
    expect(published(service('temporal-ui'))).toContainEqual({ hostIp: '127.0.0.1', published: 8233, target: 8080 });
  });

  it('binds every published port of every service to loopback only', () => {
    const all = Object.entries(compose.services).flatMap(([name, s]) => published(s).map((p) => ({ name, ...p })));
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const p of all) {
      expect(p.hostIp, `${p.name} publishes ${p.published} beyond loopback`).toBe('127.0.0.1');
      expect(Number.isInteger(p.published), `${p.name} publishes a random host port`).toBe(true);
    }
  });

  it('agrees with the ports and search attributes of the local stack (src/stack/services.ts)', () => {
    expect(loopback).toBe('127.0.0.1');
    expect(published(service('temporal')).map((p) => p.published)).toContain(ports.temporal);
    expect(published(service('temporal-ui')).map((p) => p.published)).toContain(ports.temporalUi);
    expect([...searchAttributes].sort()).toEqual([...expectedSearchAttributes].sort());
  });

  it('gives PostgreSQL a named volume and a healthcheck', () => {
    const pg = service('postgresql');
    const mounts = (pg.volumes ?? []).map((v) =>
      typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v,
    );
    const data = mounts.find((m) => m.target === '/var/lib/postgresql/data');
    expect(data, 'the data directory is not mounted').toBeDefined();
    expect(Object.keys(compose.volumes ?? {}), 'the data volume must be a declared named volume').toContain(
      data?.source,
    );
    const test = pg.healthcheck?.test;
    expect(Array.isArray(test) ? test.join(' ') : test).toMatch(/pg_isready/);
    expect(published(pg), 'the database needs no published port').toEqual([]);
  });

  it('starts Temporal on PostgreSQL only once the database is healthy', () => {
    const temporal = service('temporal');
    expect(dependsOn(temporal)).toMatchObject({ postgresql: 'service_healthy' });
    const e = env(temporal);
    expect(e).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql', DB_PORT: '5432' });
    const pg = env(service('postgresql'));
    expect(e.POSTGRES_USER).toBe(pg.POSTGRES_USER);
    expect(e.POSTGRES_PWD).toBe(pg.POSTGRES_PASSWORD);
  });

  it('creates the schema first when the server image does not do it itself', () => {
    const temporal = service('temporal');
    if (splitImage(temporal.image ?? '').repository === 'temporalio/auto-setup') return;
    const setup = Object.entries(dependsOn(temporal)).find(
      ([, condition]) => condition === 'service_completed_successfully',
    );
    expect(setup, 'temporal must wait for a schema job').toBeDefined();
    const job = service(setup?.[0] ?? '');
    expect(dependsOn(job)).toMatchObject({ postgresql: 'service_healthy' });
    const text = script(job);
    for (const db of ['temporal', 'temporal_visibility']) {
      expect(text).toMatch(new RegExp(`--db ${db} create`));
      expect(text).toMatch(new RegExp(`--db ${db} setup-schema`));
      expect(text).toMatch(new RegExp(`--db ${db} update-schema`));
    }
  });

  it('mounts the dynamic config file the server is told to read', () => {
    const temporal = service('temporal');
    const path = env(temporal).DYNAMIC_CONFIG_FILE_PATH;
    if (path === undefined) return;
    const mounted = (temporal.configs ?? []).find((c) => typeof c === 'object' && c.target === path);
    expect(mounted, `nothing is mounted at ${path}`).toBeDefined();
    const source = typeof mounted === 'object' ? mounted.source : '';
    const content = compose.configs?.[source]?.content;
    expect(content, `config ${source} must be inline`).toBeTypeOf('string');
    expect(parse(content ?? '')).toHaveProperty('system.forceSearchAttributesCacheRefreshOnRead');
  });

  it('points the UI and the admin tools at temporal:7233', () => {
    const ui = env(service('temporal-ui'));
    expect(ui.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(ui.TEMPORAL_CORS_ORIGINS).toBeTruthy();
    expect(dependsOn(service('temporal-ui'))).toHaveProperty('temporal');

    const admin = service('temporal-admin-tools');
    expect(env(admin).TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(admin.stdin_open).toBe(true);
    expect(admin.tty).toBe(true);
  });

  it('registers the four Keyword search attributes on the default namespace', () => {
    const setup = service('temporal-setup');
    expect(env(setup).TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(dependsOn(setup)).toHaveProperty('temporal');
    const lines = script(setup).split('\n');
    for (const name of expectedSearchAttributes) {
      const line = lines.find(
        (l) => /temporal operator search-attribute create\b/.test(l) && l.includes(`--name ${name} `),
      );
      expect(line, `search attribute ${name} is not registered`).toBeDefined();
      expect(line).toMatch(/--type Keyword\b/);
      expect(line).toMatch(/--namespace default\b/);
    }
  });

  it('escapes $ in inline scripts so Compose does not interpolate shell variables', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      const text = script(s).replaceAll('$$', '');
      expect(text, `${name} has a $ that Compose would interpolate (write $$)`).not.toContain('$');
    }
  });
});
