import { type FormEvent, useState } from 'react';
import { Screen } from '../../components/Screen';

export function LoadingScreen() {
  return <Screen title="Unlock Desk">Starting…</Screen>;
}

export function UnreachableScreen({ message }: { message: string }) {
  return (
    <Screen title="This kiosk is not available right now">
      <p>{message}</p>
      <p>Please ask at the helpdesk desk. The kiosk tries again by itself.</p>
    </Screen>
  );
}

export function RevokedScreen() {
  return <Screen title="This kiosk has been switched off" />;
}

/** Set-up for the administrator: the one-time activation code from the admin console. */
export function NotActivatedScreen({ onActivate }: { onActivate: (code: string) => Promise<string | null> }) {
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!code.trim()) {
      setError('Type the activation code.');
      return;
    }
    setBusy(true);
    const problem = await onActivate(code);
    setBusy(false);
    setError(problem);
    if (problem) setCode('');
  };
  return (
    <Screen title="This kiosk is not set up">
      <p>An administrator sets up this kiosk with the activation code from the admin console.</p>
      <form onSubmit={submit} noValidate>
        <label htmlFor="activation-code">Activation code</label>
        <input
          id="activation-code"
          className="input code-input"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="off"
          autoCapitalize="characters"
          autoCorrect="off"
          spellCheck={false}
          maxLength={32}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'activation-error' : undefined}
        />
        {error && (
          <p id="activation-error" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Activating…' : 'Activate'}
        </button>
      </form>
    </Screen>
  );
}
