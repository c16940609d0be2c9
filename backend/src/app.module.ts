import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ConfigModule } from './config/config.module';
import { DirectoryModule } from './directory/directory.module';
import { EventStoreModule } from './event-store/event-store.module';
import { HealthModule } from './health/health.module';

@Module({
  imports: [
    CqrsModule.forRoot(),
    ConfigModule.forRoot(),
    HealthModule,
    DirectoryModule,
    // Same variables as the config loader; switch to EventStoreModule.forRootAsync({ inject: [APP_CONFIG], … })
    // once ConfigModule is imported here.
    EventStoreModule.forRoot({
      connectionString: process.env.UNLOCKDESK_EVENTSTORE_URL || undefined,
      dataDir: process.env.UNLOCKDESK_DATA_DIR ?? '.data',
    }),
  ],
})
export class AppModule {}
