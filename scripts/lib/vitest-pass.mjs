// One vitest run over the workspace, counted from its JSON report.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { log, run } from './log.mjs';

function summarize(resultsFile) {
  if (!existsSync(resultsFile)) return null;
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const file of r.testResults ?? []) {
    const asserts = file.assertionResults ?? [];
    for (const a of asserts) {
      if (a.status === 'passed') passed++;
      else if (a.status === 'failed') failed++;
      else skipped++;
    }
    // A file that failed to load has no failed assertions but must still count as a failure.
    if (file.status === 'failed' && !asserts.some((a) => a.status === 'failed')) failed++;
  }
  return { passed, failed, skipped };
}

/**
 * Runs vitest once (`vitest` is the argv prefix that starts it) and returns its counts; a run that produced
 * no report, or that exited with an error outside any test (an unhandled rejection, a worker RPC timeout: its
 * JSON report still says success), counts as one failure.
 */
export function vitestPass(root, vitest, args, env, resultsFile) {
  rmSync(resultsFile, { force: true });
  const status = run(
    vitest[0],
    [
      ...vitest.slice(1),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${resultsFile}`,
      ...args,
    ],
    { cwd: root, env: { ...env, CI: process.env.CI ?? 'true' } },
  );
  const s = summarize(resultsFile);
  if (!s) {
    log('the test runner produced no results; see the messages above: counted as 1 failure');
    return { passed: 0, failed: 1, skipped: 0 };
  }
  if (status !== 0 && s.failed === 0) {
    log(
      'the test runner exited with an error outside the tests (see "Unhandled Errors" above): counted as 1 failure',
    );
    s.failed = 1;
  }
  return s;
}

/** The vitest project names of packages/* (the libraries, without the example agents). */
export function packageProjects(root) {
  const names = [];
  for (const dir of readdirSync(join(root, 'packages'))) {
    const config = join(root, 'packages', dir, 'vitest.config.ts');
    const m = existsSync(config) ? /name:\s*'([^']+)'/.exec(readFileSync(config, 'utf8')) : null;
    if (m) names.push(m[1]);
  }
  return names;
}
