import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { type Health, HealthService } from './health.service';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** 200 with the details when every essential part is up, 503 with the same body otherwise. No session needed. */
  @Get()
  @ApiOperation({ summary: 'Event store, identity stores and projections; 503 when an essential part is down' })
  @ApiOkResponse({ description: '{ status: "ok", startedAt, node, eventStore, identityStores[], projections }' })
  @ApiServiceUnavailableResponse({ description: 'Same body with status "down"' })
  async check(): Promise<Health> {
    const health = await this.health.check();
    if (health.status !== 'ok') throw new HttpException(health, HttpStatus.SERVICE_UNAVAILABLE);
    return health;
  }
}
