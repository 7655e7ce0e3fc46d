// Entropy-source patterns of the auditor's policy (recorder/policy.ts,
// docs/abw34.md "Entropy sources"): labels are matched in their normal form
// (normalised absolute paths, parsed URL origins), so the labels a node could
// forge to pass a pattern do not (issue 14, attack 3).
import { describe, expect, it } from 'vitest';
import { parsePolicy, patternProblem, sourceAllowed } from '../recorder/policy.js';

describe('entropy source patterns', () => {
  const cases: [string, string, boolean][] = [
    ['file:/dev/hwrng', 'file:/dev/*', true],
    ['file:/dev/qrandom0', 'file:/dev/*', true],
    ['file:/dev/../home/mallory/zeros.bin', 'file:/dev/*', false], // the attack: a path through /dev/..
    ['file:/dev/./hwrng', 'file:/dev/*', false],
    ['file:/dev//hwrng', 'file:/dev/*', false],
    ['file:/dev/hwrng/', 'file:/dev/*', false],
    ['file:/devices/x', 'file:/dev/*', false],
    ['file:dev/hwrng', 'file:/dev/*', false], // relative: the node records absolute paths
    ['file:/dev/hwrng', 'file:/dev/hwrng', true],
    ['anu:https://qrng.anu.edu.au/API/jsonI.php', 'anu:https://qrng.anu.edu.au/*', true],
    ['anu:https://qrng.anu.edu.au/API/jsonI.php', 'anu:https://qrng.anu.edu.au/API/*', true],
    ['anu:https://127.0.0.1:8443/API/jsonI.php', 'anu:https://qrng.anu.edu.au/*', false], // the attack: a local server named anu
    ['anu:https://qrng.anu.edu.au.mallory.example/API', 'anu:https://qrng.anu.edu.au/*', false],
    ['anu:https://qrng.anu.edu.au:8443/API', 'anu:https://qrng.anu.edu.au/*', false],
    ['anu:http://qrng.anu.edu.au/API', 'anu:https://qrng.anu.edu.au/*', false],
    ['anu:https://QRNG.anu.edu.au/API', 'anu:https://qrng.anu.edu.au/*', false], // not the URL parser's form
    ['anu:https://user@qrng.anu.edu.au/API', 'anu:https://qrng.anu.edu.au/*', false],
    ['anu:https://qrng.anu.edu.au/other/../API', 'anu:https://qrng.anu.edu.au/API/*', false],
    ['anu:https://qrng.anu.edu.au/APIx', 'anu:https://qrng.anu.edu.au/API/*', false],
    ['os', 'os', true],
    ['os', 'sim#*', false],
    ['sim#0123456789abcdef', 'sim#*', true],
  ];
  for (const [label, pattern, want] of cases) {
    it(`${label} ${want ? 'passes' : 'does not pass'} ${pattern}`, () => {
      expect(patternProblem(pattern)).toBeUndefined();
      expect(sourceAllowed(label, [pattern])).toBe(want);
    });
  }

  it('patterns that would match more than they name are refused when the policy is read, naming the field', () => {
    for (const bad of ['anu:https://*', 'anu:https://qrng.anu.edu.au*', 'anu:https://qrng.anu.edu.au/API*', 'file:*', 'file:/dev*', 'file:/dev/../*', 'file:dev/*', '*', 'file:/d*v/*', 'anu:https*', 'anu:http*', 'anu:*', 'anu:/srv/qrng*']) {
      expect(patternProblem(bad), bad).toBeDefined();
      expect(() => parsePolicy(JSON.stringify({ entropy: { sources: ['os', bad] } })), bad).toThrow(/^policy: entropy\.sources\.1: /);
    }
    expect(parsePolicy(JSON.stringify({ entropy: { sources: ['file:/dev/*', 'anu:https://qrng.anu.edu.au/*', 'os'] } })).entropy?.sources).toHaveLength(3);
  });
});
