import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from './audit/audit.module';
import { APP_CONFIG, ConfigModule } from './config/config.module';
import type { AppConfig } from './config/config.types';
import { DirectoryModule } from './directory/directory.module';
import { EnrollmentModule } from './enrollment/enrollment.module';
import { EventStoreModule } from './event-store/event-store.module';
import { HealthModule } from './health/health.module';
import { HelpdeskModule } from './helpdesk/helpdesk.module';
import { HistoryModule } from './history/history.module';
import { KioskModule } from './kiosk/kiosk.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PolicyModule } from './policy/policy.module';
import { SessionModule } from './session/session.module';
import { SecretsModule } from './shared/secrets';

@Module({
  imports: [
    CqrsModule.forRoot(),
    ConfigModule.forRoot(),
    EventStoreModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        connectionString: config.eventStore.connectionString?.reveal(),
        dataDir: config.dataDir,
      }),
    }),
    HealthModule,
    DirectoryModule,
    SessionModule.forRoot(),
    SecretsModule.forRoot(),
    NotificationsModule.forRootAsync({ inject: [APP_CONFIG], useFactory: (config: AppConfig) => config.notifications }),
    PolicyModule,
    EnrollmentModule,
    HelpdeskModule,
    KioskModule,
    HistoryModule,
    AuditModule,
  ],
})
export class AppModule {}
