import { Screen } from '../../components/Screen';

export function WelcomeScreen({ kioskName, onLockedOut }: { kioskName: string; onLockedOut: () => void }) {
  return (
    <Screen title="Welcome">
      <p className="kiosk-name">{kioskName}</p>
      <p>Locked out of your account? Start here and a helpdesk agent will help you.</p>
      <button type="button" className="button primary huge" onClick={onLockedOut}>
        I'm locked out
      </button>
    </Screen>
  );
}
