import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The renderer is built to out/renderer and served by the app scheme (Electron)
// or by the web server (web mode); relative asset paths work for both.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [svelte()],
  publicDir: false,
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    assetsInlineLimit: 0,
    // The whole Unicode sign list (5,066 signs, ~1.2 MB) ships in the bundle: the app is
    // offline and loads it from disk, so the web-page size warning does not apply.
    chunkSizeWarningLimit: 2048,
  },
  server: { port: 5173, strictPort: true },
});
