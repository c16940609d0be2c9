import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { APP_CONFIG } from './config/config.module';
import type { AppConfig } from './config/config.types';

async function main(): Promise<void> {
  const app = await createApp();
  app.enableShutdownHooks();
  const { server } = app.get<AppConfig>(APP_CONFIG);
  await app.listen(server.port, server.host);
  Logger.log(`Unlock Desk listening on http://${server.host}:${server.port}`, 'Bootstrap');
}

main().catch((err: unknown) => {
  // Start-up failures (bad configuration, unreachable event store) end the process with a clear message.
  Logger.error(err instanceof Error ? err.message : String(err), 'Bootstrap');
  process.exit(1);
});
