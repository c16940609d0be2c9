/**
 * The helpdesk REST API: user search and profile, cases (caller authentication), unlock, explicit links.
 * Every route needs an agent session (SessionGuard; state changes also the X-CSRF-Token header). Bad input is
 * refused by the DTOs with 400 naming the field before anything is recorded.
 */
import { randomUUID } from 'node:crypto';
import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { Request, Response } from 'express';
import { RequirePermission } from '../policy/require-permission';
import type { Agent } from '../session/agent-directory';
import { CurrentSession, SessionGuard } from '../session/session.guard';
import type { Session } from '../session/session-store';
import { commaList, queryBoolean } from '../shared/http/query-transforms';
import { MAX_ACCOUNTS_PER_UNLOCK } from './case.decider';
import {
  AuthenticateCaller,
  ChangeAccountLink,
  GetCase,
  GetUserProfile,
  OpenCaseFor,
  SearchUsers,
  UnlockAccountsOf,
} from './helpdesk.commands';
import { helpdeskContext } from './helpdesk-context';
import type { UnlockAnswer } from './unlock.service';

export class UserSearchDto {
  @IsOptional()
  @IsString()
  @MaxLength(256)
  search?: string;

  /** One store id or several, comma-separated. */
  @IsOptional()
  @Transform(commaList)
  @IsArray()
  @IsString({ each: true })
  storeId?: string[];

  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  locked?: boolean;

  @IsOptional()
  @Transform(queryBoolean)
  @IsBoolean()
  enrolled?: boolean;

  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value))
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class AccountRefDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  storeId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  userId!: string;
}

export class UnlockDto {
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_ACCOUNTS_PER_UNLOCK)
  @ValidateNested({ each: true })
  @Type(() => AccountRefDto)
  accounts?: AccountRefDto[];

  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'caseId must be a case id' })
  caseId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  ticket?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  comment?: string;
}

export class SecurityAnswerDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  questionId!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  answer!: string;
}

export class SendCodeDto {
  @IsIn(['email', 'sms'])
  channel!: 'email' | 'sms';
}

export class VerifyCodeDto {
  @IsIn(['email', 'sms'])
  channel!: 'email' | 'sms';

  @IsString()
  @Matches(/^[0-9 -]{6,14}$/, { message: 'code must be the digits the user reads back' })
  code!: string;
}

export class AuthenticatorDto {
  @IsString()
  @Matches(/^[0-9 -]{6,10}$/, { message: 'code must be the digits shown in the authenticator app' })
  code!: string;
}

export class LinkDto extends AccountRefDto {
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  comment?: string;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

function idempotencyKey(req: Request): string {
  const header = req.get('idempotency-key');
  if (header === undefined) return randomUUID();
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new BadRequestException({
      statusCode: 400,
      reason: 'unlock.invalid',
      message: ['Idempotency-Key must be 1-200 visible ASCII characters'],
      fields: [{ field: 'Idempotency-Key', message: 'must be 1-200 visible ASCII characters' }],
    });
  }
  return header;
}

const agentOf = (session: Session): Agent => session.agent;

