import { act, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { KioskSessionView, VerificationView } from '../features/session/api';
import { type Call, on, refusal, stubFetch } from '../testing/stubFetch';
import { App } from './App';

const EXPIRES = '2030-01-01T10:10:00.000Z';
const device = () => Response.json({ kiosk: { kioskId: 'k1', name: 'Library, ground floor' }, csrfToken: 'csrf-1' });

const verification = (over: Partial<VerificationView> = {}): VerificationView => ({
  questions: [
    { questionId: 'q1', text: 'What was the name of your first pet?', verified: false },
    { questionId: 'q2', text: 'In which town were you born?', verified: false },
  ],
  codes: { email: null, sms: null },
  authenticator: { enrolled: false, verified: false },
  locked: false,
  lockedUntil: null,
  progress: { met: false, verifiedTypes: [], required: 2 },
  ...over,
});

const waiting: KioskSessionView = {
  sessionId: 's1',
  status: 'waiting',
  code: 'K7QM2P',
  expiresAt: EXPIRES,
  agentName: null,
  verification: null,
  result: null,
};
const claimed = (v: Partial<VerificationView> = {}): KioskSessionView => ({
  ...waiting,
  status: 'claimed',
  code: null,
  agentName: 'Hanna',
  verification: verification(v),
});

/** A kiosk backend whose session view the test moves on (as the agent would from the admin console). */
function backend(extra: ((c: Call) => Response | undefined)[] = []) {
  const state = { view: waiting };
  const calls = stubFetch(
    ...extra,
    on('GET', '/api/kiosk/device', device),
    on('POST', '/api/kiosk/sessions', () =>
      Response.json({ sessionId: 's1', code: 'K7QM2P', expiresAt: EXPIRES }, { status: 201 }),
    ),
    on('GET', '/api/kiosk/sessions/s1', () => Response.json(state.view)),
    on('POST', '/api/kiosk/sessions/s1/end', () => Response.json({})),
  );
  return { calls, state };
}

const posts = (calls: Call[], url: string) => calls.filter((c) => c.method === 'POST' && c.url === url);

async function advance(ms: number) {
  await act(() => vi.advanceTimersByTimeAsync(ms));
}

/** Welcome → "I'm locked out" → username → Waiting. */
async function startSession(user: ReturnType<typeof userEvent.setup>) {
  await user.click(await screen.findByRole('button', { name: "I'm locked out" }));
  await user.type(screen.getByLabelText('Username'), 'jdoe');
  await user.click(screen.getByRole('button', { name: 'Continue' }));
  await screen.findByRole('heading', { name: 'Tell the helpdesk agent this code' });
}

let user: ReturnType<typeof userEvent.setup>;
beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
});

