import { type FormEvent, useState } from 'react';
import { Screen } from '../../components/Screen';

type Props = { onContinue: (username: string) => Promise<string | null>; onStartOver: () => void };

export function UsernameScreen({ onContinue, onStartOver }: Props) {
  const [username, setUsername] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!username.trim()) {
      setError('Please type your username.');
      return;
    }
    setBusy(true);
    const problem = await onContinue(username);
    setBusy(false);
    setError(problem);
  };
  return (
    <Screen title="What is your username?" focus="field" onStartOver={onStartOver}>
      <form onSubmit={submit} noValidate>
        <label htmlFor="username">Username</label>
        <p id="username-hint" className="hint">
          The name you use to sign in to your computer.
        </p>
        <input
          id="username"
          className="input"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="off"
          autoCapitalize="off"
          autoCorrect="off"
          spellCheck={false}
          maxLength={256}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'username-hint username-error' : 'username-hint'}
        />
        {error && (
          <p id="username-error" className="error">
            {error}
          </p>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Please wait…' : 'Continue'}
        </button>
      </form>
    </Screen>
  );
}
