import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Two projects: every test with the plain enclave (mmu: 'off'), and the
// known-answer, differential and negative (hidden-input) suites again with
// AWRE_MMU=waven-check: the WAVEN checking build (docs/waven.md, "Confined
// accesses"), which gives the shipped WAVEN module's results and traps on any
// access the shipped module would confine to the wrong page. The shipped
// WAVEN module itself is compared byte for byte by tests/golden.test.ts and
// tests/waven.test.ts. The multi-GiB SHA-3 LDT cases run only in the first.
const shared = { testTimeout: 300_000, hookTimeout: 300_000, pool: 'forks' as const };
// package.json "imports" maps #platform to dist/; the tests run the sources (docs/browser.md).
const resolve = { alias: { '#platform': fileURLToPath(new URL('./host/platform/node.ts', import.meta.url)) } };

export default defineConfig({
  test: {
    projects: [
      { resolve, test: { ...shared, name: 'off', include: ['tests/**/*.test.ts'] } },
      {
        resolve,
        test: {
          ...shared,
          name: 'waven',
          include: [
            'tests/acvp-mlkem.test.ts', 'tests/diff-mlkem.test.ts', 'tests/acvp-sha3.test.ts', 'tests/diff-sha3.test.ts',
            'tests/mldsa-acvp.test.ts', 'tests/mldsa-diff.test.ts', 'tests/gcm-acvp.test.ts', 'tests/gcm-diff.test.ts',
            'tests/negative-mlkem.test.ts', 'tests/mldsa-negative.test.ts', 'tests/gcm-negative.test.ts', 'tests/gcm-binding.test.ts',
          ],
          env: { AWRE_MMU: 'waven-check', AWRE_LDT_MAX_BYTES: '0' },
        },
      },
    ],
  },
});
