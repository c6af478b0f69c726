import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // every file fails if it leaves a socket, server, timer or child process open (test/helpers/leaks.ts)
    setupFiles: ["test/setup/leak-check.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
