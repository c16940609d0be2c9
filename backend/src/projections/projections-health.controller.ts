import { Controller, Get, HttpException, HttpStatus, Inject, Optional, Req } from '@nestjs/common';
import type { Request } from 'express';
import { hasSession, SESSION_CHECK, type SessionCheck } from '../session/session-check';
import { ProjectionHost } from './projection-host';
import type { ProjectionHealth } from './projection-runner';

type PublicProjectionHealth = Pick<ProjectionHealth, 'name' | 'status' | 'caughtUp' | 'rebuilding'>;

@Controller('health/projections')
export class ProjectionsHealthController {
  constructor(
    private readonly runner: ProjectionHost,
    @Optional() @Inject(SESSION_CHECK) private readonly sessions?: SessionCheck,
  ) {}

  /**
   * Per read model: checkpoint position, head, lag (events behind the head), whether it has caught up, and the error
   * of a failed one. 200 when none has failed, 503 otherwise (body unchanged), so a load balancer can use it. Without
   * an agent session only the name, status, caughtUp and rebuilding of each (as /api/health: no internals to anyone).
   */
  @Get()
  async projections(
    @Req() req: Request,
  ): Promise<{ status: 'ok' | 'failed'; projections: (ProjectionHealth | PublicProjectionHealth)[] }> {
    const all = await this.runner.health();
    const failed = all.some((p) => p.status === 'failed');
    const projections = hasSession(req, this.sessions)
      ? all
      : all.map(({ name, status, caughtUp, rebuilding }) => ({ name, status, caughtUp, rebuilding }));
    const body = { status: failed ? ('failed' as const) : ('ok' as const), projections };
    if (failed) throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }
}
