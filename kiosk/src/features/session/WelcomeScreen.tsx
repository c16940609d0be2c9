import { Screen } from '../../components/Screen';

type Props = { kioskName: string; onLockedOut: () => void; onEnroll?: () => void };

export function WelcomeScreen({ kioskName, onLockedOut, onEnroll }: Props) {
  return (
    <Screen title="Welcome">
      <p className="kiosk-name">{kioskName}</p>
      <p>Locked out of your account? Start here and a helpdesk agent will help you.</p>
      <button type="button" className="button primary huge" onClick={onLockedOut}>
        I'm locked out
      </button>
      {onEnroll && (
        <button type="button" className="button secondary huge" onClick={onEnroll}>
          Set up how we can verify you
        </button>
      )}
    </Screen>
  );
}
