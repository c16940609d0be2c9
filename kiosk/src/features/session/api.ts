import { api } from '../../api/client';

// Shapes of the kiosk device side of the API (/api/kiosk/sessions…), as the contract describes them.

export type SessionStatus = 'waiting' | 'claimed' | 'unlocked' | 'not-unlocked' | 'ended' | 'expired';
export type CodeChannel = 'email' | 'sms';

export type CodeView = { maskedDestination: string; pending: boolean; verified: boolean };

export type VerificationView = {
  questions: { questionId: string; text: string; verified: boolean }[];
  codes: { email: CodeView | null; sms: CodeView | null };
  authenticator: { enrolled: boolean; verified: boolean };
  locked: boolean;
  lockedUntil: string | null;
  progress: { met: boolean; verifiedTypes: string[]; required: number };
};

export type KioskSessionView = {
  sessionId: string;
  status: SessionStatus;
  code?: string | null;
  expiresAt: string;
  agentName: string | null;
  verification: VerificationView | null;
  result: { outcome: 'unlocked' | 'not-unlocked'; message: string } | null;
};

export type StartedSession = { sessionId: string; code: string; expiresAt: string };

export type StepResult = {
  outcome: 'verified' | 'rejected' | 'locked' | 'sent';
  reason?: string;
  message?: string;
  attemptsLeft?: number;
  lockedUntil?: string;
};

const path = (sessionId: string) => `/kiosk/sessions/${encodeURIComponent(sessionId)}`;

export const sessionApi = {
  start: (username: string) => api<StartedSession>('POST', '/kiosk/sessions', { username }),
  get: (sessionId: string) => api<KioskSessionView>('GET', path(sessionId)),
  answer: (sessionId: string, questionId: string, answer: string) =>
    api<StepResult>('POST', `${path(sessionId)}/answers`, { questionId, answer }),
  verifyCode: (sessionId: string, channel: CodeChannel, code: string) =>
    api<StepResult>('POST', `${path(sessionId)}/codes/verify`, { channel, code }),
  authenticator: (sessionId: string, code: string) =>
    api<StepResult>('POST', `${path(sessionId)}/authenticator`, { code }),
  end: (sessionId: string) => api<unknown>('POST', `${path(sessionId)}/end`, {}),
};
