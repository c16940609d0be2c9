import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { ProjectionHost } from './projection-host';
import type { ProjectionHealth } from './projection-runner';

@Controller('health/projections')
export class ProjectionsHealthController {
  constructor(private readonly runner: ProjectionHost) {}

  /**
   * Per read model: checkpoint position, head, lag (events behind the head) and whether it has caught up.
   * 200 when none has failed, 503 otherwise (body unchanged), so a load balancer can use it.
   */
  @Get()
  async projections(): Promise<{ status: 'ok' | 'failed'; projections: ProjectionHealth[] }> {
    const projections = await this.runner.health();
    const failed = projections.some((p) => p.status === 'failed');
    const body = { status: failed ? ('failed' as const) : ('ok' as const), projections };
    if (failed) throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }
}
