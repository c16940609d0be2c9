import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../app/App';
import { type Call, on, refusal, stubFetch } from '../../testing/stubFetch';
import type { Enrolled } from './api';

const CHOICES = [
  'What was the name of your first pet?',
  'What is the name of the street you grew up on?',
  'What was the make and model of your first car?',
  'What was the first concert you went to?',
];
const NONE: Enrolled = { types: [], securityQuestions: [], maskedEmail: null, maskedPhone: null };
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const REFUSED = 'That username and password did not work';

function backend(extra: ((c: Call) => Response | undefined)[] = []) {
  return stubFetch(
    ...extra,
    on('GET', '/api/kiosk/device', () =>
      Response.json({ kiosk: { kioskId: 'k1', name: 'Library' }, csrfToken: 'csrf-1' }),
    ),
    on('POST', '/api/kiosk/enrollment/sign-in', (c) => {
      const { username, password } = c.body as { username: string; password: string };
      if (username === 'dave' && password === 'DavePass1!')
        return Response.json({
          enrollmentId: 'e1',
          displayName: 'Dave Dunn',
          enrolled: NONE,
          questionChoices: CHOICES,
        });
      return refusal(401, 'kiosk.signInRefused', REFUSED);
    }),
    on('PUT', '/api/kiosk/enrollment/e1/security-questions', (c) =>
      Response.json({
        enrolled: {
          ...NONE,
          types: ['securityQuestions'],
          securityQuestions: (c.body as { questions: { question: string }[] }).questions.map((q, i) => ({
            questionId: `q${i + 1}`,
            text: q.question,
          })),
        },
      }),
    ),
    on('POST', '/api/kiosk/enrollment/e1/authenticator', () =>
      Response.json({ secret: SECRET, otpauthUrl: `otpauth://totp/Unlock%20Desk:dave?secret=${SECRET}` }),
    ),
    on('POST', '/api/kiosk/enrollment/e1/authenticator/confirm', (c) =>
      (c.body as { code: string }).code === '123456'
        ? Response.json({ enrolled: { ...NONE, types: ['authenticator'] } })
        : refusal(400, 'kiosk.wrongCode', 'That code did not match.'),
    ),
    on('POST', '/api/kiosk/enrollment/e1/end', () => Response.json({ ended: true })),
  );
}

let user: ReturnType<typeof userEvent.setup>;
beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
});

