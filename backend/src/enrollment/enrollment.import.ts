/**
 * Bulk enrollment import (administrators): a JSON array of rows
 *   { storeId, username | userId, securityQuestions?: [{ question, answer }], email?, phone?, authenticatorSecret? }
 *
 * 1. Every row is validated first (class-validator + the enrollment rules). Any invalid row: 400, each row's status
 *    (`invalid` with field names like `securityQuestions[1].answer`, or `valid`), and nothing is recorded.
 * 2. Users are resolved in their identity store (username or stable id). A directory that cannot be reached: 503,
 *    nothing recorded. Users that do not exist: `notFound` rows (the others are still imported: an HR export
 *    naming people who left is normal, not bad input).
 * 3. Per user, material is protected (answers normalised + scrypt-hashed, seeds encrypted) and recorded as one
 *    append to the user's enrollment stream (`source: import`). Importing the same material again records nothing
 *    (`unchanged`). If the event store fails part-way: 503 naming how many rows were recorded; importing the same
 *    file again is safe.
 */
import { BadRequestException, Injectable } from '@nestjs/common';
import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsNotEmpty,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
  type ValidationError,
  validateSync,
} from 'class-validator';
import type { DirectoryAccount } from '../directory/identity-store';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import { normaliseAnswer } from '../shared/crypto/normalise-answer';
import { base32Decode } from '../shared/crypto/totp';
import { DomainRefusal, type FieldProblem } from '../shared/decider';
import type { AuthenticationType } from '../shared/domain-types';
import { EventStoreUnavailableError } from '../shared/http/errors';
import type { RequestActor } from '../shared/http/request-metadata';
import { MAX_SECURITY_QUESTIONS, normaliseEmailAddress, normalisePhoneNumber } from './enrollment.decider';
import { type EnrollmentInput, EnrollmentService } from './enrollment.service';

export const MAX_IMPORT_ROWS = 1000;

export class ImportQuestionDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  question!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  answer!: string;
}

export class EnrollmentImportRowDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  storeId!: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  username?: string;

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  userId?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SECURITY_QUESTIONS)
  @ValidateNested({ each: true })
  @Type(() => ImportQuestionDto)
  securityQuestions?: ImportQuestionDto[];

  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  phone?: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  authenticatorSecret?: string;
}

export type ImportRowStatus = 'imported' | 'unchanged' | 'notFound' | 'invalid' | 'valid';

export type ImportRowResult = {
  row: number;
  storeId?: string;
  username?: string;
  userId?: string;
  status: ImportRowStatus;
  /** Types enrolled for the user after the import (imported / unchanged). */
  types?: AuthenticationType[];
  /** invalid: what is wrong, by field of the row. */
  fields?: FieldProblem[];
  message?: string;
};

export type ImportSummary = {
  imported: number;
  unchanged: number;
  notFound: number;
  invalid: number;
  rows: ImportRowResult[];
};

function flatten(errors: ValidationError[], prefix = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const e of errors) {
    const path = /^\d+$/.test(e.property)
      ? `${prefix}[${e.property}]`
      : prefix
        ? `${prefix}.${e.property}`
        : e.property;
    for (const message of Object.values(e.constraints ?? {})) {
      out.push({ field: path, message: message.replace(new RegExp(`^${e.property}\\b\\s*`), '') });
    }
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}

/** Validates one row: shape, one of username/userId, at least one type, and the enrollment rules. */
export function validateImportRow(
  raw: unknown,
  knownStore: (id: string) => boolean,
): { ok: true; row: EnrollmentImportRowDto; input: EnrollmentInput } | { ok: false; fields: FieldProblem[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, fields: [{ field: '(row)', message: 'must be an object' }] };
  const row = plainToInstance(EnrollmentImportRowDto, raw);
  const fields = flatten(validateSync(row, { whitelist: true, forbidNonWhitelisted: true }));
  const problem = (field: string, message: string) => {
    if (!fields.some((f) => f.field === field)) fields.push({ field, message });
  };
  if (typeof row.storeId === 'string' && row.storeId && !knownStore(row.storeId))
    problem('storeId', `unknown identity store "${row.storeId}"`);
  if ((row.username === undefined) === (row.userId === undefined))
    problem(row.username === undefined ? 'username' : 'userId', 'give exactly one of username or userId');
  const has = ['securityQuestions', 'email', 'phone', 'authenticatorSecret'].some(
    (k) => (row as unknown as Record<string, unknown>)[k] !== undefined,
  );
  if (!has) problem('securityQuestions', 'give at least one of securityQuestions, email, phone, authenticatorSecret');

  const input: EnrollmentInput = {};
  if (Array.isArray(row.securityQuestions)) {
    const seen = new Map<string, number>();
    row.securityQuestions.forEach((q, i) => {
      if (typeof q?.answer === 'string' && q.answer && !normaliseAnswer(q.answer))
        problem(`securityQuestions[${i}].answer`, 'must not be blank');
      if (typeof q?.question === 'string') {
        const key = q.question.trim().toLowerCase();
        if (!key) problem(`securityQuestions[${i}].question`, 'must not be blank');
        else if (seen.has(key))
          problem(`securityQuestions[${i}].question`, `repeats securityQuestions[${seen.get(key)}]`);
        seen.set(key, i);
      }
    });
    input.securityQuestions = row.securityQuestions.map((q) => ({ question: q.question, answer: q.answer }));
  }
  if (typeof row.email === 'string') {
    const email = row.email.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) problem('email', 'must be an e-mail address');
    else input.email = normaliseEmailAddress(email);
  }
  if (typeof row.phone === 'string') {
    const phone = normalisePhoneNumber(row.phone);
    if (!/^\+[1-9]\d{6,14}$/.test(phone)) problem('phone', 'must be an international number, e.g. +44 7700 900123');
    else input.phone = phone;
  }
  if (typeof row.authenticatorSecret === 'string') {
    let bytes = 0;
    try {
      bytes = base32Decode(row.authenticatorSecret).length;
    } catch {
      bytes = -1;
    }
    if (bytes < 0) problem('authenticatorSecret', 'must be base32 (A-Z, 2-7)');
    else if (bytes < 10) problem('authenticatorSecret', 'must be at least 80 bits (16 base32 characters)');
    else input.authenticatorSecret = row.authenticatorSecret;
  }
  return fields.length ? { ok: false, fields } : { ok: true, row, input };
}

