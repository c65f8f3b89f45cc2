// Builds the browser test harness (not shipped with the app) with the app's own Vite settings.
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vite';
import appConfig from '../../vite.config.ts';

const here = fileURLToPath(new URL('.', import.meta.url));

export default mergeConfig(
  appConfig,
  defineConfig({
    root: here,
    base: './',
    logLevel: 'warn',
    build: { outDir: fileURLToPath(new URL('../.out/harness', import.meta.url)), emptyOutDir: true, sourcemap: false },
  }),
);
