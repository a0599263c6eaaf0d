/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// `npm run dev` serves the app with hot reload and proxies the API to a running `wright serve`
// (WRIGHT_URL, default http://127.0.0.1:5055). The proxy presents the server's own origin so the
// server's CSRF check (a present Origin must be its own) holds.
const server = process.env.WRIGHT_URL ?? 'http://127.0.0.1:5055';

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: {
    port: 5173,
    proxy: {
      '/api': {
        target: server,
        changeOrigin: true,
        ws: true,
        configure: (proxy) => {
          proxy.on('proxyReq', (request) => {
            if (request.getHeader('origin')) request.setHeader('origin', new URL(server).origin);
          });
        },
      },
      '/health': { target: server, changeOrigin: true },
      '/openapi': { target: server, changeOrigin: true },
    },
  },
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 8000,
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
