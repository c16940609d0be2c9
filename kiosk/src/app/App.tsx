import { useEffect, useState } from 'react';
import { LoadingScreen, NotActivatedScreen, RevokedScreen, UnreachableScreen } from '../features/device/DeviceScreens';
import { EnrollmentFlow } from '../features/enrollment/EnrollmentFlow';
import { sessionScreen } from '../features/session/model';
import { ResultScreen } from '../features/session/ResultScreen';
import { UsernameScreen } from '../features/session/UsernameScreen';
import { VerifyingScreen } from '../features/session/VerifyingScreen';
import { WaitingScreen } from '../features/session/WaitingScreen';
import { WelcomeScreen } from '../features/session/WelcomeScreen';
import { useInactivity } from './useInactivity';
import { type KioskScreen, useKiosk } from './useKiosk';
import { useLockdown } from './useLockdown';

export const TITLE = 'Unlock Desk kiosk';

/** The walk-up kiosk: one screen at a time, a live region for what changed, nothing that leads out of the app. */
export function App() {
  const k = useKiosk();
  /** "Set up how we can verify you" runs on top of Welcome, with its own inactivity reset. */
  const [enrolling, setEnrolling] = useState(false);
  const enrollmentShown = enrolling && k.state.screen === 'welcome';
  // Leaving Welcome (a device error, a revocation) ends the set-up for good: coming back shows Welcome, not the flow.
  useEffect(() => {
    if (k.state.screen !== 'welcome') setEnrolling(false);
  }, [k.state.screen]);
  const { warning } = useInactivity(k.inactivityLimit, k.idle, k.screenKey);
  useLockdown();

  // The title never changes, whatever the screen (nothing about the person ends up in the browser's history).
  useEffect(() => {
    if (document.title !== TITLE) document.title = TITLE;
  });

  return (
    <div className="kiosk">
      {/* A fresh key per screen: every field and its state is gone when the screen changes. */}
      <main key={enrollmentShown ? 'enrollment' : k.screenKey}>
        {enrollmentShown ? (
          <EnrollmentFlow onExit={() => setEnrolling(false)} />
        ) : (
          renderScreen(k.state, k, () => setEnrolling(true))
        )}
      </main>
      {warning && (
        <p className="warning" role="alert">
          Still there? This screen will start over soon. Touch the screen to keep going.
        </p>
      )}
      <p className="notice" role="status" aria-live="polite">
        {k.notice}
      </p>
    </div>
  );
}

function renderScreen(state: KioskScreen, k: ReturnType<typeof useKiosk>, onEnroll: () => void) {
  switch (state.screen) {
    case 'loading':
      return <LoadingScreen />;
    case 'unreachable':
      return <UnreachableScreen message={state.message} />;
    case 'not-activated':
      return <NotActivatedScreen onActivate={k.activate} />;
    case 'revoked':
      return <RevokedScreen />;
    case 'welcome':
      return <WelcomeScreen kioskName={k.kiosk?.name ?? ''} onLockedOut={k.beginLockedOut} onEnroll={onEnroll} />;
    case 'username':
      return <UsernameScreen onContinue={k.startSession} onStartOver={k.startOver} />;
    case 'session':
      switch (sessionScreen(state.session.status)) {
        case 'waiting':
          return <WaitingScreen session={state.session} onStartOver={k.startOver} />;
        case 'verifying':
          return (
            <VerifyingScreen
              session={state.session}
              onAnswer={k.answer}
              onCode={k.verifyCode}
              onAuthenticator={k.verifyAuthenticator}
              onStartOver={k.startOver}
            />
          );
        default:
          return <ResultScreen session={state.session} onStartOver={k.startOver} />;
      }
  }
}
