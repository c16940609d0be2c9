/** Where one-time codes and the unlock notice go (from the effective enrollment, see EnrollmentService.state). */
import type { DirectoryAccount } from '../directory/identity-store';
import type { EnrollmentState } from '../enrollment/enrollment.decider';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Where a one-time code goes: the enrolled (or directory) address / number. */
export function codeDestination(enrollment: EnrollmentState, channel: 'email' | 'phone'): string | undefined {
  const t = enrollment.types[channel];
  if (t?.type === 'email') return t.address;
  if (t?.type === 'phone') return t.number;
  return undefined;
}

/** Where the unlock notice goes: the enrolled e-mail address, else the directory's. */
export function noticeAddress(
  enrollment: EnrollmentState,
  account: Pick<DirectoryAccount, 'email'> | null,
): string | undefined {
  const t = enrollment.types.email;
  if (t?.type === 'email') return t.address;
  const email = account?.email?.trim();
  return email && EMAIL.test(email) ? email : undefined;
}
