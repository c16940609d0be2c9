import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { kiosksApi, type RegisterKiosk } from './api';

export const kiosksKey = ['kiosks'] as const;

/** The registered kiosks; read again now and then so "last seen" and activations show up. */
export function useKiosks() {
  return useQuery({ queryKey: kiosksKey, queryFn: kiosksApi.list, staleTime: 10_000, refetchInterval: 30_000 });
}

/** Registers a kiosk; the answer (with the one-time activation code) is for the caller to show once. */
export function useRegisterKiosk() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: RegisterKiosk) => kiosksApi.register(body),
    onSettled: () => client.invalidateQueries({ queryKey: kiosksKey }),
  });
}

export function useRevokeKiosk() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ kioskId, reason }: { kioskId: string; reason?: string }) => kiosksApi.revoke(kioskId, reason),
    onSettled: () => client.invalidateQueries({ queryKey: kiosksKey }),
  });
}
