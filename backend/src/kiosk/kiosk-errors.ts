import { HttpException } from '@nestjs/common';
import { DomainRefusal } from '../shared/decider';

/** Kiosk refusal codes whose status the generic mapping (400 *.invalid, 404 *.notFound, else 409) does not give. */
const STATUS: Record<string, number> = {
  'kiosk.codeUnknown': 404,
  'kiosk.sessionNotFound': 404,
  'kiosk.sessionOver': 410,
  'kiosk.notYours': 403,
};

export const kioskError = (status: number, reason: string, message: string, extra: Record<string, unknown> = {}) =>
  new HttpException({ statusCode: status, reason, message, ...extra }, status);

/** Runs `op`, answering the kiosk refusals above with their status (`{ statusCode, reason, message }`). */
export async function kioskAnswers<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof DomainRefusal && STATUS[err.code] !== undefined) {
      throw kioskError(STATUS[err.code] as number, err.code, err.message);
    }
    throw err;
  }
}
