import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers on every response (API, the React apps, the OpenAPI UI), via helmet. The Content-Security-Policy
 * fits what the backend serves: the admin and kiosk builds load only their own module scripts and stylesheets (no
 * inline script), React sets inline styles (style attributes and injected <style> tags), Swagger UI uses inline
 * <style> and data: images, and everything talks to its own origin. No `upgrade-insecure-requests`: an installation
 * served over plain HTTP on a LAN would break (TLS belongs to the reverse proxy in front). Frames: none, ever (the
 * kiosk is a top-level page; clickjacking the admin console must be impossible).
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'script-src-attr': ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 15552000, includeSubDomains: false },
    xFrameOptions: { action: 'deny' },
  });
}
