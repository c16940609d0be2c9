import { Global, Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { EnrollmentController } from './enrollment.controller';
import { EnrollmentImport } from './enrollment.import';
import { EnrollmentService } from './enrollment.service';

/**
 * Enrollment: EnrollmentService (state for the case handlers, enrolled types for lists, enroll/import), the
 * `enrollments` read model, `POST /api/enrollments/import` and `GET /api/users/:storeId/:userId/enrollment`. Global.
 * Needs (global): APP_CONFIG, SECRETS, EVENT_STORE + ProjectionHost (with `enrollmentsProjection`), PolicyModule.
 */
@Global()
@Module({
  imports: [DirectoryModule],
  controllers: [EnrollmentController],
  providers: [EnrollmentService, EnrollmentImport],
  exports: [EnrollmentService],
})
export class EnrollmentModule {}
