import { type DynamicModule, Logger, Module, type ModuleMetadata } from '@nestjs/common';
import type { NotificationsConfig } from './notifications.config';
import { NOTIFICATIONS_CONFIG, Notifications } from './notifications.service';
import { OutboxMailer, OutboxSmsGateway } from './outbox';
import { MAILER, type Mailer, SMS_GATEWAY, type SmsGateway } from './ports';
import { SmtpMailer } from './smtp-mailer';
import { WebhookSmsGateway } from './webhook-sms-gateway';

export function createMailer(config: NotificationsConfig): Mailer {
  if (config.mail?.type === 'smtp') return new SmtpMailer(config.mail.smtp);
  new Logger('Mail').warn(`No SMTP server configured: mail goes to the development outbox ${config.outboxDir}`);
  return new OutboxMailer(config.outboxDir);
}

export function createSmsGateway(config: NotificationsConfig): SmsGateway {
  if (config.sms?.type === 'webhook') return new WebhookSmsGateway(config.sms.webhook);
  new Logger('Sms').warn(`No SMS gateway configured: SMS go to the development outbox ${config.outboxDir}`);
  return new OutboxSmsGateway(config.outboxDir);
}

/** Provides `MAILER`, `SMS_GATEWAY` and the `Notifications` service from a resolved `NotificationsConfig`. */
@Module({})
export class NotificationsModule {
  static forRoot(config: NotificationsConfig): DynamicModule {
    return {
      module: NotificationsModule,
      global: true,
      providers: [
        { provide: NOTIFICATIONS_CONFIG, useValue: config },
        { provide: MAILER, useFactory: () => createMailer(config) },
        { provide: SMS_GATEWAY, useFactory: () => createSmsGateway(config) },
        Notifications,
      ],
      exports: [MAILER, SMS_GATEWAY, Notifications],
    };
  }

  /** e.g. `forRootAsync({ inject: [APP_CONFIG], useFactory: (c: AppConfig) => c.notifications })`. */
  static forRootAsync(options: {
    imports?: ModuleMetadata['imports'];
    inject?: Array<string | symbol | (abstract new (...args: never[]) => unknown)>;
    useFactory: (...args: never[]) => NotificationsConfig;
  }): DynamicModule {
    return {
      module: NotificationsModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        { provide: NOTIFICATIONS_CONFIG, useFactory: options.useFactory, inject: options.inject ?? [] },
        { provide: MAILER, useFactory: (c: NotificationsConfig) => createMailer(c), inject: [NOTIFICATIONS_CONFIG] },
        {
          provide: SMS_GATEWAY,
          useFactory: (c: NotificationsConfig) => createSmsGateway(c),
          inject: [NOTIFICATIONS_CONFIG],
        },
        Notifications,
      ],
      exports: [MAILER, SMS_GATEWAY, Notifications],
    };
  }
}