@Controller('users')
@UseGuards(SessionGuard)
export class UsersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  // Finding users and reading their profile needs a helpdesk role (any of these), not just a signed-in account.
  @Get()
  @RequirePermission('UnlockAccount', 'ViewHistory')
  search(@Query() q: UserSearchDto, @CurrentSession() session: Session, @Req() req: Request) {
    return this.queries.execute(
      new SearchUsers(helpdeskContext(agentOf(session), req), {
        search: q.search,
        storeIds: q.storeId,
        locked: q.locked,
        enrolled: q.enrolled,
        limit: q.limit,
      }),
    );
  }

  @Get(':storeId/:userId')
  @RequirePermission('UnlockAccount', 'ViewHistory')
  profile(
    @Param('storeId') storeId: string,
    @Param('userId') userId: string,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.queries.execute(new GetUserProfile(helpdeskContext(agentOf(session), req), storeId, userId));
  }

  @Post(':storeId/:userId/cases')
  openCase(
    @Param('storeId') storeId: string,
    @Param('userId') userId: string,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.commands.execute(new OpenCaseFor(helpdeskContext(agentOf(session), req), storeId, userId));
  }

  @Post(':storeId/:userId/unlock')
  async unlock(
    @Param('storeId') storeId: string,
    @Param('userId') userId: string,
    @Body() body: UnlockDto,
    @CurrentSession() session: Session,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const key = idempotencyKey(req);
    const ctx = helpdeskContext(agentOf(session), req);
    const answer: UnlockAnswer = await this.commands.execute(
      new UnlockAccountsOf(
        ctx,
        storeId,
        userId,
        {
          accounts: body.accounts?.map((a) => ({ storeId: a.storeId, userId: a.userId })),
          caseId: body.caseId,
          ticket: body.ticket,
          comment: body.comment,
        },
        key,
      ),
    );
    res.status(answer.status);
    res.setHeader('Idempotency-Key', key);
    res.setHeader('X-Correlation-Id', ctx.actor.correlationId);
    if (answer.replayed) res.setHeader('Idempotent-Replayed', 'true');
    return answer.body;
  }

  @Post(':storeId/:userId/links')
  @HttpCode(200)
  link(
    @Param('storeId') storeId: string,
    @Param('userId') userId: string,
    @Body() body: LinkDto,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.commands.execute(
      new ChangeAccountLink(
        helpdeskContext(agentOf(session), req),
        'LinkAccounts',
        { storeId, userId },
        { storeId: body.storeId, userId: body.userId },
        body.comment,
      ),
    );
  }

  @Delete(':storeId/:userId/links/:otherStoreId/:otherUserId')
  @HttpCode(200)
  unlink(
    @Param('storeId') storeId: string,
    @Param('userId') userId: string,
    @Param('otherStoreId') otherStoreId: string,
    @Param('otherUserId') otherUserId: string,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.commands.execute(
      new ChangeAccountLink(
        helpdeskContext(agentOf(session), req),
        'UnlinkAccounts',
        { storeId, userId },
        { storeId: otherStoreId, userId: otherUserId },
      ),
    );
  }
}

@Controller('cases')
@UseGuards(SessionGuard)
export class CasesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get(':caseId')
  get(@Param('caseId') caseId: string, @CurrentSession() session: Session, @Req() req: Request) {
    return this.queries.execute(new GetCase(helpdeskContext(agentOf(session), req), caseId));
  }

  @Post(':caseId/security-answers')
  @HttpCode(200)
  answer(
    @Param('caseId') caseId: string,
    @Body() body: SecurityAnswerDto,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.commands.execute(
      new AuthenticateCaller(helpdeskContext(agentOf(session), req), caseId, {
        type: 'answer',
        questionId: body.questionId,
        answer: body.answer,
      }),
    );
  }

  @Post(':caseId/codes')
  @HttpCode(200)
  sendCode(
    @Param('caseId') caseId: string,
    @Body() body: SendCodeDto,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.commands.execute(
      new AuthenticateCaller(helpdeskContext(agentOf(session), req), caseId, {
        type: 'sendCode',
        channel: body.channel,
      }),
    );
  }

  @Post(':caseId/codes/verify')
  @HttpCode(200)
  verifyCode(
    @Param('caseId') caseId: string,
    @Body() body: VerifyCodeDto,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.commands.execute(
      new AuthenticateCaller(helpdeskContext(agentOf(session), req), caseId, {
        type: 'verifyCode',
        channel: body.channel,
        code: body.code,
      }),
    );
  }

  @Post(':caseId/authenticator')
  @HttpCode(200)
  authenticator(
    @Param('caseId') caseId: string,
    @Body() body: AuthenticatorDto,
    @CurrentSession() session: Session,
    @Req() req: Request,
  ) {
    return this.commands.execute(
      new AuthenticateCaller(helpdeskContext(agentOf(session), req), caseId, {
        type: 'authenticator',
        code: body.code,
      }),
    );
  }
}
