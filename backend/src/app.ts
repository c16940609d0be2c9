import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mountOpenApi } from './api-docs/openapi';
import { AppModule } from './app.module';
import { DomainExceptionFilter } from './shared/http/domain-exception.filter';
import { securityHeaders } from './web/security-headers';
import { mountWebApps } from './web/web-apps';

/**
 * Builds the HTTP application: REST API under /api (OpenAPI UI at /api/docs, document at /api/docs-json), the admin
 * app at /, the kiosk app at /kiosk/, security headers on every response.
 */
export async function createApp(): Promise<INestApplication> {
  return configureApp(await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: false }));
}

/** Everything createApp adds to the Nest application (also used by tests that build AppModule with overrides). */
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new DomainExceptionFilter());
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(securityHeaders());
  mountOpenApi(app);
  mountWebApps(app);
  return app;
}
