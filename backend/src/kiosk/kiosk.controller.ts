/**
 * The kiosk REST API. Thin: DTOs refuse bad input with 400 naming the field, the handlers in kiosk.commands.ts route to
 * the services. Admin side (`/api/kiosks`, `/api/kiosk-sessions`): an agent session, X-CSRF-Token on changes, Manage
 * Kiosks / Unlock Account. Device side (`/api/kiosk/*`): the kiosk's `ud_kiosk` cookie, X-Kiosk-CSRF on changes.
 */
import { Body, Controller, Get, HttpCode, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiGoneResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { Request, Response } from 'express';
import { helpdeskContext } from '../helpdesk/helpdesk-context';
import { RequirePermission } from '../policy/require-permission';
import { CurrentSession, SessionGuard } from '../session/session.guard';
import type { Session } from '../session/session-store';
import {
  ActivateKioskDevice,
  ClaimKioskSessionFor,
  EndKioskSessionAsAgent,
  EndKioskSessionAtKiosk,
  GetKioskSession,
  ListKiosks,
  ListWaitingKioskSessions,
  RegisterKioskFor,
  RevokeKioskFor,
  StartKioskSessionAt,
  VerifyAtKiosk,
} from './kiosk.commands';
import type { KioskDevice } from './kiosk.service';
import { setKioskCookie } from './kiosk-device';
import { CurrentKiosk, KioskDeviceGuard } from './kiosk-device.guard';

export class RegisterKioskDto {
  @ApiProperty({ minLength: 1, maxLength: 80 })
  @IsString()
  @Matches(/\S/, { message: 'name must not be blank' })
  @MaxLength(80)
  name!: string;

  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  location?: string;

  @ApiProperty({ description: 'The identity store whose users use this kiosk' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  storeId!: string;
}

export class RevokeKioskDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}

export class ClaimDto {
  @ApiProperty({ description: 'The session code the person reads out from the kiosk screen (6 characters)' })
  @IsString()
  @Matches(/^[A-Za-z0-9 -]{6,12}$/, { message: 'code must be the 6-character code shown on the kiosk' })
  code!: string;
}

export class ActivateDto {
  @ApiProperty({ description: 'The one-time activation code an administrator got when registering the kiosk' })
  @IsString()
  @Matches(/^[A-Za-z0-9 -]{8,16}$/, { message: 'code must be the 8-character activation code' })
  code!: string;
}

export class StartSessionDto {
  @ApiProperty({ minLength: 1, maxLength: 256 })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  @Matches(/\S/, { message: 'username must not be blank' })
  username!: string;
}

export class KioskAnswerDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  questionId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  answer!: string;
}

export class KioskCodeDto {
  @IsIn(['email', 'sms'])
  channel!: 'email' | 'sms';

  @IsString()
  @Matches(/^[0-9 -]{6,14}$/, { message: 'code must be the digits of the code you received' })
  code!: string;
}

/** A code from an authenticator app (the kiosk's verification step and its enrollment confirmation). */
export class KioskAuthenticatorDto {
  @ApiProperty({ description: 'The 6 digits the authenticator app shows' })
  @IsString()
  @Matches(/^[0-9 -]{6,10}$/, { message: 'code must be the digits shown in the authenticator app' })
  code!: string;
}

/** OpenAPI: an error answer whose `reason` is one of `codes` (also used by the kiosk enrollment routes). */
export const REASON = (codes: string) => ({
  description: `\`reason\` is one of ${codes}`,
  schema: {
    type: 'object',
    properties: { statusCode: { type: 'number' }, reason: { type: 'string' }, message: { type: 'string' } },
  },
});
const KIOSK_VIEW = {
  type: 'object',
  properties: {
    kioskId: { type: 'string' },
    name: { type: 'string' },
    location: { type: 'string', nullable: true },
    storeId: { type: 'string' },
    status: { type: 'string', enum: ['awaiting-activation', 'active', 'revoked'] },
    registeredAt: { type: 'string', format: 'date-time' },
    activatedAt: { type: 'string', format: 'date-time', nullable: true },
    revokedAt: { type: 'string', format: 'date-time', nullable: true },
    lastSeenAt: { type: 'string', format: 'date-time', nullable: true },
  },
};
const STEP_RESULT = {
  type: 'object',
  properties: {
    outcome: { type: 'string', enum: ['verified', 'rejected', 'locked'] },
    reason: { type: 'string' },
    message: { type: 'string' },
    attemptsLeft: { type: 'number' },
    lockedUntil: { type: 'string', format: 'date-time' },
    verification: { type: 'object', description: 'As in GET /api/kiosk/sessions/{sessionId}' },
  },
};

@ApiTags('kiosks')
@ApiCookieAuth('ud_session')
@Controller('kiosks')
@UseGuards(SessionGuard)
@RequirePermission('ManageKiosks')
export class KiosksController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Register a kiosk; the one-time activation code is in this answer only' })
  @ApiBody({ type: RegisterKioskDto })
  @ApiCreatedResponse({
    schema: {
      type: 'object',
      properties: {
        kiosk: KIOSK_VIEW,
        activationCode: { type: 'string' },
        activationExpiresAt: { type: 'string', format: 'date-time' },
      },
    },
  })
  register(@Body() body: RegisterKioskDto, @CurrentSession() session: Session, @Req() req: Request) {
    return this.commands.execute(
      new RegisterKioskFor(helpdeskContext(session.agent, req), {
        name: body.name,
        ...(body.location !== undefined ? { location: body.location } : {}),
        storeId: body.storeId,
      }),
    );
  }

  @Get()
  @ApiOperation({ summary: 'Registered kiosks' })
  @ApiOkResponse({ schema: { type: 'object', properties: { kiosks: { type: 'array', items: KIOSK_VIEW } } } })
  list() {
    return this.queries.execute(new ListKiosks());
  }

  @Post(':kioskId/revoke')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revoke a kiosk: its device is refused from its next request on, its waiting sessions end' })
  @ApiBody({ type: RevokeKioskDto })
  @ApiOkResponse({ schema: { type: 'object', properties: { kiosk: KIOSK_VIEW } } })
  @ApiNotFoundResponse(REASON('kiosk.notFound'))
  revoke(
    @Param('kioskId') kioskId: string,
    @Body() body: RevokeKioskDto,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.commands.execute(new RevokeKioskFor(helpdeskContext(session.agent, req), kioskId, body.reason));
  }
}

