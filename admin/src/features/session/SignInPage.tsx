import { Alert, Button, Center, Paper, PasswordInput, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { ApiError } from '../../api/client';
import { readableAlert } from '../../components/contrast';
import { useSignIn, useSignInStores } from './useSession';

/**
 * Agent sign-in with directory credentials; the store picker appears when several stores accept sign-ins. `ended`:
 * the backend's message when the directory ended the previous session (shown instead of the plain expiry notice).
 */
export function SignInPage({ expired = false, ended }: { expired?: boolean; ended?: string }) {
  const stores = useSignInStores();
  const signIn = useSignIn();
  const defaultStore = stores.data?.find((s) => s.isDefault)?.id ?? stores.data?.[0]?.id ?? '';
  const form = useForm({
    initialValues: { storeId: '', username: '', password: '' },
    validate: {
      username: (v) => (v.trim() ? null : 'Enter your username'),
      password: (v) => (v ? null : 'Enter your password'),
    },
  });
  const error = signIn.error instanceof ApiError ? signIn.error : undefined;

  return (
    <Center mih="100vh" bg="gray.1">
      <Paper component="main" withBorder shadow="sm" p="xl" w={400} radius="md">
        <form
          onSubmit={form.onSubmit((values) =>
            signIn.mutate({ ...values, storeId: values.storeId || defaultStore || undefined }),
          )}
          aria-label="Sign in"
        >
          <Stack>
            <Title order={1} size="h2">
              Unlock Desk
            </Title>
            <Text c="gray.7" size="sm">
              Sign in with your directory account.
            </Text>
            {(expired || ended) && !error && (
              <Alert color="yellow" title="Session ended" role="status" styles={readableAlert}>
                {ended ?? 'Your session expired. Sign in again to continue.'}
              </Alert>
            )}
            {error && (
              <Alert color="red" title={signInErrorTitle(error)} role="alert" styles={readableAlert}>
                {error.message}
                {error.retryAfterSeconds ? ` (about ${Math.ceil(error.retryAfterSeconds / 60)} min)` : ''}
              </Alert>
            )}
            {(stores.data?.length ?? 0) > 1 && (
              <Select
                label="Identity store"
                data={stores.data?.map((s) => ({ value: s.id, label: s.name })) ?? []}
                allowDeselect={false}
                {...form.getInputProps('storeId')}
                value={form.values.storeId || defaultStore}
              />
            )}
            <TextInput label="Username" autoComplete="username" autoFocus {...form.getInputProps('username')} />
            <PasswordInput label="Password" autoComplete="current-password" {...form.getInputProps('password')} />
            <Button type="submit" loading={signIn.isPending}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

function signInErrorTitle(error: ApiError): string {
  switch (error.reason) {
    case 'locked':
      return 'Account locked';
    case 'disabled':
      return 'Account disabled';
    case 'password-must-change':
    case 'password-expired':
      return 'Password change needed';
    case 'rate-limited':
      return 'Too many attempts';
    case 'unavailable':
    case 'network':
      return 'Directory unavailable';
    default:
      return 'Sign-in failed';
  }
}
