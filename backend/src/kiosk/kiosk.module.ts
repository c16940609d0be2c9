import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { HelpdeskModule } from '../helpdesk/helpdesk.module';
import { KIOSK_HANDLERS } from './kiosk.commands';
import { KioskDeviceController, KioskSessionsController, KiosksController } from './kiosk.controller';
import { KioskReadModel } from './kiosk.read-model';
import { KioskService } from './kiosk.service';
import { KioskDeviceGuard } from './kiosk-device.guard';
import { KioskEnrollmentController } from './kiosk-enrollment.controller';
import { KioskEnrollmentService } from './kiosk-enrollment.service';
import { KioskSessionService } from './kiosk-session.service';

/**
 * Walk-up kiosks: the registry (register/activate/revoke), "I'm locked out" sessions claimed by an agent, verification
 * typed at the kiosk through the helpdesk's CaseService. Needs (global): APP_CONFIG, SECRETS, EVENT_STORE +
 * ProjectionHost (with KIOSK_PROJECTIONS), SessionGuard, AccessService (PolicyModule), CqrsModule.forRoot().
 */
@Module({
  imports: [DirectoryModule, HelpdeskModule],
  controllers: [KiosksController, KioskSessionsController, KioskDeviceController, KioskEnrollmentController],
  providers: [
    KioskReadModel,
    KioskService,
    KioskSessionService,
    KioskDeviceGuard,
    KioskEnrollmentService,
    ...KIOSK_HANDLERS,
  ],
})
export class KioskModule {}
