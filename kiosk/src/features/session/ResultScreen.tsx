import { Screen } from '../../components/Screen';
import type { KioskSessionView } from './api';

export function ResultScreen({ session, onStartOver }: { session: KioskSessionView; onStartOver: () => void }) {
  const unlocked = session.status === 'unlocked';
  return (
    <Screen
      title={unlocked ? 'Your account is unlocked. You can sign in now.' : 'Your account was not unlocked'}
      onStartOver={onStartOver}
    >
      {!unlocked && (
        <>
          {session.result?.message && <p>{session.result.message}</p>}
          <p className="emphasis">Please ask at the helpdesk desk.</p>
        </>
      )}
      <p className="hint">This screen goes back to the start in 15 seconds.</p>
    </Screen>
  );
}
