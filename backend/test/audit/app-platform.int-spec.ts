// The real application (createApp: AppModule, global pipes, helmet, OpenAPI) with the default configuration: the
// OpenAPI document and UI are served, every response carries the security headers, /api/health aggregates.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createApp } from '../../src/app';

describe('application platform: OpenAPI, security headers, health', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unlockdesk-platform-'));
  const saved = { ...process.env };
  let app: INestApplication;
  beforeAll(async () => {
    delete process.env.UNLOCKDESK_CONFIG;
    delete process.env.UNLOCKDESK_EVENTSTORE_URL;
    process.env.UNLOCKDESK_DATA_DIR = dir;
    app = await createApp();
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the OpenAPI document at /api/docs-json with the history, audit and health routes', async () => {
    const res = await request(app.getHttpServer()).get('/api/docs-json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/users/{storeId}/{userId}/history',
      '/api/agents/{storeId}/{userId}/history',
      '/api/audit/events',
      '/api/audit/export',
      '/api/audit/verify',
      '/api/health',
    ]) {
      expect(res.body.paths[path]?.get).toBeDefined();
    }
    const audit = res.body.paths['/api/audit/events'].get;
    expect(audit.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ['action', 'actor', 'cursor', 'from', 'limit', 'outcome', 'store', 'subject', 'to'].sort(),
    );
    expect(
      audit.responses['200'].content['application/json'].schema.properties.items.items.properties.hash,
    ).toBeDefined();
  });

  it('serves the Swagger UI at /api/docs under the same CSP', async () => {
    const res = await request(app.getHttpServer()).get('/api/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger-ui-bundle.js');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('puts the security headers on API responses and errors', async () => {
    for (const [path, status] of [
      ['/api/health', 200],
      ['/api/audit/events', 401],
    ] as const) {
      const res = await request(app.getHttpServer()).get(path).expect(status);
      expect(res.headers).toMatchObject({
        'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-opener-policy': 'same-origin',
      });
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('GET /api/health aggregates the event store and the projections (no identity store configured)', async () => {
    // Without a session: the status of each part only (the details are for signed-in agents).
    const res = await request(app.getHttpServer()).get('/api/health').expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      eventStore: { status: 'up' },
      identityStores: [],
      projections: { status: 'ok' },
    });
    // The projections' own health (lag per read model) is its own route.
    const projections = await request(app.getHttpServer()).get('/api/health/projections').expect(200);
    expect(projections.body.projections.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['history', 'audit']),
    );
  });
});
