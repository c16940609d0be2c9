// Collects everything Nest's Logger prints during a test (call it after Test.createTestingModule().compile(), which
// replaces the logger), so tests can assert that no code or body leaks into logs.
import { Logger, type LoggerService } from '@nestjs/common';

export function captureLogs(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const push =
    (level: string) =>
    (...args: unknown[]) => {
      lines.push(`${level} ${args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(' ')}`);
    };
  const logger: LoggerService = {
    log: push('log'),
    error: push('error'),
    warn: push('warn'),
    debug: push('debug'),
    verbose: push('verbose'),
    fatal: push('fatal'),
  };
  // Nest keeps the current logger in a static field; put back exactly what was there (the TestingModule swaps it too).
  const previous = (Logger as unknown as { staticInstanceRef?: LoggerService }).staticInstanceRef;
  Logger.overrideLogger(logger);
  return {
    lines,
    restore: () => Logger.overrideLogger(previous ?? false),
  };
}
