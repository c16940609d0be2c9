import { Controller, Get } from '@nestjs/common';

@Controller('health')
export class HealthController {
  private readonly startedAt = new Date();

  @Get()
  health(): { status: 'ok'; startedAt: string; node: string } {
    return { status: 'ok', startedAt: this.startedAt.toISOString(), node: process.versions.node };
  }
}
