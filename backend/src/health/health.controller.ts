import { Controller, Get, HttpException, HttpStatus, Inject, Optional, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { hasSession, SESSION_CHECK, type SessionCheck } from '../session/session-check';
import { type Health, HealthService, type PublicHealth, publicHealth } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthService,
    @Optional() @Inject(SESSION_CHECK) private readonly sessions?: SessionCheck,
  ) {}

  /**
   * 200 when every essential part is up, 503 otherwise, with the same body. No session needed: load balancers and
   * monitors see each part's status. The details (error texts from the directories and the event store, latencies,
   * positions, projection lag, the Node version) go only to a signed-in agent: they describe the network and the
   * software to anyone who asks.
   */
  @Get()
  @ApiOperation({ summary: 'Event store, identity stores and projections; 503 when an essential part is down' })
  @ApiOkResponse({
    description:
      '{ status: "ok", eventStore, identityStores[], projections } (with a session also errors, latencies, lag, node)',
  })
  @ApiServiceUnavailableResponse({ description: 'Same body with status "down"' })
  async check(@Req() req: Request): Promise<Health | PublicHealth> {
    const health = await this.health.check();
    const body = hasSession(req, this.sessions) ? health : publicHealth(health);
    if (health.status !== 'ok') throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }
}
