import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { APP_CONFIG, ConfigModule } from './config/config.module';
import type { AppConfig } from './config/config.types';
import { DirectoryModule } from './directory/directory.module';
import { EventStoreModule } from './event-store/event-store.module';
import { HealthModule } from './health/health.module';
import { SessionModule } from './session/session.module';

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
  ],
})
export class AppModule {}
