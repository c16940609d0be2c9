/**
 * "Set up how we can verify you": sign in with the directory password, see what is enrolled, set three security
 * questions and/or an authenticator app, done. The password lives only in the sign-in form until the request is sent;
 * inactivity and "Start over" end the grant on the server and clear everything (`onExit` goes back to Welcome).
 */
import { type FormEvent, useCallback, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { useInactivity } from '../../app/useInactivity';
import { Screen } from '../../components/Screen';
import { deviceRefusal } from '../device/api';
import { INACTIVITY_MS } from '../session/model';
import { type Enrolled, type EnrollmentStart, enrollmentApi, type NewAuthenticator } from './api';
import { groupSecret, isEnrollmentOver, type QuestionRow, questionsProblem, signInRefusal } from './model';

type Step = 'sign-in' | 'overview' | 'questions' | 'authenticator';

export function EnrollmentFlow({ onExit }: { onExit: (message?: string) => void }) {
  const [step, setStep] = useState<Step>('sign-in');
  const [grant, setGrant] = useState<EnrollmentStart | null>(null);
  const [notice, setNotice] = useState('');
  const [seed, setSeed] = useState<NewAuthenticator | null>(null);
  const grantRef = useRef<EnrollmentStart | null>(null);
  grantRef.current = grant;

  /** Leaves the flow: the grant is dropped on the server, nothing of the person stays on screen. */
  const exit = useCallback(
    (message?: string) => {
      const g = grantRef.current;
      grantRef.current = null;
      if (g) enrollmentApi.end(g.enrollmentId).catch(() => undefined);
      onExit(message);
    },
    [onExit],
  );

  const { warning } = useInactivity(INACTIVITY_MS, exit, step);

  /** A request with the grant failed: leave when the grant or the device is gone, else say why. */
  const failed = useCallback(
    (e: unknown): string | null => {
      if (isEnrollmentOver(e) || deviceRefusal(e)) {
        exit('This set-up has ended. Please start again.');
        return null;
      }
      return errorMessage(e);
    },
    [exit],
  );

  const updated = (enrolled: Enrolled, message: string) => {
    setGrant((g) => (g ? { ...g, enrolled } : g));
    setStep('overview');
    setNotice(message);
  };

  return (
    <div key={step}>
      {step === 'sign-in' && (
        <SignInScreen
          onStartOver={() => exit()}
          onSignIn={async (username, password) => {
            try {
              const started = await enrollmentApi.signIn(username, password);
              setGrant(started);
              setStep('overview');
              setNotice('');
              return null;
            } catch (e) {
              if (deviceRefusal(e)) {
                exit();
                return null;
              }
              return signInRefusal(e);
            }
          }}
        />
      )}
      {step === 'overview' && grant && (
        <OverviewScreen
          grant={grant}
          onQuestions={() => {
            setNotice('');
            setStep('questions');
          }}
          onAuthenticator={async () => {
            try {
              setSeed(await enrollmentApi.startAuthenticator(grant.enrollmentId));
              setNotice('');
              setStep('authenticator');
            } catch (e) {
              setNotice(failed(e) ?? '');
            }
          }}
          onDone={() => exit('You are all set. Thank you.')}
          onStartOver={() => exit()}
        />
      )}
      {step === 'questions' && grant && (
        <QuestionsScreen
          choices={grant.questionChoices}
          onBack={() => setStep('overview')}
          onStartOver={() => exit()}
          onSave={async (rows) => {
            try {
              const r = await enrollmentApi.setQuestions(grant.enrollmentId, rows);
              updated(r.enrolled, 'Your security questions are saved.');
              return null;
            } catch (e) {
              return failed(e);
            }
          }}
        />
      )}
      {step === 'authenticator' && grant && seed && (
        <AuthenticatorScreen
          seed={seed}
          onBack={() => {
            setSeed(null);
            setStep('overview');
          }}
          onStartOver={() => exit()}
          onConfirm={async (code) => {
            try {
              const r = await enrollmentApi.confirmAuthenticator(grant.enrollmentId, code);
              setSeed(null);
              updated(r.enrolled, 'Your authenticator app is set up.');
              return null;
            } catch (e) {
              if (e instanceof ApiError && e.reason === 'kiosk.wrongCode')
                return 'That code did not match. Type the code the app shows now.';
              if (
                e instanceof ApiError &&
                (e.reason === 'kiosk.authenticatorTriesUsed' || e.reason === 'kiosk.noAuthenticatorPending')
              ) {
                // The key on screen is no longer valid: back to the overview, where a new set-up starts afresh.
                setSeed(null);
                updated(grant.enrolled, 'That key can no longer be used. Start the authenticator app set-up again.');
                return null;
              }
              return failed(e);
            }
          }}
        />
      )}
      {warning && (
        <p className="warning" role="alert">
          Still there? This screen will start over soon. Touch the screen to keep going.
        </p>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
    </div>
  );
}

type SignInProps = {
  onSignIn: (username: string, password: string) => Promise<string | null>;
  onStartOver: () => void;
};

function SignInScreen({ onSignIn, onStartOver }: SignInProps) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError('Please type your username and password.');
      return;
    }
    const typed = password;
    // The password is kept no longer than the request: the field is cleared whatever the answer.
    setPassword('');
    setBusy(true);
    const problem = await onSignIn(username.trim(), typed);
    setBusy(false);
    setError(problem);
  };
  return (
    <Screen title="Set up how we can verify you" focus="field" onStartOver={onStartOver}>
      <p>First, sign in with the username and password you use for your computer.</p>
      <form onSubmit={submit} noValidate>
        <label htmlFor="enroll-username">Username</label>
        <input
          id="enroll-username"
          className="input"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="off"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          maxLength={256}
        />
        <label htmlFor="enroll-password">Password</label>
        <input
          id="enroll-password"
          className="input"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="off"
          maxLength={256}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'enroll-error' : undefined}
        />
        {error && (
          <p id="enroll-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Please wait…' : 'Sign in'}
        </button>
      </form>
    </Screen>
  );
}

type OverviewProps = {
  grant: EnrollmentStart;
  onQuestions: () => void;
  onAuthenticator: () => void;
  onDone: () => void;
  onStartOver: () => void;
};

function OverviewScreen({ grant, onQuestions, onAuthenticator, onDone, onStartOver }: OverviewProps) {
  const e = grant.enrolled;
  const hasQuestions = e.types.includes('securityQuestions');
  const hasApp = e.types.includes('authenticator');
  return (
    <Screen title={`Hello, ${grant.displayName}`} onStartOver={onStartOver}>
      <p>This is how the helpdesk can check it is you:</p>
      <ul className="checks">
        <li>
          Security questions: <strong>{hasQuestions ? `set (${e.securityQuestions.length})` : 'not set'}</strong>
        </li>
        <li>
          Authenticator app: <strong>{hasApp ? 'set' : 'not set'}</strong>
        </li>
        {e.maskedEmail && <li>Email code to {e.maskedEmail}</li>}
        {e.maskedPhone && <li>Text message code to {e.maskedPhone}</li>}
      </ul>
      <button type="button" className="button secondary" onClick={onQuestions}>
        {hasQuestions ? 'Change security questions' : 'Set security questions'}
      </button>{' '}
      <button type="button" className="button secondary" onClick={onAuthenticator}>
        {hasApp ? 'Set up a new authenticator app' : 'Set up authenticator app'}
      </button>
      <button type="button" className="button primary huge" onClick={onDone}>
        Done
      </button>
    </Screen>
  );
}

type QuestionsProps = {
  choices: string[];
  onSave: (rows: QuestionRow[]) => Promise<string | null>;
  onBack: () => void;
  onStartOver: () => void;
};

function QuestionsScreen({ choices, onSave, onBack, onStartOver }: QuestionsProps) {
  const [rows, setRows] = useState<QuestionRow[]>(() => [0, 1, 2].map(() => ({ question: '', answer: '' })));
  const [reveal, setReveal] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (i: number, patch: Partial<QuestionRow>) =>
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = questionsProblem(rows);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    const refused = await onSave(rows);
    setBusy(false);
    setError(refused);
  };
  return (
    <Screen title="Choose three security questions" onStartOver={onStartOver}>
      <p>Pick three different questions and answers you will remember. Capitals and spaces do not matter.</p>
      <form onSubmit={submit} noValidate>
        {rows.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: always the same three rows
          <div key={i} className="step-row">
            <label htmlFor={`enroll-q${i}`}>Question {i + 1}</label>
            <select
              id={`enroll-q${i}`}
              className="input"
              value={r.question}
              onChange={(e) => set(i, { question: e.target.value })}
            >
              <option value="">Choose a question</option>
              {choices.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
            <label htmlFor={`enroll-a${i}`}>Answer {i + 1}</label>
            <input
              id={`enroll-a${i}`}
              className="input"
              type={reveal ? 'text' : 'password'}
              value={r.answer}
              onChange={(e) => set(i, { answer: e.target.value })}
              autoComplete="off"
              autoCapitalize="off"
              autoCorrect="off"
              spellCheck={false}
              maxLength={200}
            />
          </div>
        ))}
        <label className="checkbox">
          <input type="checkbox" checked={reveal} onChange={(e) => setReveal(e.target.checked)} />
          Show what I type
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Please wait…' : 'Save questions'}
        </button>{' '}
        <button type="button" className="button secondary" onClick={onBack}>
          Back
        </button>
      </form>
    </Screen>
  );
}

