import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build, defineConfig } from 'tsup';
import { commandBuild, libraryBuild } from '../../tsup.package';

/**
 * `@voxwire/webrtc/browser`: the browser client is plain JavaScript that the signaling server serves as
 * is (browser/voxwire-webrtc.js). Next to it in dist/browser: a CommonJS copy, so that the "require"
 * condition gets a module rather than an ESM-only error, and types written from its JSDoc by tsc, with
 * `/// <reference lib="dom" />` so that they resolve in a consumer whose tsconfig has no DOM lib.
 */
async function buildBrowserClient(): Promise<void> {
  await build({
    config: false,
    entry: { 'browser/voxwire-webrtc': 'browser/voxwire-webrtc.js' },
    format: ['cjs'],
    platform: 'browser',
    target: 'es2022',
    silent: true,
  });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(
    process.execPath,
    [
      tsc,
      'browser/voxwire-webrtc.js',
      '--allowJs',
      '--declaration',
      '--emitDeclarationOnly',
      '--strict',
      '--target',
      'es2022',
      '--module',
      'esnext',
      '--moduleResolution',
      'bundler',
      '--lib',
      'es2022,dom',
      '--outDir',
      'dist/browser',
    ],
    { stdio: 'inherit' },
  );
  const dts = 'dist/browser/voxwire-webrtc.d.ts';
  writeFileSync(dts, `/// <reference lib="dom" />\n${readFileSync(dts, 'utf8')}`);
  copyFileSync(dts, 'dist/browser/voxwire-webrtc.d.cts');
}

/**
 * The workspace's werift patch (patches/ at the repository root), shipped in dist/ so that an application that
 * installs @voxwire/webrtc from npm can apply the same per-packet fixes (README, "werift patch").
 */
function copyWeriftPatch(): void {
  copyFileSync('../../patches/werift@0.25.2.patch', 'dist/werift@0.25.2.patch');
}

export default defineConfig([
  libraryBuild({
    // The browser client is located relative to the module (import.meta.url), which the CJS build needs shimmed.
    shims: true,
    // After the clean and the Node build, so that nothing removes what it writes.
    onSuccess: async () => {
      await buildBrowserClient();
      copyWeriftPatch();
    },
  }),
  // The voxwire-patch-werift command. It finds the patch next to itself in dist/.
  commandBuild('src/patch-werift-cli.ts'),
]);
