// Vite builds the console into web/dist, served by Interlock under /console (src/api/console.ts).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, reportCompressedSize: false, chunkSizeWarningLimit: 400 },
  // `npm run dev:web` proxies API calls to a local Interlock, so the console reloads as it is edited.
  server: { proxy: { '/admin': 'http://127.0.0.1:8080', '/metrics': 'http://127.0.0.1:8080' } },
});
