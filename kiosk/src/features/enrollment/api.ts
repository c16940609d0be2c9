import { api } from '../../api/client';

// The kiosk's enrollment routes (/api/kiosk/enrollment…): sign in with the directory password, then set methods.

export type Enrolled = {
  types: string[];
  securityQuestions: { questionId: string; text: string }[];
  maskedEmail: string | null;
  maskedPhone: string | null;
};

export type EnrollmentStart = {
  enrollmentId: string;
  displayName: string;
  enrolled: Enrolled;
  questionChoices: string[];
};

export type NewAuthenticator = { secret: string; otpauthUrl: string };

const path = (enrollmentId: string) => `/kiosk/enrollment/${encodeURIComponent(enrollmentId)}`;

export const enrollmentApi = {
  signIn: (username: string, password: string) =>
    api<EnrollmentStart>('POST', '/kiosk/enrollment/sign-in', { username, password }),
  setQuestions: (enrollmentId: string, questions: { question: string; answer: string }[]) =>
    api<{ enrolled: Enrolled }>('PUT', `${path(enrollmentId)}/security-questions`, { questions }),
  startAuthenticator: (enrollmentId: string) =>
    api<NewAuthenticator>('POST', `${path(enrollmentId)}/authenticator`, {}),
  confirmAuthenticator: (enrollmentId: string, code: string) =>
    api<{ enrolled: Enrolled }>('POST', `${path(enrollmentId)}/authenticator/confirm`, { code }),
  end: (enrollmentId: string) => api<unknown>('POST', `${path(enrollmentId)}/end`, {}),
};
