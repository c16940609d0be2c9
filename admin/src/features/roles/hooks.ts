import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type RoleDefinition, rolesApi } from './api';

const rolesKey = ['roles'] as const;
/** Not under ['session', …]: sign-out forgets every query except the session's, and access must go with it. */
export const accessKey = ['access'] as const;

export function useRoles() {
  return useQuery({ queryKey: rolesKey, queryFn: rolesApi.list, staleTime: 10_000 });
}

/**
 * The signed-in agent's effective role and permissions. Re-read often: an administrator's role edit applies to the
 * agent's next request, and the navigation should follow.
 */
export function useAccess(enabled = true) {
  return useQuery({
    queryKey: accessKey,
    queryFn: rolesApi.access,
    enabled,
    staleTime: 15_000,
    refetchOnWindowFocus: true,
  });
}

export type SaveRole = { roleId?: string; revision?: number; definition: RoleDefinition };

export function useSaveRole() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ roleId, revision, definition }: SaveRole) =>
      roleId === undefined || revision === undefined
        ? rolesApi.create(definition)
        : rolesApi.change(roleId, definition, revision),
    onSettled: () => {
      client.invalidateQueries({ queryKey: rolesKey });
      client.invalidateQueries({ queryKey: accessKey });
    },
  });
}

export function useDeleteRole() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ roleId, revision }: { roleId: string; revision: number }) => rolesApi.remove(roleId, revision),
    onSettled: () => {
      client.invalidateQueries({ queryKey: rolesKey });
      client.invalidateQueries({ queryKey: accessKey });
    },
  });
}

/** Reads one role fresh (after a 412, to show what someone else saved). */
export function useReloadRole() {
  const client = useQueryClient();
  return async (roleId: string) => {
    const role = await rolesApi.get(roleId);
    await client.invalidateQueries({ queryKey: rolesKey });
    return role;
  };
}
