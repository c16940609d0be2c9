import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { clearSessionCookie, setSessionCookie } from './cookies';
import { type AuthenticatedRequest, CurrentSession, SessionGuard } from './session.guard';
import { requestContext, SessionService } from './session.service';
import type { Session } from './session-store';

export class SignInDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  storeId?: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  username: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  password: string;
}

const view = (session: Session) => ({
  agent: session.agent,
  csrfToken: session.csrfToken,
  expiresAt: new Date(session.expiresAt).toISOString(),
});

/** Agent sign-in with directory credentials; the session lives in an HttpOnly, SameSite=Strict cookie. */
@Controller('session')
export class SessionController {
  constructor(private readonly sessions: SessionService) {}

  @Get('stores')
  stores() {
    return this.sessions.signInStores();
  }

  @Post()
  @HttpCode(200)
  async signIn(@Body() dto: SignInDto, @Req() req: Request, @Res({ passthrough: true }) res: Response) {
    const { token, session } = await this.sessions.signIn(dto.storeId, dto.username, dto.password, requestContext(req));
    setSessionCookie(req, res, token, session.expiresAt);
    return view(session);
  }

  @Get()
  @UseGuards(SessionGuard)
  current(@CurrentSession() session: Session) {
    return view(session);
  }

  @Delete()
  @HttpCode(204)
  @UseGuards(SessionGuard)
  async signOut(@Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.sessions.signOut(req.sessionToken, req.session, requestContext(req));
    clearSessionCookie(req, res);
  }
}
