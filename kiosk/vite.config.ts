import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// In development Vite serves the app and proxies the API to the backend; in production the backend serves dist/.
export default defineConfig({
  base: '/kiosk/',
  plugins: [react()],
  server: { proxy: { '/api': process.env.UNLOCKDESK_API ?? 'http://127.0.0.1:8080' } },
  build: { outDir: 'dist', sourcemap: true },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
    testTimeout: 20_000,
  },
});