describe('device', () => {
  it('activates a kiosk that is not set up and then sends its CSRF token with every change', async () => {
    let activated = false;
    const calls = stubFetch(
      on('GET', '/api/kiosk/device', () =>
        activated ? device() : refusal(401, 'kiosk.notActivated', 'This device is not an activated kiosk.'),
      ),
      on('POST', '/api/kiosk/activate', (c) => {
        if ((c.body as { code: string }).code !== 'ABCD2345')
          return refusal(401, 'kiosk.activationRefused', 'That activation code cannot be used.');
        activated = true;
        return Response.json({ kiosk: { kioskId: 'k1', name: 'Library, ground floor' }, csrfToken: 'csrf-9' });
      }),
      on('POST', '/api/kiosk/sessions', () =>
        Response.json({ sessionId: 's1', code: 'K7QM2P', expiresAt: EXPIRES }, { status: 201 }),
      ),
      on('GET', '/api/kiosk/sessions/s1', () => Response.json(waiting)),
    );
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'This kiosk is not set up' })).toBeTruthy();
    expect(document.title).toBe('Unlock Desk kiosk');

    await user.type(screen.getByLabelText('Activation code'), 'wrong123');
    await user.click(screen.getByRole('button', { name: 'Activate' }));
    expect(await screen.findByText('That activation code cannot be used.')).toBeTruthy();
    expect((screen.getByLabelText('Activation code') as HTMLInputElement).value).toBe('');

    await user.type(screen.getByLabelText('Activation code'), 'abcd2345');
    await user.click(screen.getByRole('button', { name: 'Activate' }));
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeTruthy();
    expect(screen.getByText('Library, ground floor')).toBeTruthy();
    expect(posts(calls, '/api/kiosk/activate').map((c) => c.body)).toEqual([
      { code: 'WRONG123' },
      { code: 'ABCD2345' },
    ]);

    await startSession(user);
    expect(posts(calls, '/api/kiosk/sessions')[0].headers['X-Kiosk-CSRF']).toBe('csrf-9');
  });

  it('clears the activation code field after 60 s without input', async () => {
    const calls = stubFetch(on('GET', '/api/kiosk/device', () => refusal(401, 'kiosk.notActivated')));
    render(<App />);
    await user.type(await screen.findByLabelText('Activation code'), 'ABCD');
    await advance(60_000);
    expect((screen.getByLabelText('Activation code') as HTMLInputElement).value).toBe('');
    expect(screen.getByRole('heading', { name: 'This kiosk is not set up' })).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('shows only "switched off" on a revoked kiosk', async () => {
    stubFetch(on('GET', '/api/kiosk/device', () => refusal(401, 'kiosk.revoked', 'This kiosk has been revoked.')));
    render(<App />);
    expect(await screen.findByRole('heading', { name: 'This kiosk has been switched off' })).toBeTruthy();
    expect(screen.queryAllByRole('button')).toHaveLength(0);
    expect(screen.queryAllByRole('textbox')).toHaveLength(0);
  });

  it('switches off mid-session when the kiosk is revoked', async () => {
    backend();
    render(<App />);
    await startSession(user);
    stubFetch(on('GET', '/api/kiosk/sessions/s1', () => refusal(401, 'kiosk.revoked')));
    await advance(2_000);
    expect(await screen.findByRole('heading', { name: 'This kiosk has been switched off' })).toBeTruthy();
    expect(screen.queryByText('K7Q')).toBeNull();
  });
});

