import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { groupCode, startRefusal, stepNotice, waitText } from './model';

describe('session model', () => {
  it('groups the session code in threes', () => {
    expect(groupCode('K7QM2P')).toEqual(['K7Q', 'M2P']);
    expect(groupCode('k7q-m2p')).toEqual(['K7Q', 'M2P']);
  });

  it('words a step result plainly', () => {
    expect(stepNotice('answer', { outcome: 'rejected', attemptsLeft: 1 })).toBe(
      'That answer was not accepted. 1 attempt left.',
    );
    expect(stepNotice('code', { outcome: 'verified' })).toBe('Correct — that code is verified.');
    expect(stepNotice('answer', { outcome: 'locked', message: 'Locked for 15 minutes.' })).toBe(
      'Locked for 15 minutes.',
    );
  });

  it('never says whether a username exists', () => {
    expect(startRefusal(new ApiError(429, 'kiosk.rateLimited', 'x', 45))).toBe(
      'Too many attempts here; please ask at the helpdesk desk. You can try again in 45 seconds.',
    );
    expect(startRefusal(new ApiError(500, 'internal', 'Internal error'))).not.toContain('Internal');
    expect(waitText(61)).toBe('2 minutes');
  });
});
