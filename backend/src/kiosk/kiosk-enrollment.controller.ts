/**
 * The kiosk's "Set up how we can verify you" API (`/api/kiosk/enrollment/*`): the kiosk's `ud_kiosk` cookie and
 * X-Kiosk-CSRF on every change, like the other device routes. DTOs refuse malformed input with 400 naming the field;
 * KioskEnrollmentService does the rest.
 */
import { Body, Controller, HttpCode, Param, Post, Put, Req, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiGoneResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsString, MaxLength, ValidateNested } from 'class-validator';
import type { Request } from 'express';
import { KioskAuthenticatorDto, REASON } from './kiosk.controller';
import type { KioskDevice } from './kiosk.service';
import { CurrentKiosk, KioskDeviceGuard } from './kiosk-device.guard';
import { KioskEnrollmentService } from './kiosk-enrollment.service';

export class EnrollmentSignInDto {
  @ApiProperty({ maxLength: 256 })
  @IsString()
  @MaxLength(256)
  username!: string;

  @ApiProperty({ maxLength: 256, description: 'The directory password (used for one bind, never kept)' })
  @IsString()
  @MaxLength(256)
  password!: string;
}

export class EnrollmentQuestionDto {
  @ApiProperty({ description: 'One of questionChoices' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  question!: string;

  @ApiProperty({ description: 'At least 3 characters after normalising (case, spacing)' })
  @IsString()
  @MaxLength(200)
  answer!: string;
}

export class EnrollmentQuestionsDto {
  @ApiProperty({ type: [EnrollmentQuestionDto], description: '3 different questions from questionChoices' })
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => EnrollmentQuestionDto)
  questions!: EnrollmentQuestionDto[];
}

const ENROLLED = {
  type: 'object',
  properties: {
    types: { type: 'array', items: { type: 'string' } },
    securityQuestions: {
      type: 'array',
      items: { type: 'object', properties: { questionId: { type: 'string' }, text: { type: 'string' } } },
    },
    maskedEmail: { type: 'string', nullable: true },
    maskedPhone: { type: 'string', nullable: true },
  },
};

@ApiTags('kiosk-device')
@ApiCookieAuth('ud_kiosk')
@Controller('kiosk/enrollment')
@UseGuards(KioskDeviceGuard)
export class KioskEnrollmentController {
  constructor(private readonly enrollment: KioskEnrollmentService) {}

  @Post('sign-in')
  @HttpCode(200)
  @ApiOperation({ summary: 'Prove yourself with your directory password to set up verification methods' })
  @ApiBody({ type: EnrollmentSignInDto })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        enrollmentId: { type: 'string' },
        displayName: { type: 'string' },
        enrolled: ENROLLED,
        questionChoices: { type: 'array', items: { type: 'string' } },
      },
    },
  })
  @ApiUnauthorizedResponse(REASON('kiosk.signInRefused (unknown user, wrong password and locked account alike)'))
  @ApiTooManyRequestsResponse(REASON('kiosk.rateLimited, with retryAfterSeconds'))
  signIn(@Body() body: EnrollmentSignInDto, @CurrentKiosk() device: KioskDevice, @Req() req: Request) {
    return this.enrollment.signIn(device, req, body.username, body.password);
  }

  @Put(':enrollmentId/security-questions')
  @ApiOperation({ summary: 'Set three security questions (replaces the enrolled ones)' })
  @ApiBody({ type: EnrollmentQuestionsDto })
  @ApiOkResponse({ schema: { type: 'object', properties: { enrolled: ENROLLED } } })
  @ApiGoneResponse(REASON('kiosk.enrollmentOver'))
  setQuestions(
    @Param('enrollmentId') enrollmentId: string,
    @Body() body: EnrollmentQuestionsDto,
    @CurrentKiosk() device: KioskDevice,
    @Req() req: Request,
  ) {
    return this.enrollment.setSecurityQuestions(device, req, enrollmentId, body.questions);
  }

  @Post(':enrollmentId/authenticator')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new authenticator seed to add to the app (recorded only once a code confirms it)' })
  @ApiOkResponse({
    schema: { type: 'object', properties: { secret: { type: 'string' }, otpauthUrl: { type: 'string' } } },
  })
  @ApiGoneResponse(REASON('kiosk.enrollmentOver'))
  startAuthenticator(@Param('enrollmentId') enrollmentId: string, @CurrentKiosk() device: KioskDevice) {
    return this.enrollment.startAuthenticator(device, enrollmentId);
  }

  @Post(':enrollmentId/authenticator/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm the app with the code it shows; then the (encrypted) seed is enrolled' })
  @ApiBody({ type: KioskAuthenticatorDto })
  @ApiOkResponse({ schema: { type: 'object', properties: { enrolled: ENROLLED } } })
  @ApiConflictResponse(REASON('kiosk.noAuthenticatorPending, kiosk.authenticatorTriesUsed'))
  @ApiGoneResponse(REASON('kiosk.enrollmentOver'))
  confirmAuthenticator(
    @Param('enrollmentId') enrollmentId: string,
    @Body() body: KioskAuthenticatorDto,
    @CurrentKiosk() device: KioskDevice,
    @Req() req: Request,
  ) {
    return this.enrollment.confirmAuthenticator(device, req, enrollmentId, body.code);
  }

  @Post(':enrollmentId/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'Done, start over or inactivity: the enrollment grant is dropped' })
  end(@Param('enrollmentId') enrollmentId: string, @CurrentKiosk() device: KioskDevice) {
    return this.enrollment.end(device, enrollmentId);
  }
}
