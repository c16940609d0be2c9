import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 8080);
  const host = process.env.HOST ?? '127.0.0.1';
  const app = await createApp();
  app.enableShutdownHooks();
  await app.listen(port, host);
  Logger.log(`Unlock Desk listening on http://${host}:${port}`, 'Bootstrap');
}

main().catch((err: unknown) => {
  // Start-up failures (bad configuration, unreachable event store) end the process with a clear message.
  Logger.error(err instanceof Error ? err.message : String(err), 'Bootstrap');
  process.exit(1);
});
