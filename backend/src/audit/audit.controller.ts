import { once } from 'node:events';
import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiCookieAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import type { Response } from 'express';
import { AUDIT_PAGE_SCHEMA } from '../history/history.schema';
import { CURSOR_PATTERN } from '../history/read-model-names';
import { RequirePermission } from '../policy/require-permission';
import type { AuditFilter } from '../projections/audit.projection';
import { OUTCOMES } from '../projections/helpdesk-facts';
import { type AuditPage, AuditService } from './audit.service';
import { CSV_BOM, csvHeader, csvRow, jsonRow } from './audit-export';

const ACTION_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{0,99}$/;

export class AuditFilterDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound of the event time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive upper bound of the event time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ description: 'Identity store id of the subject' })
  @IsOptional()
  @MaxLength(128)
  store?: string;

  @ApiPropertyOptional({ description: 'Actor id: <storeId>:<userId>, system, anonymous:<ip>' })
  @IsOptional()
  @MaxLength(300)
  actor?: string;

  @ApiPropertyOptional({ description: 'Subject key: <storeId>:<userId>' })
  @IsOptional()
  @MaxLength(300)
  subject?: string;

  @ApiPropertyOptional({ description: 'Action code, e.g. unlock.succeeded (or event.<Type> for other events)' })
  @IsOptional()
  @Matches(ACTION_PATTERN, { message: 'action must be an action code such as unlock.succeeded' })
  action?: string;

  @ApiPropertyOptional({ enum: OUTCOMES })
  @IsOptional()
  @IsIn(OUTCOMES, { message: `outcome must be one of ${OUTCOMES.join(', ')}` })
  outcome?: string;
}

export class AuditQueryDto extends AuditFilterDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ description: '`nextCursor` of the previous page (older events)' })
  @IsOptional()
  @Matches(CURSOR_PATTERN, { message: 'cursor must be the nextCursor of a previous page' })
  cursor?: string;
}

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson'] as const;

export class AuditExportDto extends AuditFilterDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'csv' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: `format must be one of ${EXPORT_FORMATS.join(', ')}` })
  format?: (typeof EXPORT_FORMATS)[number];
}

function filterOf(q: AuditFilterDto): AuditFilter {
  return {
    from: q.from ? new Date(q.from) : undefined,
    to: q.to ? new Date(q.to) : undefined,
    store: q.store,
    actor: q.actor,
    subject: q.subject,
    action: q.action,
    outcome: q.outcome,
  };
}

/** The audit log (View Audit): every event with its hash-chain link, filtered, paged, exported and verified. */
@ApiTags('audit')
@ApiCookieAuth('ud_session')
@Controller('audit')
@RequirePermission('ViewAudit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('events')
  @ApiOperation({ summary: 'Audit events, newest first, filtered (AND) and paged by cursor' })
  @ApiOkResponse({ schema: AUDIT_PAGE_SCHEMA })
  events(@Query() q: AuditQueryDto): AuditPage {
    return this.audit.page({
      ...filterOf(q),
      limit: q.limit ?? 100,
      beforePosition: q.cursor === undefined ? undefined : BigInt(q.cursor),
    });
  }

  @Get('export')
  @ApiOperation({
    summary: 'Export the filtered audit log, oldest first (chain order), with every hash-chain link',
    description:
      'csv: header row, RFC 4180 quoting, UTF-8 with BOM. json: an array. ndjson: one event per line. ' +
      'Verify offline with `node backend/scripts/verify-audit-export.mjs FILE`.',
  })
  @ApiProduces('text/csv', 'application/json', 'application/x-ndjson')
  async export(@Query() q: AuditExportDto, @Res() res: Response): Promise<void> {
    const format = q.format ?? 'csv';
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const type = { csv: 'text/csv', json: 'application/json', ndjson: 'application/x-ndjson' }[format];
    res.status(200);
    res.setHeader('Content-Type', `${type}; charset=utf-8`);
    res.setHeader('Content-Disposition', `attachment; filename="audit-${stamp}.${format}"`);
    res.setHeader('Cache-Control', 'no-store');
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    const write = async (chunk: string) => {
      if (!res.write(chunk) && !closed) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    };
    if (format === 'csv') await write(CSV_BOM + csvHeader());
    if (format === 'json') await write('[');
    let first = true;
    for (const page of this.audit.export(filterOf(q))) {
      if (closed) return;
      let chunk = '';
      for (const e of page) {
        if (format === 'csv') chunk += csvRow(e);
        else if (format === 'json') chunk += `${first ? '\n' : ',\n'}${jsonRow(e)}`;
        else chunk += `${jsonRow(e)}\n`;
        first = false;
      }
      await write(chunk);
    }
    if (format === 'json') await write(first ? ']\n' : '\n]\n');
    res.end();
  }

  @Get('verify')
  @ApiOperation({ summary: 'Recompute the hash chain over the whole audit log and report the first broken link' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        ok: { type: 'boolean' },
        checked: { type: 'integer' },
        headPosition: { type: 'string', nullable: true },
        headHash: { type: 'string' },
        firstBroken: {
          type: 'object',
          nullable: true,
          properties: { position: { type: 'string' }, seq: { type: 'integer' }, problem: { type: 'string' } },
        },
      },
    },
  })
  verify() {
    return this.audit.verify();
  }
}
