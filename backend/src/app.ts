import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { DomainExceptionFilter } from './shared/http/domain-exception.filter';
import { mountWebApps } from './web/web-apps';

/** Builds the HTTP application: REST API under /api, the admin app at /, the kiosk app at /kiosk/. */
export async function createApp(): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: false });
  app.setGlobalPrefix('api');
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useGlobalFilters(new DomainExceptionFilter());
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  mountWebApps(app);
  return app;
}
