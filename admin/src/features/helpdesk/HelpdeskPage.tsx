import { Title } from '@mantine/core';

/** Helpdesk Operations: user search and the Unlock Account dialog (being built; see issue "Admin app"). */
export function HelpdeskPage() {
  return (
    <Title order={1} size="h3">
      Helpdesk Operations
    </Title>
  );
}
