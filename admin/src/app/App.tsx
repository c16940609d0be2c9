import { Center, Loader } from '@mantine/core';
import { useRef } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { AppShellLayout, type NavItem } from '../components/AppShellLayout';
import { HelpdeskPage } from '../features/helpdesk/HelpdeskPage';
import { SignInPage } from '../features/session/SignInPage';
import { useSession } from '../features/session/useSession';

const nav: NavItem[] = [{ to: '/helpdesk', label: 'Helpdesk' }];

export function App() {
  const session = useSession();
  const hadSession = useRef(false);
  if (session.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (!session.data) return <SignInPage expired={hadSession.current} />;
  hadSession.current = true;
  return (
    <AppShellLayout session={session.data} nav={nav}>
      <Routes>
        <Route path="/helpdesk" element={<HelpdeskPage />} />
        <Route path="*" element={<Navigate to="/helpdesk" replace />} />
      </Routes>
    </AppShellLayout>
  );
}