@Injectable()
export class EnrollmentImport {
  constructor(
    private readonly enrollment: EnrollmentService,
    private readonly registry: IdentityStoreRegistry,
  ) {}

  async run(rows: unknown, actor: RequestActor): Promise<ImportSummary> {
    if (!Array.isArray(rows)) throw badRequest(['(body) must be a JSON array of rows'], []);
    if (rows.length === 0) throw badRequest(['(body) must have at least one row'], []);
    if (rows.length > MAX_IMPORT_ROWS) throw badRequest([`(body) must have at most ${MAX_IMPORT_ROWS} rows`], []);

    const known = (id: string) => this.registry.get(id) !== undefined;
    const validated = rows.map((r) => validateImportRow(r, known));
    const results: ImportRowResult[] = validated.map((v, i) => ({
      row: i,
      ...ids(rows[i]),
      status: v.ok ? 'valid' : 'invalid',
      ...(v.ok ? {} : { fields: v.fields }),
    }));
    if (validated.some((v) => !v.ok)) throw invalidRows(results);

    // Resolve every user before recording anything (a directory fault must not leave half an import).
    const accounts = await mapLimit(validated, 8, async (v) => {
      if (!v.ok) return undefined;
      const store = this.registry.get(v.row.storeId);
      if (!store) return undefined;
      return v.row.userId !== undefined
        ? store.getAccount(v.row.userId)
        : store.findByUsername(v.row.username as string);
    });
    const firstRow = new Map<string, number>();
    accounts.forEach((a, i) => {
      const r = results[i] as ImportRowResult;
      if (!a) {
        r.status = 'notFound';
        r.message = 'no such user in the identity store';
        return;
      }
      r.userId = a.id;
      r.username = a.username;
      const key = `${a.storeId}:${a.id}`;
      if (firstRow.has(key)) {
        r.status = 'invalid';
        r.fields = [
          { field: r.username ? 'username' : 'userId', message: `the same user as row ${firstRow.get(key)}` },
        ];
      } else firstRow.set(key, i);
    });
    if (results.some((r) => r.status === 'invalid')) throw invalidRows(results);

    let last: bigint | undefined;
    for (let i = 0; i < validated.length; i++) {
      const v = validated[i];
      const account = accounts[i] as DirectoryAccount | undefined;
      const r = results[i] as ImportRowResult;
      if (!v?.ok || !account) continue;
      try {
        const outcome = await this.enrollment.enroll(
          {
            storeId: account.storeId,
            userId: account.id,
            ...(account.displayName ? { displayName: account.displayName } : {}),
          },
          v.input,
          'import',
          actor,
        );
        r.status = outcome.recorded > 0 ? 'imported' : 'unchanged';
        r.types = outcome.types;
        if (outcome.position !== undefined) last = outcome.position;
      } catch (err) {
        if (err instanceof DomainRefusal) {
          // The row passed our validation but the decider refused it: report it like any invalid row.
          r.status = 'invalid';
          r.fields = err.fields.map((f) => ({ ...f, field: f.field.replace(/^enrollment\./, '') }));
          r.message = err.message;
          continue;
        }
        const done = results.filter((x) => x.status === 'imported').length;
        throw new EventStoreUnavailableError(
          `The event store failed after ${done} of ${rows.length} rows were recorded (row ${i} and later were not). ` +
            'Importing the same rows again is safe.',
          { cause: err },
        );
      }
    }
    if (last !== undefined) await this.enrollment.waitForReadModel(last).catch(() => undefined);
    return {
      imported: results.filter((r) => r.status === 'imported').length,
      unchanged: results.filter((r) => r.status === 'unchanged').length,
      notFound: results.filter((r) => r.status === 'notFound').length,
      invalid: results.filter((r) => r.status === 'invalid').length,
      rows: results,
    };
  }
}

function ids(raw: unknown): Pick<ImportRowResult, 'storeId' | 'username' | 'userId'> {
  if (typeof raw !== 'object' || raw === null) return {};
  const o = raw as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return Object.fromEntries(
    Object.entries({ storeId: s(o.storeId), username: s(o.username), userId: s(o.userId) }).filter(([, v]) => v),
  );
}

function badRequest(message: string[], rows: ImportRowResult[]) {
  return new BadRequestException({ statusCode: 400, reason: 'enrollment.invalid', message, rows });
}

function invalidRows(rows: ImportRowResult[]) {
  const message = rows.flatMap((r) => (r.fields ?? []).map((f) => `[${r.row}].${f.field} ${f.message}`));
  return badRequest(message, rows);
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
