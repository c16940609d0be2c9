/**
 * Two-person break-glass REST API (unenrolled users). Thin: DTOs refuse bad input with 400 naming the field, the
 * handlers in break-glass.service.ts do the rest. Every route needs an agent session; the POSTs also the session's
 * X-CSRF-Token header. Recorded refusals answer 403 (who is asking) or 409 (the request's state) with `reason`.
 */
import { Body, Controller, Get, HttpCode, Param, Post, Req, UseGuards } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  ApiBody,
  ApiConflictResponse,
  ApiCookieAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { Request } from 'express';
import { RequirePermission } from '../policy/require-permission';
import { CurrentSession, SessionGuard } from '../session/session.guard';
import type { Session } from '../session/session-store';
import { DecideBreakGlassFor, ListPendingBreakGlass, RequestBreakGlassFor } from './break-glass.service';
import { helpdeskContext } from './helpdesk-context';

export class BreakGlassRequestDto {
  @ApiProperty({ minLength: 10, maxLength: 1000, description: 'Why the user cannot be authenticated (trimmed)' })
  @IsString()
  @MinLength(10)
  @MaxLength(1000)
  reason!: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  ticket?: string;
}

export class BreakGlassDecisionDto {
  @ApiPropertyOptional({
    maxLength: 64,
    description:
      'The request you read (requestId from GET /api/break-glass); if the case now has another request, the decision is refused breakGlass.notPending',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  requestId?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  comment?: string;
}

const AGENT_SCHEMA = {
  type: 'object',
  properties: { storeId: { type: 'string' }, userId: { type: 'string' }, displayName: { type: 'string' } },
};
const BREAK_GLASS_SCHEMA = {
  type: 'object',
  nullable: true,
  properties: {
    requestId: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'approved', 'denied', 'expired'] },
    requestedBy: AGENT_SCHEMA,
    reason: { type: 'string' },
    ticket: { type: 'string', nullable: true },
    requestedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    decidedBy: AGENT_SCHEMA,
    decidedAt: { type: 'string', format: 'date-time' },
    comment: { type: 'string', nullable: true },
    validUntil: { type: 'string', format: 'date-time', description: 'Approved: the unlock may rely on it until then' },
  },
};
const ANSWER_SCHEMA = { type: 'object', properties: { caseId: { type: 'string' }, breakGlass: BREAK_GLASS_SCHEMA } };
const PENDING_SCHEMA = {
  type: 'object',
  properties: {
    requests: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          caseId: { type: 'string' },
          requestId: { type: 'string' },
          subject: AGENT_SCHEMA,
          requestedBy: AGENT_SCHEMA,
          reason: { type: 'string' },
          ticket: { type: 'string', nullable: true },
          requestedAt: { type: 'string', format: 'date-time' },
          expiresAt: { type: 'string', format: 'date-time' },
          canDecide: { type: 'boolean' },
          whyNot: { type: 'string', description: 'Why this agent may not decide it (absent when canDecide)' },
          whyNotCode: { type: 'string', description: 'The reason code of whyNot' },
        },
      },
    },
  },
};
const REFUSAL = (codes: string) => ({
  description: `Refused and recorded; \`reason\` is one of ${codes}`,
  schema: {
    type: 'object',
    properties: { statusCode: { type: 'number' }, reason: { type: 'string' }, message: { type: 'string' } },
  },
});

@ApiTags('break-glass')
@ApiCookieAuth('ud_session')
@Controller()
@UseGuards(SessionGuard)
export class BreakGlassController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post('cases/:caseId/break-glass')
  @ApiOperation({
    summary: "Ask a second agent to approve unlocking this case's unenrolled user (the case's own agent only)",
  })
  @ApiBody({ type: BreakGlassRequestDto })
  @ApiCreatedResponse({ schema: ANSWER_SCHEMA })
  @ApiForbiddenResponse(REFUSAL('case.notYours, helpdesk.noRole, helpdesk.permissionDenied, helpdesk.outOfScope'))
  @ApiConflictResponse(REFUSAL('breakGlass.notNeeded, breakGlass.alreadyRequested, case.closed'))
  request(
    @Param('caseId') caseId: string,
    @Body() body: BreakGlassRequestDto,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.commands.execute(
      new RequestBreakGlassFor(helpdeskContext(session.agent, req), caseId, {
        reason: body.reason,
        ...(body.ticket !== undefined ? { ticket: body.ticket } : {}),
      }),
    );
  }

  @Get('break-glass')
  @RequirePermission('UnlockAccount')
  @ApiOperation({ summary: 'Pending, unexpired break-glass requests, newest first, with whether you may decide each' })
  @ApiOkResponse({ schema: PENDING_SCHEMA })
  pending(@CurrentSession() session: Session, @Req() req: Request) {
    return this.queries.execute(new ListPendingBreakGlass(helpdeskContext(session.agent, req)));
  }

  @Post('break-glass/:caseId/approve')
  @HttpCode(200)
  @ApiOperation({ summary: "Approve the case's pending break-glass request (a second agent with Unlock Any Account)" })
  @ApiBody({ type: BreakGlassDecisionDto })
  @ApiOkResponse({ schema: ANSWER_SCHEMA })
  @ApiForbiddenResponse(
    REFUSAL('breakGlass.samePerson, breakGlass.permissionDenied, helpdesk.outOfScope, helpdesk.selfService'),
  )
  @ApiConflictResponse(REFUSAL('breakGlass.notPending, breakGlass.expired, case.closed'))
  approve(
    @Param('caseId') caseId: string,
    @Body() body: BreakGlassDecisionDto,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.commands.execute(
      new DecideBreakGlassFor(helpdeskContext(session.agent, req), caseId, 'approve', body.comment, body.requestId),
    );
  }

  @Post('break-glass/:caseId/deny')
  @HttpCode(200)
  @ApiOperation({ summary: "Deny the case's pending break-glass request (same rules as approving)" })
  @ApiBody({ type: BreakGlassDecisionDto })
  @ApiOkResponse({ schema: ANSWER_SCHEMA })
  @ApiForbiddenResponse(
    REFUSAL('breakGlass.samePerson, breakGlass.permissionDenied, helpdesk.outOfScope, helpdesk.selfService'),
  )
  @ApiConflictResponse(REFUSAL('breakGlass.notPending, breakGlass.expired, case.closed'))
  deny(
    @Param('caseId') caseId: string,
    @Body() body: BreakGlassDecisionDto,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.commands.execute(
      new DecideBreakGlassFor(helpdeskContext(session.agent, req), caseId, 'deny', body.comment, body.requestId),
    );
  }
}
