import { api, setCsrfToken } from '../../api/client';

export type Agent = {
  storeId: string;
  userId: string;
  dn: string;
  username: string;
  displayName: string;
  groups: string[];
};
export type SessionView = { agent: Agent; csrfToken: string; expiresAt: string };
export type SignInStore = { id: string; name: string; isDefault: boolean };

export const sessionApi = {
  stores: () => api<SignInStore[]>('GET', '/session/stores'),
  async current(): Promise<SessionView | null> {
    try {
      const s = await api<SessionView>('GET', '/session');
      setCsrfToken(s.csrfToken);
      return s;
    } catch (e) {
      if ((e as { status?: number }).status === 401) return null;
      throw e;
    }
  },
  async signIn(input: { storeId?: string; username: string; password: string }): Promise<SessionView> {
    const s = await api<SessionView>('POST', '/session', input);
    setCsrfToken(s.csrfToken);
    return s;
  },
  async signOut(): Promise<void> {
    await api<void>('DELETE', '/session');
    setCsrfToken(undefined);
  },
};