@ApiTags('kiosk-sessions')
@ApiCookieAuth('ud_session')
@Controller('kiosk-sessions')
@UseGuards(SessionGuard)
export class KioskSessionsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @RequirePermission('UnlockAccount')
  @ApiOperation({ summary: 'Kiosk sessions waiting for an agent, oldest first (without their codes)' })
  waiting() {
    return this.queries.execute(new ListWaitingKioskSessions());
  }

  @Post('claim')
  @HttpCode(200)
  @RequirePermission('UnlockAccount')
  @ApiOperation({ summary: 'Claim the waiting kiosk session with the code the person reads out; opens a case' })
  @ApiBody({ type: ClaimDto })
  @ApiNotFoundResponse(REASON('kiosk.codeUnknown (not recorded)'))
  @ApiConflictResponse(REASON('kiosk.noSuchUser, kiosk.alreadyClaimed (recorded)'))
  @ApiForbiddenResponse(REASON('the case-opening reason (helpdesk.outOfScope, …), recorded in the case'))
  claim(@Body() body: ClaimDto, @CurrentSession() session: Session, @Req() req: Request) {
    return this.commands.execute(new ClaimKioskSessionFor(helpdeskContext(session.agent, req), body.code));
  }

  @Post(':sessionId/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End the kiosk session you claimed' })
  @ApiForbiddenResponse(REASON('kiosk.notYours'))
  @ApiConflictResponse(REASON('kiosk.sessionNotClaimed'))
  end(@Param('sessionId') sessionId: string, @CurrentSession() session: Session, @Req() req: Request) {
    return this.commands.execute(new EndKioskSessionAsAgent(helpdeskContext(session.agent, req), sessionId));
  }
}

