import { AppShell, Button, Group, NavLink, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { NavLink as RouterLink, useLocation } from 'react-router';
import type { SessionView } from '../features/session/api';
import { useSignOut } from '../features/session/useSession';
import { readableText } from './contrast';

export type NavItem = { to: string; label: string };

/** The signed-in frame: header with the agent and sign-out, navigation, and the page. */
export function AppShellLayout({
  session,
  nav,
  children,
}: {
  session: SessionView;
  nav: NavItem[];
  children: ReactNode;
}) {
  const signOut = useSignOut();
  const location = useLocation();
  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm' }} padding="md" style={readableText}>
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between">
          <Title order={2} size="h4">
            Unlock Desk
          </Title>
          <Group gap="sm">
            <Text size="sm" aria-label="Signed in as">
              {session.agent.displayName} ({session.agent.username})
            </Text>
            <Button variant="default" size="xs" onClick={() => signOut.mutate()} loading={signOut.isPending}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        {nav.map((item) => (
          <NavLink
            key={item.to}
            component={RouterLink}
            to={item.to}
            label={item.label}
            active={location.pathname === item.to || location.pathname.startsWith(`${item.to}/`)}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
