import { useEffect, useState } from 'react';

type Health = { status: string; node: string };

export function App() {
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('/api/health')
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then(setHealth, (e: Error) => setError(e.message));
  }, []);
  return (
    <main>
      <h1>Unlock Desk — Admin</h1>
      <p role="status">
        {health ? `Backend: ${health.status}` : error ? `Backend unreachable: ${error}` : 'Connecting…'}
      </p>
    </main>
  );
}
