import { Screen } from '../../components/Screen';
import type { KioskSessionView } from './api';
import { clockTime, groupCode } from './model';

export function WaitingScreen({ session, onStartOver }: { session: KioskSessionView; onStartOver: () => void }) {
  const groups = groupCode(session.code ?? '');
  return (
    <Screen title="Tell the helpdesk agent this code" onStartOver={onStartOver}>
      <p className="session-code">
        <span className="sr-only">Your code: {groups.map((g) => g.split('').join(' ')).join(', ')}</span>
        <span aria-hidden="true">
          {groups.map((g, i) => (
            <span key={g + String(i)}>
              {i > 0 && (
                <span className="code-separator" aria-hidden="true">
                  -
                </span>
              )}
              <span className="code-group">{g}</span>
            </span>
          ))}
        </span>
      </p>
      <p>The agent types this code to find you. Stay here: the next step appears on this screen.</p>
      <p>This code expires at {clockTime(session.expiresAt)}.</p>
    </Screen>
  );
}
