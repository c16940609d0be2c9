import { Center, Loader } from '@mantine/core';
import { lazy, useEffect, useRef, useState } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { onSessionExpired } from '../api/client';
import { AppShellLayout, type NavItem } from '../components/AppShellLayout';
import { HelpdeskPage } from '../features/helpdesk/HelpdeskPage';
import { useAccess } from '../features/roles/hooks';
import { RequirePermission } from '../features/roles/RequirePermission';
import { SignInPage } from '../features/session/SignInPage';
import { useSession } from '../features/session/useSession';

// Loaded on first visit only, so the first load (sign-in + helpdesk) stays small.
const RolesPage = lazy(() => import('../features/roles/RolesPage'));
const AuditPage = lazy(() => import('../features/audit/AuditPage'));
const KiosksPage = lazy(() => import('../features/kiosks/KiosksPage'));

export function App() {
  const session = useSession();
  const access = useAccess(Boolean(session.data));
  const hadSession = useRef(false);
  // The backend's message when the directory ended the session (account disabled, locked, deleted), for the sign-in page.
  const [ended, setEnded] = useState<string>();
  useEffect(() => onSessionExpired((end) => setEnded(end.reason === 'session-ended' ? end.message : undefined)), []);
  if (session.isPending) {
    return (
      <Center mih="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  if (!session.data) return <SignInPage expired={hadSession.current} ended={ended} />;
  hadSession.current = true;
  const can = (p: 'ManageRoles' | 'ManageKiosks' | 'ViewAudit') => access.data?.permissions.includes(p) ?? false;
  const nav: NavItem[] = [
    { to: '/helpdesk', label: 'Helpdesk' },
    ...(can('ManageRoles') ? [{ to: '/roles', label: 'Roles & policy' }] : []),
    ...(can('ManageKiosks') ? [{ to: '/kiosks', label: 'Kiosks' }] : []),
    ...(can('ViewAudit') ? [{ to: '/audit', label: 'Audit' }] : []),
  ];
  return (
    <AppShellLayout session={session.data} nav={nav}>
      <Routes>
        <Route path="/helpdesk" element={<HelpdeskPage />} />
        <Route
          path="/roles"
          element={
            <RequirePermission permission="ManageRoles">
              <RolesPage />
            </RequirePermission>
          }
        />
        <Route
          path="/kiosks"
          element={
            <RequirePermission permission="ManageKiosks">
              <KiosksPage />
            </RequirePermission>
          }
        />
        <Route
          path="/audit"
          element={
            <RequirePermission permission="ViewAudit">
              <AuditPage />
            </RequirePermission>
          }
        />
        <Route path="*" element={<Navigate to="/helpdesk" replace />} />
      </Routes>
    </AppShellLayout>
  );
}
