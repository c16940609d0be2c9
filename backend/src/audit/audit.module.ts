import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/** Audit API over the `audit` read model: events, export, chain verification. Needs the same as HistoryModule. */
@Module({
  imports: [HistoryModule],
  controllers: [AuditController],
  providers: [AuditService],
})
export class AuditModule {}
