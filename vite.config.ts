import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets onnxruntime-web use multi-threaded WASM (SharedArrayBuffer).
// Without these headers ORT silently falls back to one thread (see ../shared/docs/STACK.md).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  // ES workers are required: with the default (iife) format, 2-thread WASM hangs silently.
  worker: { format: 'es' },
  // Pre-bundling ORT makes the dev server reload the page the first time a worker imports it.
  // @jsquash/jpeg finds its .wasm via new URL(..., import.meta.url), which pre-bundling breaks.
  optimizeDeps: { exclude: ['onnxruntime-web', '@jsquash/jpeg'] },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  build: { target: 'es2022', sourcemap: true },
});
