/// <reference types="vitest/config" />
// Vite builds the UI into `dist/`, which the Tauri shell compiles in and
// `leadguard serve` serves. Relative asset paths let both hosts serve it from `/`.
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
  plugins: [react()],
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // antd is large; one vendor chunk keeps the warning meaningful for our own code.
    chunkSizeWarningLimit: 2000,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    // jsdom renders Ant Design slowly on a 2-core machine; these are not timing tests.
    testTimeout: 30_000,
  },
});
