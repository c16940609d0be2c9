import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { onSessionExpired } from '../../api/client';
import { sessionApi } from './api';

const key = ['session'] as const;

export function useSession() {
  const client = useQueryClient();
  useEffect(() => onSessionExpired(() => client.setQueryData(key, null)), [client]);
  return useQuery({ queryKey: key, queryFn: sessionApi.current, staleTime: 60_000 });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: sessionApi.signIn,
    onSuccess: (session) => client.setQueryData(key, session),
  });
}

export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: sessionApi.signOut,
    onSettled: () => {
      // Forget everything the agent could see, and show the sign-in page.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
      client.setQueryData(key, null);
    },
  });
}

export function useSignInStores() {
  return useQuery({ queryKey: ['session', 'stores'], queryFn: sessionApi.stores, staleTime: 5 * 60_000 });
}
