import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';

/** Where the built React apps live; overridable for packaged deployments. */
export function webAppDirs(): { admin: string; kiosk: string } {
  const root = resolve(__dirname, '..', '..', '..');
  return {
    admin: process.env.UNLOCKDESK_ADMIN_DIST ?? join(root, 'admin', 'dist'),
    kiosk: process.env.UNLOCKDESK_KIOSK_DIST ?? join(root, 'kiosk', 'dist'),
  };
}

/**
 * Serves the admin app at / and the kiosk app at /kiosk/ as single-page apps (unknown paths fall back
 * to index.html), leaving /api to the REST controllers. Missing builds are skipped so the API can run alone.
 */
export function mountWebApps(app: NestExpressApplication): void {
  const dirs = webAppDirs();
  const server = app.getHttpAdapter().getInstance() as express.Express;
  const spa = (mount: string, dir: string) => {
    if (!existsSync(join(dir, 'index.html'))) return;
    server.use(mount, express.static(dir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheForHtml }));
    server.get(new RegExp(`^${mount === '/' ? '' : mount}/(?!api/).*`), (req, res, next) => {
      if (req.method !== 'GET' || req.path.startsWith('/api/') || !req.accepts('html')) return next();
      res.setHeader('Cache-Control', 'no-store');
      res.sendFile(join(dir, 'index.html'));
    });
  };
  spa('/kiosk', dirs.kiosk);
  spa('/', dirs.admin);
}

function noCacheForHtml(res: express.Response, path: string): void {
  if (path.endsWith('.html')) res.setHeader('Cache-Control', 'no-store');
}
