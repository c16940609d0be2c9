import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { HistoryController } from './history.controller';
import { HistoryService } from './history.service';
import { ReadModelNames } from './read-model-names';

/**
 * History API over the `history` read model. Needs (global): ProjectionHost (EventStoreModule), SessionGuard
 * (SessionModule), AccessService + PermissionGuard (PolicyModule).
 */
@Module({
  imports: [DirectoryModule],
  controllers: [HistoryController],
  providers: [HistoryService, ReadModelNames],
  exports: [HistoryService, ReadModelNames],
})
export class HistoryModule {}
