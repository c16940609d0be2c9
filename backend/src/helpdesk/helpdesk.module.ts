import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { BreakGlassController } from './break-glass.controller';
import { BREAK_GLASS_HANDLERS, BreakGlassService } from './break-glass.service';
import { CaseService } from './case.service';
import { HELPDESK_HANDLERS } from './helpdesk.commands';
import { CasesController, UsersController } from './helpdesk.controller';
import { HelpdeskReadModel } from './helpdesk.read-model';
import { HelpdeskDirectory } from './helpdesk-directory';
import { LinksService } from './links.service';
import { UnlockReconciler } from './unlock.reconciler';
import { UnlockService } from './unlock.service';
import { UsersService } from './users.service';

/**
 * The helpdesk: user search and profile, cases (caller authentication), unlock with the start-up reconciler, explicit
 * account links, two-person break-glass for unenrolled users. Needs (global): APP_CONFIG, SECRETS, EVENT_STORE + ProjectionHost (with HELPDESK_PROJECTIONS),
 * SessionGuard, AccessService (PolicyModule), EnrollmentService (EnrollmentModule), Notifications, CqrsModule.forRoot().
 */
@Module({
  imports: [DirectoryModule],
  controllers: [UsersController, CasesController, BreakGlassController],
  providers: [
    HelpdeskReadModel,
    HelpdeskDirectory,
    CaseService,
    UnlockService,
    UsersService,
    LinksService,
    UnlockReconciler,
    BreakGlassService,
    ...HELPDESK_HANDLERS,
    ...BREAK_GLASS_HANDLERS,
  ],
  exports: [CaseService, UnlockService, HelpdeskReadModel, HelpdeskDirectory, UnlockReconciler],
})
export class HelpdeskModule {}
