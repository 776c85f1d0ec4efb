// A private PulseAudio server per test file: its own runtime dir, HOME and socket, a null sink as the sound
// card, PULSE_SERVER pointing at it for this process (libpulse reads it on connect). Audio can be fed into
// the sink with `paplay`; its monitor is the default input.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PulseServer {
  server: string;
  sink: string;
  pactl(...args: string[]): string;
  /** Plays a WAV file into the sink; resolves when paplay exits. */
  play(file: string): Promise<void>;
  stop(): Promise<void>;
}

/** Options of {@link startPulse}. */
export interface StartPulseOptions {
  /**
   * A socket path fixed before the process started (PULSE_SERVER already set to it by the caller), for runs
   * in worker threads, whose process.env changes never reach native getenv. Removed by `stop()`.
   */
  socket?: string;
}

/** Starts the server with a null sink named `sink`; `stop()` ends it and removes its files. */
export async function startPulse(sink: string, options: StartPulseOptions = {}): Promise<PulseServer> {
  const dir = mkdtempSync(join(tmpdir(), 'voxwire-pulse-'));
  await mkdir(join(dir, 'home'));
  await mkdir(join(dir, 'run'), { mode: 0o700 });
  const socket = options.socket ?? join(dir, 'native');
  const server = `unix:${socket}`;
  const env = {
    ...process.env,
    HOME: join(dir, 'home'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    PULSE_SERVER: server,
  };
  const child: ChildProcess = spawn(
    'pulseaudio',
    [
      '-n',
      '--daemonize=no',
      '--exit-idle-time=-1',
      '--log-target=stderr',
      `--load=module-native-protocol-unix auth-anonymous=1 socket=${socket}`,
      `--load=module-null-sink sink_name=${sink} rate=48000 channels=2`,
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (err) =>
      reject(
        new Error(`cannot start pulseaudio (apt-get install -y pulseaudio pulseaudio-utils): ${err.message}`),
      ),
    );
    child.once('spawn', () => resolve());
  });
  const pactl = (...args: string[]) =>
    execFileSync('pactl', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  for (let i = 0; ; i++) {
    try {
      pactl('info');
      break;
    } catch {
      if (child.exitCode !== null || i > 200) throw new Error(`pulseaudio did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  process.env.PULSE_SERVER = server;
  const players = new Set<ChildProcess>();
  return {
    server,
    sink,
    pactl,
    play: (file) =>
      new Promise((resolve, reject) => {
        const p = execFile('paplay', [`--device=${sink}`, file], { env }, (err) => {
          players.delete(p);
          if (err) reject(err);
          else resolve();
        });
        players.add(p);
      }),
    stop: async () => {
      for (const p of players) p.kill('SIGKILL');
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
      if (options.socket) rmSync(socket, { force: true });
    },
  };
}
