// `npm start -- <agent>` runs the agent with scripts/lib/agent-process.mjs: a Ctrl-C or a SIGTERM stops the
// agent through its own shutdown, the command exits 0, and nothing is left running. Driven on Jarvis, the
// agent `npm start` runs by default, on free ports.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const runner = pathToFileURL(join(root, 'scripts', 'lib', 'agent-process.mjs')).href;

interface Started {
  child: ChildProcess;
  output: () => string;
  ports: number[];
  /** The agent's pid, which is also its process group's id (it runs in a group of its own). */
  agentPid: number;
  exited: Promise<number | null>;
}

let started: Started | undefined;
/** Sends `signal` to process group `pgid` when it still has members (a group that has ended is no error). */
function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in it
  }
}

afterEach(() => {
  // A failed test must not leave Jarvis running: neither the runner's process group nor the agent's own.
  if (started?.child.pid) killGroup(started.child.pid, 'SIGKILL');
  if (started?.agentPid) killGroup(started.agentPid, 'SIGKILL');
  started = undefined;
});

/** Starts runAgent(examples/jarvis) in a process group of its own, as a terminal's foreground job is. */
async function startJarvis(): Promise<Started> {
  const script = `const { runAgent } = await import(${JSON.stringify(runner)});
process.exitCode = await runAgent(${JSON.stringify(join(root, 'examples', 'jarvis'))}, [], process.env);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, JARVIS_CORE_PORT: '0', JARVIS_AUDIO_PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('web UI:')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) =>
      reject(new Error(`the runner exited (${code}) before Jarvis was ready:\n${out}`)),
    );
  });
  started = { child, output: () => out, ports: [], agentPid: 0, exited };
  await ready;
  // The runner's only child is the agent.
  started.agentPid = Number(
    execFileSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' }).trim(),
  );
  expect(started.agentPid).toBeGreaterThan(0);
  started.ports = [...out.matchAll(/on http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
  return started;
}

/** Resolves when every process writing to the runner's output (the runner and the agent) has ended. */
function outputClosed(s: Started): Promise<void> {
  const out = s.child.stdout;
  if (!out || out.closed) return Promise.resolve();
  return new Promise((resolve) => out.once('close', () => resolve()));
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('npm start: the agent process', () => {
  it('a Ctrl-C (SIGINT to the whole process group) shuts the agent down and the command exits 0', async () => {
    const s = await startJarvis();
    expect(s.ports).toHaveLength(2);
    for (const port of s.ports) expect(await accepts(port)).toBe(true);
    process.kill(-(s.child.pid as number), 'SIGINT');
    expect(await s.exited).toBe(0);
    expect(s.output().match(/shutting down/g)).toHaveLength(1);
    expect(s.output()).not.toMatch(/ERR_PNPM|Command failed/);
  });

  it('a SIGTERM to the command alone (as npm or a supervisor sends it) stops the agent too: nothing is left', async () => {
    const s = await startJarvis();
    process.kill(s.child.pid as number, 'SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('shutting down');
    // The agent ran in its own process group; its ports are closed once the command has exited.
    for (const port of s.ports) expect(await accepts(port)).toBe(false);
  });

  it('a SIGKILL of the command alone (nothing can pass it on) still stops the agent: it does not run on orphaned', async () => {
    const s = await startJarvis();
    process.kill(s.child.pid as number, 'SIGKILL');
    await s.exited;
    // The agent is in its own process group: only the end of the runner's IPC channel can reach it. It shares
    // the runner's output, which closes when it has exited.
    await outputClosed(s);
    expect(s.output()).toContain('shutting down');
    for (const port of s.ports) expect(await accepts(port)).toBe(false);
  });
});