@ApiTags('kiosk-device')
@ApiCookieAuth('ud_kiosk')
@Controller('kiosk')
export class KioskDeviceController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('activate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Activate this device as a kiosk with its one-time code (sets the ud_kiosk cookie)' })
  @ApiBody({ type: ActivateDto })
  @ApiUnauthorizedResponse(REASON('kiosk.activationRefused (wrong, expired or used code alike)'))
  @ApiTooManyRequestsResponse(REASON('kiosk.rateLimited, with retryAfterSeconds'))
  async activate(@Body() body: ActivateDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const r: { kiosk: { kioskId: string; name: string }; csrfToken: string; token: string } =
      await this.commands.execute(new ActivateKioskDevice(req, body.code));
    setKioskCookie(req, res, r.token);
    return { kiosk: r.kiosk, csrfToken: r.csrfToken };
  }

  @Get('device')
  @UseGuards(KioskDeviceGuard)
  @ApiOperation({ summary: 'This kiosk and its CSRF token' })
  @ApiUnauthorizedResponse(REASON('kiosk.notActivated, kiosk.revoked'))
  device(@CurrentKiosk() device: KioskDevice) {
    return { kiosk: { kioskId: device.kioskId, name: device.name }, csrfToken: device.csrfToken };
  }

  @Post('sessions')
  @UseGuards(KioskDeviceGuard)
  @ApiOperation({ summary: '"I\'m locked out": start a session for the typed username (same answer if unknown)' })
  @ApiBody({ type: StartSessionDto })
  @ApiCreatedResponse({
    schema: {
      type: 'object',
      properties: {
        sessionId: { type: 'string' },
        code: { type: 'string' },
        expiresAt: { type: 'string', format: 'date-time' },
      },
    },
  })
  @ApiTooManyRequestsResponse(REASON('kiosk.rateLimited, with retryAfterSeconds'))
  start(@Body() body: StartSessionDto, @CurrentKiosk() device: KioskDevice, @Req() req: Request) {
    return this.commands.execute(new StartKioskSessionAt(device, req, body.username));
  }

  @Get('sessions/:sessionId')
  @UseGuards(KioskDeviceGuard)
  @ApiOperation({ summary: "This kiosk's session: status, code while waiting, questions and progress once claimed" })
  @ApiNotFoundResponse(REASON('kiosk.sessionNotFound'))
  session(@Param('sessionId') sessionId: string, @CurrentKiosk() device: KioskDevice) {
    return this.queries.execute(new GetKioskSession(device, sessionId));
  }

  @Post('sessions/:sessionId/answers')
  @HttpCode(200)
  @UseGuards(KioskDeviceGuard)
  @ApiOperation({ summary: 'Answer a security question at the kiosk' })
  @ApiBody({ type: KioskAnswerDto })
  @ApiOkResponse({ schema: STEP_RESULT })
  @ApiConflictResponse(REASON('kiosk.sessionNotClaimed'))
  @ApiGoneResponse(REASON('kiosk.sessionOver'))
  answer(
    @Param('sessionId') sessionId: string,
    @Body() body: KioskAnswerDto,
    @CurrentKiosk() device: KioskDevice,
    @Req() req: Request,
  ) {
    return this.commands.execute(
      new VerifyAtKiosk(device, req, sessionId, { type: 'answer', questionId: body.questionId, answer: body.answer }),
    );
  }

  @Post('sessions/:sessionId/codes/verify')
  @HttpCode(200)
  @UseGuards(KioskDeviceGuard)
  @ApiOperation({ summary: 'Enter the e-mail or SMS code the agent sent' })
  @ApiBody({ type: KioskCodeDto })
  @ApiOkResponse({ schema: STEP_RESULT })
  @ApiConflictResponse(REASON('kiosk.sessionNotClaimed'))
  @ApiGoneResponse(REASON('kiosk.sessionOver'))
  verifyCode(
    @Param('sessionId') sessionId: string,
    @Body() body: KioskCodeDto,
    @CurrentKiosk() device: KioskDevice,
    @Req() req: Request,
  ) {
    return this.commands.execute(
      new VerifyAtKiosk(device, req, sessionId, { type: 'verifyCode', channel: body.channel, code: body.code }),
    );
  }

  @Post('sessions/:sessionId/authenticator')
  @HttpCode(200)
  @UseGuards(KioskDeviceGuard)
  @ApiOperation({ summary: 'Enter the authenticator app code' })
  @ApiBody({ type: KioskAuthenticatorDto })
  @ApiOkResponse({ schema: STEP_RESULT })
  @ApiConflictResponse(REASON('kiosk.sessionNotClaimed'))
  @ApiGoneResponse(REASON('kiosk.sessionOver'))
  authenticator(
    @Param('sessionId') sessionId: string,
    @Body() body: KioskAuthenticatorDto,
    @CurrentKiosk() device: KioskDevice,
    @Req() req: Request,
  ) {
    return this.commands.execute(new VerifyAtKiosk(device, req, sessionId, { type: 'authenticator', code: body.code }));
  }

  @Post('sessions/:sessionId/end')
  @HttpCode(200)
  @UseGuards(KioskDeviceGuard)
  @ApiOperation({ summary: 'End the session (the person walked away, inactivity reset, done)' })
  end(@Param('sessionId') sessionId: string, @CurrentKiosk() device: KioskDevice, @Req() req: Request) {
    return this.commands.execute(new EndKioskSessionAtKiosk(device, req, sessionId));
  }
}
