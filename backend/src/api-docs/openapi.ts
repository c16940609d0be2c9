import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The OpenAPI document of every controller (decorated with @nestjs/swagger where the shapes matter). */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Unlock Desk API')
    .setDescription(
      'Helpdesk account unlock: agent sessions, users, cases and caller authentication, unlock, roles, enrollment, ' +
        'history and the tamper-evident audit log. Agents authenticate with the `ud_session` cookie from ' +
        '`POST /api/session`; state-changing requests also need the `X-CSRF-Token` header.',
    )
    .setVersion('1')
    .addCookieAuth('ud_session')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Swagger UI at /api/docs, the JSON document at /api/docs-json. Call after setGlobalPrefix('api'). */
export function mountOpenApi(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => openApiDocument(app), {
    useGlobalPrefix: true,
    jsonDocumentUrl: 'docs-json',
    raw: ['json'],
    swaggerOptions: { validatorUrl: null },
  });
}
