import { type FormEvent, useState } from 'react';
import { Screen } from '../../components/Screen';
import type { CodeChannel, KioskSessionView, VerificationView } from './api';
import { helperName, lockNotice, progressText } from './model';

type Props = {
  session: KioskSessionView;
  onAnswer: (questionId: string, answer: string) => Promise<void>;
  onCode: (channel: CodeChannel, code: string) => Promise<void>;
  onAuthenticator: (code: string) => Promise<void>;
  onStartOver: () => void;
};

const CHANNEL_LABEL: Record<CodeChannel, string> = { email: 'Email code', sms: 'Text message code' };

/** The person answers the agent's checks here: security questions, a sent code, the authenticator app. */
export function VerifyingScreen({ session, onAnswer, onCode, onAuthenticator, onStartOver }: Props) {
  const [reveal, setReveal] = useState(false);
  const v = session.verification;
  return (
    <Screen title={`${helperName(session)} is helping you`} onStartOver={onStartOver}>
      {!v ? (
        <p>Please wait: the agent is opening your case.</p>
      ) : (
        <>
          <p>
            Answer here what the agent asks you. The agent sees only whether an answer is right, never what you type.
          </p>
          <p className={v.progress.met ? 'progress met' : 'progress'}>
            {v.progress.met ? '✓ ' : ''}
            {progressText(v)}
          </p>
          {v.locked && (
            <p className="locked">
              <strong>Locked: </strong>
              {lockNotice(v.lockedUntil)}
            </p>
          )}
          <Checks v={v} reveal={reveal} onAnswer={onAnswer} onCode={onCode} onAuthenticator={onAuthenticator} />
          {v.questions.some((q) => !q.verified) && (
            <label className="checkbox">
              <input type="checkbox" checked={reveal} onChange={(e) => setReveal(e.target.checked)} />
              Show what I type
            </label>
          )}
        </>
      )}
    </Screen>
  );
}

type ChecksProps = Pick<Props, 'onAnswer' | 'onCode' | 'onAuthenticator'> & { v: VerificationView; reveal: boolean };

function Checks({ v, reveal, onAnswer, onCode, onAuthenticator }: ChecksProps) {
  const channels = (['email', 'sms'] as const).flatMap((ch) => {
    const c = v.codes[ch];
    return c && (c.pending || c.verified) ? [{ channel: ch, ...c }] : [];
  });
  const anything = v.questions.length > 0 || channels.length > 0 || v.authenticator.enrolled;
  if (!anything) return <p>The helpdesk agent will tell you what to do next.</p>;
  return (
    <ul className="checks">
      {v.questions.map((q) => (
        <li key={q.questionId}>
          {q.verified ? (
            <Verified label={q.text} />
          ) : (
            <StepForm
              id={`q-${q.questionId}`}
              label={q.text}
              button="Check answer"
              masked={!reveal}
              disabled={v.locked}
              onSubmit={(value) => onAnswer(q.questionId, value)}
            />
          )}
        </li>
      ))}
      {channels.map((c) => (
        <li key={c.channel}>
          {c.verified ? (
            <Verified label={CHANNEL_LABEL[c.channel]} />
          ) : (
            <StepForm
              id={`code-${c.channel}`}
              label={`We sent a code to ${c.maskedDestination} — type it here`}
              button="Check code"
              code
              disabled={v.locked}
              onSubmit={(value) => onCode(c.channel, value)}
            />
          )}
        </li>
      ))}
      {v.authenticator.enrolled && (
        <li>
          {v.authenticator.verified ? (
            <Verified label="Authenticator app code" />
          ) : (
            <StepForm
              id="authenticator"
              label="The 6-digit code from your authenticator app"
              button="Check code"
              code
              digits={6}
              disabled={v.locked}
              onSubmit={onAuthenticator}
            />
          )}
        </li>
      )}
    </ul>
  );
}

function Verified({ label }: { label: string }) {
  return (
    <p className="verified">
      <span aria-hidden="true">✓ </span>
      {label} — <strong>verified</strong>
    </p>
  );
}

type StepFormProps = {
  id: string;
  label: string;
  button: string;
  masked?: boolean;
  code?: boolean;
  digits?: number;
  disabled: boolean;
  onSubmit: (value: string) => Promise<void>;
};

/** One answer field: never prefilled, cleared after every submit whatever the outcome. */
function StepForm({ id, label, button, masked, code, digits, disabled, onSubmit }: StepFormProps) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!value.trim() || busy) return;
    const typed = value;
    setValue('');
    setBusy(true);
    try {
      await onSubmit(typed);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="step" onSubmit={submit} noValidate>
      <label htmlFor={id}>{label}</label>
      <div className="step-row">
        <input
          id={id}
          className={code ? 'input code-input' : 'input'}
          type={masked ? 'password' : 'text'}
          value={value}
          onChange={(e) => setValue(digits ? e.target.value.replace(/\D/g, '').slice(0, digits) : e.target.value)}
          inputMode={digits ? 'numeric' : undefined}
          maxLength={digits ?? (code ? 16 : 256)}
          autoComplete="off"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          disabled={disabled}
        />
        <button type="submit" className="button primary" disabled={disabled || busy || !value.trim()}>
          {busy ? 'Checking…' : button}
        </button>
      </div>
    </form>
  );
}
