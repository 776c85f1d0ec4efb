// A new user's view of every package: the publishable packages packed as `pnpm publish` would pack them,
// installed with plain npm into a project outside the workspace, then imported (ESM and CJS), used for
// one real operation each, and compiled by a strict TypeScript consumer (skipLibCheck: false) under
// node16 and bundler resolution. Also publint --strict and attw on every tarball.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { undeclaredImports } from './imports-scan.js';
import {
  consumerRoot,
  ensureLinuxX64Binary,
  nodeSupported,
  npmInstall,
  type Packed,
  packAll,
  publishablePackages,
  type RunResult,
  root,
  run,
  userEnv,
  writeProject,
} from './project.js';

const work = mkdtempSync(join(tmpdir(), 'voxwire-consumer-'));
const project = join(work, 'app');
const tarballs = join(work, 'tarballs');
let packed: Packed[] = [];
const libraries = () => packed.filter((p) => !p.platform);
const linuxX64 = () => packed.find((p) => p.name === '@voxwire/wasapi-linux-x64-gnu') as Packed;
const bin = (name: string) => join(consumerRoot, 'node_modules', '.bin', name);

beforeAll(async () => {
  console.info(`[consumer] linux-x64 binary: ${await ensureLinuxX64Binary()}; working in ${work}`);
  mkdirSync(tarballs);
  mkdirSync(project);
  packed = await packAll(publishablePackages(), tarballs);
  const typescript = JSON.parse(
    readFileSync(join(root, 'node_modules', 'typescript', 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  writeProject(project, packed, { typescript: typescript.version, '@types/node': '^22.0.0' });
  const install = await npmInstall(project);
  if (install.status !== 0) throw new Error(`npm install failed:\n${install.stderr}\n${install.stdout}`);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `script` (a fixture copied into `cwd`) with the user's Node and environment. */
function nodeIn(cwd: string, script: string): Promise<RunResult> {
  return run(process.execPath, [script], { cwd, env: userEnv(), timeoutMs: 90_000 });
}

/** Runs a fixture script in the installed project and parses its JSON line. */
async function fixture<T>(script: string, args: string[] = []): Promise<T> {
  const r = await run(process.execPath, [script, ...args], {
    cwd: project,
    env: userEnv(),
    timeoutMs: 90_000,
  });
  if (r.status !== 0) throw new Error(`${script} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as T;
}

/** `task` for every item, two at a time (the checks are CPU-bound, on a 2-core machine). */
async function inPairs<T, R>(items: T[], task: (item: T) => Promise<R>): Promise<[T, R][]> {
  const out: [T, R][] = [];
  for (let i = 0; i < items.length; i += 2) {
    const pair = items.slice(i, i + 2);
    const results = await Promise.all(pair.map(task));
    for (const [j, item] of pair.entries()) out.push([item, results[j] as R]);
  }
  return out;
}

function tarList(tarball: string): string[] {
  return execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
}

describe('packed tarballs', () => {
  it('packs every publishable package, each with LICENSE, README and package.json; platform packages with their binary', () => {
    expect(packed.map((p) => p.name)).toEqual(
      expect.arrayContaining(['@voxwire/codecs', '@voxwire/wasapi-linux-x64-gnu']),
    );
    const license = readFileSync(join(root, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License/);
    for (const p of packed) {
      const files = tarList(p.tarball);
      expect(files, p.name).toEqual(
        expect.arrayContaining(['package/LICENSE', 'package/README.md', 'package/package.json']),
      );
      const manifest = JSON.parse(
        execFileSync('tar', ['xzOf', p.tarball, 'package/package.json'], { encoding: 'utf8' }),
      );
      expect(manifest.repository?.directory, p.name).toMatch(/^packages\//);
      expect(manifest.homepage, p.name).toMatch(/^https:\/\/github\.com\/voxwire\/voxwire\//);
      expect(manifest.bugs?.url, p.name).toBe('https://github.com/voxwire/voxwire/issues');
      expect(manifest.keywords?.length, p.name).toBeGreaterThan(0);
      // workspace:* must have become real versions
      expect(JSON.stringify(manifest), p.name).not.toContain('workspace:');
      if (!p.platform)
        expect(
          files.some((f) => f.startsWith('package/dist/')),
          p.name,
        ).toBe(true);
    }
    expect(tarList(linuxX64().tarball)).toEqual([
      'package/LICENSE',
      'package/README.md',
      'package/package.json',
      'package/voxwire_wasapi.linux-x64-gnu.node',
    ]);
  });

  it('passes publint --strict (libraries and the linux-x64 platform package)', async () => {
    const results = await inPairs([...libraries(), linuxX64()], (p) =>
      run(bin('publint'), ['--strict', p.tarball], { timeoutMs: 60_000 }),
    );
    for (const [p, r] of results) {
      expect(`${p.name}: ${r.stdout}${r.stderr}`).toContain('All good!');
      expect(r.status, p.name).toBe(0);
    }
  });

  it('passes attw (every entry point, every resolution mode)', async () => {
    const results = await inPairs(libraries(), (p) =>
      run(bin('attw'), ['--format', 'json', p.tarball], { timeoutMs: 120_000 }),
    );
    for (const [p, r] of results) {
      const report = JSON.parse(r.stdout) as {
        problems?: Record<string, unknown[]>;
        analysis: { entrypoints: Record<string, unknown>; types: unknown };
      };
      expect(Object.values(report.problems ?? {}).flat(), p.name).toEqual([]);
      expect(report.analysis.types, p.name).not.toBe(false);
      if (p.name === '@voxwire/webrtc')
        expect(Object.keys(report.analysis.entrypoints)).toContain('./browser');
      expect(r.status, p.name).toBe(0);
    }
  });
});

describe('installed with plain npm into a project outside the workspace', () => {
  it('installs only this platform’s binary package, and no package imports anything it does not declare', () => {
    const modules = join(project, 'node_modules', '@voxwire');
    // npm silently skips an optional dependency whose engines do not match: on an unsupported Node, the
    // prebuilt package too (see the wasapi test below for what the user is told then).
    expect(existsSync(join(modules, 'wasapi-linux-x64-gnu', 'voxwire_wasapi.linux-x64-gnu.node'))).toBe(
      nodeSupported(),
    );
    for (const other of ['wasapi-linux-arm64-gnu', 'wasapi-linux-arm-gnueabihf', 'wasapi-win32-x64-msvc'])
      expect(existsSync(join(modules, other)), other).toBe(false);
    for (const p of libraries())
      expect(undeclaredImports(join(project, 'node_modules', p.name)), p.name).toEqual({});
  });

  it('loads every entry point with ESM import and with CommonJS require, with the same exports', async () => {
    const names = [...libraries().map((p) => p.name), '@voxwire/webrtc/browser'];
    const r = await fixture<
      Record<string, { esm: string[]; cjs: string[]; esmError?: string; cjsError?: string }>
    >('imports.mjs', names);
    for (const name of names) {
      expect(r[name]?.esmError, name).toBeUndefined();
      expect(r[name]?.cjsError, name).toBeUndefined();
      expect(r[name]?.esm.length, name).toBeGreaterThan(0);
      expect(r[name]?.cjs, name).toEqual(r[name]?.esm);
    }
    expect(r['@voxwire/webrtc/browser']?.esm).toEqual(['connect']);
  });

  it('codecs: G.711 mu-law and A-law round trips', async () => {
    const r =
      await fixture<Record<'mulaw' | 'alaw', { changed: number; samples: number; maxRelErr: number }>>(
        'codecs.mjs',
      );
    for (const law of ['mulaw', 'alaw'] as const) {
      expect(r[law].changed, law).toBe(0);
      expect(r[law].samples).toBe(8000);
      // G.711 keeps 4 bits of mantissa: within ~6% of the sample (of 256 near zero, where A-law steps by 16).
      expect(r[law].maxRelErr, law).toBeLessThan(0.07);
      expect(r[law].maxRelErr, law).toBeGreaterThan(0);
    }
  });

  // One test whichever Node runs it: CI's supported Nodes capture; an older development Node checks the advice.
  if (nodeSupported()) {
    it('wasapi: a null-backend capture delivers a tone from the prebuilt platform package, nothing compiled', async () => {
      const r = await fixture<{
        frames: number;
        peak: number;
        positionsContiguous: boolean;
        report: { loadedFrom: string; skipped: string[] };
        localBuild: boolean;
      }>('wasapi.mjs');
      expect(r.frames).toBeGreaterThanOrEqual(8000);
      expect(r.positionsContiguous).toBe(true);
      expect(r.peak).toBeGreaterThan(1000);
      expect(r.report.loadedFrom).toBe(
        join(
          project,
          'node_modules',
          '@voxwire',
          'wasapi-linux-x64-gnu',
          'voxwire_wasapi.linux-x64-gnu.node',
        ),
      );
      expect(r.report.skipped).toEqual([]);
      expect(r.localBuild).toBe(false);
    });
  } else {
    it(`wasapi on Node ${process.versions.node} (below engines): the load error says why npm skipped the prebuilt and what to run`, async () => {
      const r = await nodeIn(project, 'wasapi.mjs');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('NATIVE_LOAD_FAILED');
      expect(r.stderr).toContain(
        `npm skips @voxwire/wasapi-linux-x64-gnu on Node ${process.versions.node}: it needs Node >=`,
      );
      expect(r.stderr).toContain('npx voxwire-wasapi-build');
      expect(r.stderr).not.toContain('pnpm');
    });
  }

  it('realtime-client ⇄ realtime-server: a text turn answered in text and audio', async () => {
    const r = await fixture<{ text: string; audioSamples: number }>('realtime.mjs');
    expect(r.text).toBe('Hello from the local model.');
    expect(r.audioSamples).toBeGreaterThan(2400);
  });

  it('twilio-stream: a simulated call carries the caller’s audio in and an utterance out to its mark', async () => {
    const r = await fixture<{ inbound: number; peakIn: number; heard: number; playedMs: number }>(
      'twilio.mjs',
    );
    expect(r.inbound).toBeGreaterThanOrEqual(8000);
    expect(r.peakIn).toBeGreaterThan(6000);
    expect(r.heard).toBeGreaterThanOrEqual(4000);
    expect(r.playedMs).toBeGreaterThanOrEqual(500);
  });

  it('webrtc: two peers exchange a tone over loopback', async () => {
    const r = await fixture<{ received: number; peak: number; weriftPatched: boolean }>('webrtc.mjs');
    expect(r.received).toBeGreaterThanOrEqual(48000);
    expect(r.peak).toBeGreaterThan(3000);
    // npm installs werift as published: the patch is the app's to apply (next test).
    expect(r.weriftPatched).toBe(false);
  });

  it('webrtc ships its werift patch and voxwire-patch-werift, which apply it to the werift npm installed', async () => {
    const werift = join(project, 'node_modules', 'werift');
    expect(JSON.parse(readFileSync(join(werift, 'package.json'), 'utf8')).version).toBe('0.25.2');
    const patch = join(project, 'node_modules', '@voxwire', 'webrtc', 'dist', 'werift@0.25.2.patch');
    // Applied to copies: the other checks here run werift as npm installed it.
    const copy = join(work, 'werift-patched');
    cpSync(werift, copy, { recursive: true });
    execFileSync('patch', ['-p1', '-s', '-d', copy, '-i', patch]);
    expect(readFileSync(join(copy, 'lib', 'index.mjs'), 'utf8')).toContain('sendRtpNow(rtp) {');
    expect(readFileSync(join(werift, 'lib', 'index.mjs'), 'utf8')).not.toContain('sendRtpNow(');

    // The command an app's postinstall runs (no `patch` program needed): the same files, then a no-op.
    // Run by this Node: the linked bin's #! would take whichever `node` is first on PATH.
    const cli = join(project, 'node_modules', '.bin', 'voxwire-patch-werift');
    const ours = join(work, 'werift-patched-by-cli');
    cpSync(werift, ours, { recursive: true });
    const patcher = (args: string[]) =>
      run(process.execPath, [cli, ...args], { cwd: project, env: userEnv(), timeoutMs: 60_000 });
    const check = () => patcher(['--dir', ours, '--check']);
    expect((await check()).status).toBe(1);
    // Asking whether the patch is in place and to remove it at once is refused, not answered backwards.
    expect((await patcher(['--dir', ours, '--check', '--reverse'])).status).toBe(2);
    const first = await patcher(['--dir', ours]);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/\d+ hunk\(s\) applied, 0 already so/);
    for (const f of [
      'lib/index.mjs',
      'lib/webrtc/src/utils.js',
      'lib/common/src/binary.js',
      'lib/common/src/transport.js',
      'lib/webrtc/src/media/rtpSender.js',
    ])
      expect(readFileSync(join(ours, f), 'utf8')).toBe(readFileSync(join(copy, f), 'utf8'));
    expect((await check()).status).toBe(0);
    const again = await patcher(['--dir', ours]);
    expect(again.stdout).toMatch(/0 hunk\(s\) applied, \d+ already so \(0 file\(s\) written\)/);
    // Without --dir it finds the werift @voxwire/webrtc loads, which npm installed unpatched.
    const installed = await patcher(['--check']);
    expect(installed.status).toBe(1);
    expect(installed.stdout).toContain(join('node_modules', 'werift'));
  });

  it('an app that runs voxwire-patch-werift gets the patched werift from import and from require', async () => {
    const werift = join(project, 'node_modules', 'werift');
    const unpatched = join(work, 'werift-as-installed');
    cpSync(werift, unpatched, { recursive: true });
    const cli = join(project, 'node_modules', '.bin', 'voxwire-patch-werift');
    try {
      // What an app's postinstall runs: no --dir, the werift @voxwire/webrtc loads.
      const r = await run(process.execPath, [cli], { cwd: project, env: userEnv(), timeoutMs: 60_000 });
      expect(r.status).toBe(0);
      for (const args of [[], ['--cjs']]) {
        const call = await fixture<{ received: number; peak: number; weriftPatched: boolean }>(
          'webrtc.mjs',
          args,
        );
        expect(call.weriftPatched).toBe(true);
        expect(call.received).toBeGreaterThanOrEqual(48000);
        expect(call.peak).toBeGreaterThan(3000);
      }
    } finally {
      // The other checks run werift as npm installed it.
      rmSync(werift, { recursive: true, force: true });
      cpSync(unpatched, werift, { recursive: true });
    }
  });

  it('bridge: a simulated Twilio call is answered by the local model and ends when the caller hangs up', async () => {
    const r = await fixture<{ ready: boolean; heardMs: number; reason: string }>('bridge.mjs');
    expect(r.ready).toBe(true);
    expect(r.heardMs).toBeGreaterThan(500);
    expect(r.reason).toMatch(/call ended/);
  });

  for (const resolution of ['node16', 'bundler']) {
    it(`compiles a strict TypeScript consumer (skipLibCheck: false) under ${resolution} resolution`, async () => {
      const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc');
      const r = await run(
        process.execPath,
        [tsc, '-p', join(project, 'types', `tsconfig.${resolution}.json`)],
        {
          cwd: project,
          timeoutMs: 120_000,
        },
      );
      expect(`${r.stdout}${r.stderr}`).toBe('');
      expect(r.status).toBe(0);
    });
  }
});

describe('source fallback: @voxwire/wasapi installed without its prebuilt (--omit=optional)', () => {
  it('the load error names `npx voxwire-wasapi-build`, which explains a missing compiler, then builds an addon that captures', async () => {
    const app = join(work, 'no-prebuilt');
    mkdirSync(app);
    const specs = Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'no-prebuilt',
        private: true,
        type: 'module',
        dependencies: { '@voxwire/wasapi': specs['@voxwire/wasapi'] },
        overrides: specs,
      }),
    );
    cpSync(join(consumerRoot, 'fixtures', 'wasapi.mjs'), join(app, 'wasapi.mjs'));
    const install = await run(
      'npm',
      ['install', '--omit=optional', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
      {
        cwd: app,
        env: userEnv(),
        timeoutMs: 180_000,
      },
    );
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.status).toBe(0);

    const before = await nodeIn(app, 'wasapi.mjs');
    expect(before.status).toBe(1);
    expect(before.stderr).toContain('@voxwire/wasapi-linux-x64-gnu: package not installed');
    expect(before.stderr).toContain('npx voxwire-wasapi-build');

    // A machine with Node and nothing else on PATH: no c++, g++ or clang++.
    const bare = join(app, 'bare-bin');
    mkdirSync(bare);
    symlinkSync(process.execPath, join(bare, 'node'));
    const noCompiler = await run(join(app, 'node_modules', '.bin', 'voxwire-wasapi-build'), [], {
      cwd: app,
      env: { PATH: bare, HOME: process.env.HOME ?? tmpdir() },
    });
    expect(noCompiler.status).toBe(1);
    expect(noCompiler.stderr).toContain('missing a C++17 compiler');
    expect(noCompiler.stderr).toContain('sudo apt-get install -y g++');
    expect(noCompiler.stderr).not.toMatch(/\n\s+at /);

    const build = await run('npx', ['voxwire-wasapi-build'], {
      cwd: app,
      env: userEnv(),
      timeoutMs: 240_000,
    });
    expect(build.stderr).toContain('built');
    expect(build.status).toBe(0);
    const r = await nodeIn(app, 'wasapi.mjs');
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as {
      frames: number;
      peak: number;
      report: { loadedFrom: string; skipped: string[] };
    };
    expect(result.frames).toBeGreaterThanOrEqual(8000);
    expect(result.peak).toBeGreaterThan(1000);
    expect(result.report.loadedFrom).toBe(
      join(app, 'node_modules', '@voxwire', 'wasapi', 'build', 'Release', 'voxwire_wasapi.node'),
    );
    expect(result.report.skipped).toEqual([
      expect.stringMatching(/^@voxwire\/wasapi-linux-x64-gnu: package not installed/),
    ]);
  });
});
