import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';

/** GET /api/health (aggregate). Needs (global): EVENT_STORE and ProjectionHost (EventStoreModule). */
@Module({ imports: [DirectoryModule], controllers: [HealthController], providers: [HealthService] })
export class HealthModule {}