describe('I am locked out', () => {
  it('goes from Welcome to the username and shows the session code in two groups of three', async () => {
    const { calls } = backend();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: "I'm locked out" }));
    expect(document.activeElement).toBe(screen.getByLabelText('Username'));
    await user.type(screen.getByLabelText('Username'), 'jdoe');
    await user.click(screen.getByRole('button', { name: 'Continue' }));

    const heading = await screen.findByRole('heading', { name: 'Tell the helpdesk agent this code' });
    expect(document.activeElement).toBe(heading);
    expect(screen.getByText('K7Q')).toBeTruthy();
    expect(screen.getByText('M2P')).toBeTruthy();
    expect(screen.getByText('Your code: K 7 Q, M 2 P')).toBeTruthy();
    expect(screen.getByText(/This code expires at/)).toBeTruthy();
    expect(posts(calls, '/api/kiosk/sessions')[0]).toMatchObject({
      body: { username: 'jdoe' },
      headers: { 'X-Kiosk-CSRF': 'csrf-1' },
    });
    expect(screen.getByRole('status').textContent).toContain('Tell it to the helpdesk agent');
  });

  it('says "too many attempts" on 429 and never whether the username exists', async () => {
    backend([
      on('POST', '/api/kiosk/sessions', () =>
        refusal(429, 'kiosk.rateLimited', 'Too many sessions', { retryAfterSeconds: 300 }),
      ),
    ]);
    render(<App />);
    await user.click(await screen.findByRole('button', { name: "I'm locked out" }));
    await user.type(screen.getByLabelText('Username'), 'jdoe');
    await user.click(screen.getByRole('button', { name: 'Continue' }));
    expect(
      await screen.findByText(
        'Too many attempts here; please ask at the helpdesk desk. You can try again in 5 minutes.',
      ),
    ).toBeTruthy();
  });

  it('polls every 2 s and shows the questions once an agent claims the session', async () => {
    const { calls, state } = backend();
    render(<App />);
    await startSession(user);
    const polls = () => calls.filter((c) => c.method === 'GET' && c.url === '/api/kiosk/sessions/s1').length;
    await advance(2_000);
    expect(polls()).toBe(1);
    state.view = claimed();
    await advance(2_000);
    expect(polls()).toBe(2);

    expect(await screen.findByRole('heading', { name: 'Hanna is helping you' })).toBeTruthy();
    const answer = screen.getByLabelText('What was the name of your first pet?') as HTMLInputElement;
    expect(answer.type).toBe('password');
    expect(answer.value).toBe('');
    expect(screen.getByLabelText('In which town were you born?')).toBeTruthy();
    expect(screen.getByText('0 of 2 checks done')).toBeTruthy();
    await user.click(screen.getByLabelText('Show what I type'));
    expect(answer.type).toBe('text');
  });

  it('posts an answer, clears the field and shows the question as verified', async () => {
    const { calls, state } = backend([
      on('POST', '/api/kiosk/sessions/s1/answers', (c) => {
        const { answer } = c.body as { answer: string };
        if (answer !== 'Rex')
          return Response.json({ outcome: 'rejected', message: 'That answer does not match.', attemptsLeft: 2 });
        state.view = claimed({
          questions: [
            { questionId: 'q1', text: 'What was the name of your first pet?', verified: true },
            { questionId: 'q2', text: 'In which town were you born?', verified: false },
          ],
          progress: { met: false, verifiedTypes: ['securityQuestions'], required: 2 },
        });
        return Response.json({ outcome: 'verified' });
      }),
    ]);
    state.view = claimed();
    render(<App />);
    await startSession(user);
    await advance(2_000);
    const field = (await screen.findByLabelText('What was the name of your first pet?')) as HTMLInputElement;

    await user.type(field, 'Bob');
    await user.click(screen.getAllByRole('button', { name: 'Check answer' })[0]);
    expect(await screen.findByText('That answer does not match. 2 attempts left.')).toBeTruthy();
    expect(field.value).toBe('');

    await user.type(field, 'Rex');
    await user.click(screen.getAllByRole('button', { name: 'Check answer' })[0]);
    expect(await screen.findByText('What was the name of your first pet?', { exact: false })).toBeTruthy();
    expect(await screen.findByText('Correct — that answer is verified.')).toBeTruthy();
    expect(screen.queryByLabelText('What was the name of your first pet?')).toBeNull();
    expect(screen.getByText('verified')).toBeTruthy();
    expect(screen.getByText('1 of 2 checks done')).toBeTruthy();
    expect(posts(calls, '/api/kiosk/sessions/s1/answers').map((c) => c.body)).toEqual([
      { questionId: 'q1', answer: 'Bob' },
      { questionId: 'q1', answer: 'Rex' },
    ]);
  });

  it('shows the verification lock plainly and disables the fields', async () => {
    const { state } = backend();
    state.view = claimed({ locked: true, lockedUntil: '2030-01-01T10:30:00.000Z' });
    render(<App />);
    await startSession(user);
    await advance(2_000);
    expect(await screen.findByText('Locked:')).toBeTruthy();
    expect((screen.getByLabelText('In which town were you born?') as HTMLInputElement).disabled).toBe(true);
  });

  it('asks for a pending email code at the masked address and posts it', async () => {
    const { calls, state } = backend([
      on('POST', '/api/kiosk/sessions/s1/codes/verify', () => {
        state.view = claimed({
          questions: [],
          codes: { email: { maskedDestination: 'j***@example.com', pending: false, verified: true }, sms: null },
          progress: { met: true, verifiedTypes: ['email'], required: 1 },
        });
        return Response.json({ outcome: 'verified' });
      }),
    ]);
    state.view = claimed({
      questions: [],
      codes: { email: { maskedDestination: 'j***@example.com', pending: true, verified: false }, sms: null },
      progress: { met: false, verifiedTypes: [], required: 1 },
    });
    render(<App />);
    await startSession(user);
    await advance(2_000);
    const field = await screen.findByLabelText('We sent a code to j***@example.com — type it here');
    await user.type(field, '482913');
    await user.click(screen.getByRole('button', { name: 'Check code' }));
    expect(await screen.findByText('Correct — that code is verified.')).toBeTruthy();
    expect(posts(calls, '/api/kiosk/sessions/s1/codes/verify')[0].body).toEqual({ channel: 'email', code: '482913' });
    expect(screen.getByText(/All checks done/)).toBeTruthy();
  });

  it('posts a 6-digit authenticator code', async () => {
    const { calls, state } = backend([
      on('POST', '/api/kiosk/sessions/s1/authenticator', () => Response.json({ outcome: 'verified' })),
    ]);
    state.view = claimed({ questions: [], authenticator: { enrolled: true, verified: false } });
    render(<App />);
    await startSession(user);
    await advance(2_000);
    const field = await screen.findByLabelText('The 6-digit code from your authenticator app');
    await user.type(field, '12a3456789');
    await user.click(screen.getByRole('button', { name: 'Check code' }));
    await screen.findByText('Correct — that code is verified.');
    expect(posts(calls, '/api/kiosk/sessions/s1/authenticator')[0].body).toEqual({ code: '123456' });
  });

  it('shows the unlocked result and goes back to Welcome after 15 s', async () => {
    const { calls, state } = backend();
    render(<App />);
    await startSession(user);
    state.view = { ...claimed(), status: 'unlocked', result: { outcome: 'unlocked', message: 'Unlocked.' } };
    await advance(2_000);
    expect(await screen.findByRole('heading', { name: 'Your account is unlocked. You can sign in now.' })).toBeTruthy();
    await advance(14_000);
    expect(screen.queryByRole('heading', { name: 'Welcome' })).toBeNull();
    await advance(1_000);
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeTruthy();
    expect(posts(calls, '/api/kiosk/sessions/s1/end')).toHaveLength(1);
  });

  it('shows a result that is not an unlock with the way to the desk', async () => {
    const { state } = backend();
    render(<App />);
    await startSession(user);
    state.view = {
      ...claimed(),
      status: 'not-unlocked',
      result: { outcome: 'not-unlocked', message: 'The directory refused the unlock.' },
    };
    await advance(2_000);
    expect(await screen.findByRole('heading', { name: 'Your account was not unlocked' })).toBeTruthy();
    expect(screen.getByText('The directory refused the unlock.')).toBeTruthy();
    expect(screen.getByText('Please ask at the helpdesk desk.')).toBeTruthy();
  });

  it('goes back to Welcome when the session expired', async () => {
    const { state } = backend();
    render(<App />);
    await startSession(user);
    state.view = { ...waiting, status: 'expired' };
    await advance(2_000);
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toContain('The code expired');
  });
});

