import { Alert, Center, Loader, Stack, Text } from '@mantine/core';
import { type ReactNode, Suspense } from 'react';
import { readableAlert } from '../../components/contrast';
import { PERMISSION_LABELS, type Permission } from './api';
import { useAccess } from './hooks';

/**
 * Shows a page only to agents whose current role has the permission; anyone else (for example with a bookmarked
 * URL) gets the backend's reason instead of an empty page. The backend still enforces it on every request.
 */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const access = useAccess();
  if (access.isPending) return <PageLoader />;
  if (access.error) {
    return (
      <Alert color="red" title="Your permissions could not be checked" role="alert" styles={readableAlert}>
        {access.error.message}
      </Alert>
    );
  }
  if (!access.data.permissions.includes(permission)) {
    return (
      <Alert color="yellow" title="Not allowed" role="alert" maw={720} styles={readableAlert}>
        <Stack gap={4}>
          <Text size="sm">This page needs the {PERMISSION_LABELS[permission]} permission.</Text>
          <Text size="sm">{access.data.notPermitted[permission] ?? 'Your role does not grant it.'}</Text>
          <Text size="sm">Ask an administrator to change your role if you need it.</Text>
        </Stack>
      </Alert>
    );
  }
  return <Suspense fallback={<PageLoader />}>{children}</Suspense>;
}

function PageLoader() {
  return (
    <Center mih={200}>
      <Loader aria-label="Loading" />
    </Center>
  );
}