type AuthenticatorProps = {
  seed: NewAuthenticator;
  onConfirm: (code: string) => Promise<string | null>;
  onBack: () => void;
  onStartOver: () => void;
};

function AuthenticatorScreen({ seed, onConfirm, onBack, onStartOver }: AuthenticatorProps) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const digits = code.replace(/[\s-]/g, '');
    if (!/^\d{6}$/.test(digits)) {
      setError('Type the 6-digit code the app shows.');
      return;
    }
    setBusy(true);
    const problem = await onConfirm(digits);
    setBusy(false);
    setCode('');
    setError(problem);
  };
  return (
    <Screen title="Set up your authenticator app" onStartOver={onStartOver}>
      {
        <>
          <p>In your authenticator app, add an account and type this key:</p>
          <p className="session-code">
            <span aria-hidden="true">{groupSecret(seed.secret).join(' ')}</span>
            <span className="sr-only">Key: {groupSecret(seed.secret).join(' ')}</span>
          </p>
          <p className="hint">Or, if the app accepts a link:</p>
          <p className="hint" style={{ overflowWrap: 'anywhere' }}>
            {seed.otpauthUrl}
          </p>
          <form onSubmit={submit} noValidate>
            <label htmlFor="enroll-code">The 6-digit code the app shows now</label>
            <input
              id="enroll-code"
              className="input code-input"
              inputMode="numeric"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoComplete="off"
              maxLength={10}
            />
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" className="button primary" disabled={busy}>
              {busy ? 'Please wait…' : 'Confirm'}
            </button>{' '}
            <button type="button" className="button secondary" onClick={onBack}>
              Back
            </button>
          </form>
        </>
      }
    </Screen>
  );
}