describe('locked down', () => {
  it("keeps the waiting screen while the person waits for an agent (no input needed); the code's expiry ends it", async () => {
    const { calls, state } = backend();
    render(<App />);
    await startSession(user);
    await advance(5 * 60_000);
    expect(screen.getByRole('heading', { name: 'Tell the helpdesk agent this code' })).toBeTruthy();
    expect(screen.queryByText(/Still there\?/)).toBeNull();
    expect(posts(calls, '/api/kiosk/sessions/s1/end')).toHaveLength(0);
    state.view = { ...waiting, status: 'expired' };
    await advance(2_000);
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeTruthy();
    expect(screen.queryByText('K7Q')).toBeNull();
  });

  it('gives 120 s while verifying and clears typed answers', async () => {
    const { calls, state } = backend();
    state.view = claimed();
    render(<App />);
    await startSession(user);
    await advance(2_000);
    await user.type(await screen.findByLabelText('In which town were you born?'), 'Tamp');
    await advance(100_000);
    expect(screen.getByRole('heading', { name: 'Hanna is helping you' })).toBeTruthy();
    await advance(20_000);
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeTruthy();
    expect(posts(calls, '/api/kiosk/sessions/s1/end')).toHaveLength(1);
    await user.click(screen.getByRole('button', { name: "I'm locked out" }));
    expect((screen.getByLabelText('Username') as HTMLInputElement).value).toBe('');
  });

  it('resets the username screen after 60 s without posting anything', async () => {
    const { calls } = backend();
    render(<App />);
    await user.click(await screen.findByRole('button', { name: "I'm locked out" }));
    await user.type(screen.getByLabelText('Username'), 'jdo');
    await advance(60_000);
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeTruthy();
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('has "Start over" on every screen but Welcome; it ends the session', async () => {
    const { calls } = backend();
    render(<App />);
    await screen.findByRole('heading', { name: 'Welcome' });
    expect(screen.queryByRole('button', { name: 'Start over' })).toBeNull();
    await startSession(user);
    await user.click(screen.getByRole('button', { name: 'Start over' }));
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeTruthy();
    expect(posts(calls, '/api/kiosk/sessions/s1/end')).toHaveLength(1);
    expect(within(document.body).queryAllByRole('link')).toHaveLength(0);
  });
});