async function signIn(username: string, password: string) {
  await user.type(screen.getByLabelText('Username'), username);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

async function openEnrollment() {
  await user.click(await screen.findByRole('button', { name: 'Set up how we can verify you' }));
  await screen.findByRole('heading', { name: 'Set up how we can verify you' });
}

describe('set up how we can verify you', () => {
  it('says the same for an unknown username and a wrong password, and clears the password after each try', async () => {
    const calls = backend();
    render(<App />);
    await openEnrollment();
    await signIn('nobody', 'Secret1!');
    const first = (await screen.findByRole('alert')).textContent;
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
    await user.clear(screen.getByLabelText('Username'));
    await signIn('dave', 'WrongPass1!');
    await vi.waitFor(() => expect(calls.filter((c) => c.url.endsWith('/sign-in'))).toHaveLength(2));
    const second = (await screen.findByRole('alert')).textContent;
    expect(first).toBe(REFUSED);
    expect(second).toBe(first);
    expect((screen.getByLabelText('Password') as HTMLInputElement).type).toBe('password');
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
    expect(calls.find((c) => c.url.endsWith('/sign-in'))?.headers['X-Kiosk-CSRF']).toBe('csrf-1');
  });

  it('needs three different questions, then saves them and shows them as set', async () => {
    const calls = backend();
    render(<App />);
    await openEnrollment();
    await signIn('dave', 'DavePass1!');
    expect(await screen.findByRole('heading', { name: 'Hello, Dave Dunn' })).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Set security questions' }));
    await screen.findByRole('heading', { name: 'Choose three security questions' });

    await user.selectOptions(screen.getByLabelText('Question 1'), CHOICES[0] as string);
    await user.selectOptions(screen.getByLabelText('Question 2'), CHOICES[0] as string);
    await user.selectOptions(screen.getByLabelText('Question 3'), CHOICES[2] as string);
    for (const [i, answer] of ['Rex the dog', 'Elm Street', 'Blue car'].entries())
      await user.type(screen.getByLabelText(`Answer ${i + 1}`), answer);
    expect((screen.getByLabelText('Answer 1') as HTMLInputElement).type).toBe('password');
    await user.click(screen.getByRole('button', { name: 'Save questions' }));
    expect(screen.getByRole('alert').textContent).toBe('Choose three different questions.');
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(0);

    await user.click(screen.getByLabelText('Show what I type'));
    expect((screen.getByLabelText('Answer 1') as HTMLInputElement).type).toBe('text');
    await user.selectOptions(screen.getByLabelText('Question 2'), CHOICES[1] as string);
    await user.click(screen.getByRole('button', { name: 'Save questions' }));
    expect(await screen.findByRole('heading', { name: 'Hello, Dave Dunn' })).toBeTruthy();
    expect(screen.getByText('set (3)')).toBeTruthy();
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      questions: [
        { question: CHOICES[0], answer: 'Rex the dog' },
        { question: CHOICES[1], answer: 'Elm Street' },
        { question: CHOICES[2], answer: 'Blue car' },
      ],
    });
  });

  it('shows the key in groups of four and the link, confirms with a code from the app', async () => {
    const calls = backend();
    render(<App />);
    await openEnrollment();
    await signIn('dave', 'DavePass1!');
    await user.click(await screen.findByRole('button', { name: 'Set up authenticator app' }));
    await screen.findByRole('heading', { name: 'Set up your authenticator app' });
    expect(screen.getByText('Key: JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP')).toBeTruthy();
    expect(screen.getByText('JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP')).toBeTruthy();
    expect(screen.getByText(`otpauth://totp/Unlock%20Desk:dave?secret=${SECRET}`)).toBeTruthy();

    await user.type(screen.getByLabelText('The 6-digit code the app shows now'), '654321');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'That code did not match. Type the code the app shows now.',
    );
    await user.type(screen.getByLabelText('The 6-digit code the app shows now'), '123456');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByRole('heading', { name: 'Hello, Dave Dunn' })).toBeTruthy();
    expect(screen.getByText('Your authenticator app is set up.')).toBeTruthy();
    expect(calls.filter((c) => c.url.endsWith('/authenticator/confirm')).map((c) => c.body)).toEqual([
      { code: '654321' },
      { code: '123456' },
    ]);

    await user.click(screen.getByRole('button', { name: 'Done' }));
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeTruthy();
    expect(calls.some((c) => c.url === '/api/kiosk/enrollment/e1/end')).toBe(true);
  });

  it('after too many wrong codes the key is dropped: back to the overview, which offers a new set-up', async () => {
    backend([
      on('POST', '/api/kiosk/enrollment/e1/authenticator/confirm', () =>
        refusal(409, 'kiosk.authenticatorTriesUsed', 'Too many wrong codes for this key'),
      ),
    ]);
    render(<App />);
    await openEnrollment();
    await signIn('dave', 'DavePass1!');
    await user.click(await screen.findByRole('button', { name: 'Set up authenticator app' }));
    await user.type(await screen.findByLabelText('The 6-digit code the app shows now'), '111111');
    await user.click(screen.getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByRole('heading', { name: 'Hello, Dave Dunn' })).toBeTruthy();
    expect(screen.getByText('That key can no longer be used. Start the authenticator app set-up again.')).toBeTruthy();
    expect(screen.queryByText(/JBSW Y3DP/)).toBeNull();
    expect(screen.getByRole('button', { name: 'Set up authenticator app' })).toBeTruthy();
  });

  it('inactivity resets everything: the typed password is gone, the grant ended', async () => {
    const calls = backend();
    render(<App />);
    await openEnrollment();
    await user.type(screen.getByLabelText('Username'), 'dave');
    await user.type(screen.getByLabelText('Password'), 'DavePass1!');
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeTruthy();
    expect(document.body.innerHTML).not.toContain('DavePass1!');
    await openEnrollment();
    expect((screen.getByLabelText('Username') as HTMLInputElement).value).toBe('');
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');

    // Signed in, then idle: back to Welcome and the server drops the grant.
    await signIn('dave', 'DavePass1!');
    await screen.findByRole('heading', { name: 'Hello, Dave Dunn' });
    await act(() => vi.advanceTimersByTimeAsync(60_000));
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeTruthy();
    expect(calls.some((c) => c.url === '/api/kiosk/enrollment/e1/end')).toBe(true);
    expect(screen.queryByText('Dave Dunn')).toBeNull();
  });

  it('"Start over" goes back to Welcome with nothing kept', async () => {
    backend();
    render(<App />);
    await openEnrollment();
    await user.type(screen.getByLabelText('Password'), 'DavePass1!');
    await user.click(screen.getByRole('button', { name: 'Start over' }));
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeTruthy();
    await openEnrollment();
    expect((screen.getByLabelText('Password') as HTMLInputElement).value).toBe('');
  });
});
