/** The enrollment rules the screens check before asking the backend (the backend checks them again). */
import { ApiError } from '../../api/client';
import { waitText } from '../session/model';

export const REQUIRED_QUESTIONS = 3;
export const MIN_ANSWER_LENGTH = 3;

/** Like the backend's normaliseAnswer for length checks: case and spacing do not count. */
export const normalisedLength = (answer: string) => answer.normalize('NFKC').replace(/\s+/gu, ' ').trim().length;

export type QuestionRow = { question: string; answer: string };

/** What is wrong with the three rows, or null when they can be saved. */
export function questionsProblem(rows: QuestionRow[]): string | null {
  if (rows.length !== REQUIRED_QUESTIONS || rows.some((r) => !r.question))
    return `Choose ${REQUIRED_QUESTIONS} questions.`;
  if (new Set(rows.map((r) => r.question)).size !== rows.length) return 'Choose three different questions.';
  if (rows.some((r) => normalisedLength(r.answer) < MIN_ANSWER_LENGTH))
    return `Each answer needs at least ${MIN_ANSWER_LENGTH} characters.`;
  return null;
}

/** "JBSWY3DPEHPK3PXP" → ["JBSW", "Y3DP", "EHPK", "3PXP"]: easy to type into an app. */
export function groupSecret(secret: string): string[] {
  const clean = secret.replace(/[^A-Za-z2-7]/g, '').toUpperCase();
  const groups: string[] = [];
  for (let i = 0; i < clean.length; i += 4) groups.push(clean.slice(i, i + 4));
  return groups;
}

/** The message for a refused sign-in: the same for an unknown user, a wrong password and a locked account. */
export function signInRefusal(error: unknown): string {
  if (error instanceof ApiError && error.status === 429)
    return `Too many attempts here. You can try again in ${waitText(error.retryAfterSeconds ?? 60)}.`;
  if (error instanceof ApiError && error.status === 401) return 'That username and password did not work';
  if (error instanceof ApiError && error.status === 400) return 'Please type your username and password.';
  return error instanceof ApiError ? error.message : 'Something went wrong. Please try again.';
}

/** The grant is gone (ended, expired, the server restarted): the person has to sign in again. */
export const isEnrollmentOver = (error: unknown) =>
  error instanceof ApiError && (error.status === 410 || error.reason === 'kiosk.enrollmentOver');
