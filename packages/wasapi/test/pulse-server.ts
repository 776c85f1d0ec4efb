// Starts a private PulseAudio server for a test file: its own runtime dir, HOME and socket, a null sink
// as the sound card, and PULSE_SERVER pointing at it for this process (libpulse reads it on connect).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PulseServer {
  server: string;
  pactl(...args: string[]): string;
  stop(): Promise<void>;
}

export async function startPulse(sink: string): Promise<PulseServer> {
  const dir = mkdtempSync(join(tmpdir(), 'voxwire-pulse-'));
  await mkdir(join(dir, 'home'));
  await mkdir(join(dir, 'run'), { mode: 0o700 });
  const socket = join(dir, 'native');
  const server = `unix:${socket}`;
  const env = {
    ...process.env,
    HOME: join(dir, 'home'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    PULSE_SERVER: server,
  };
  let child: ChildProcess;
  try {
    child = spawn(
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
  } catch (err) {
    throw new Error(
      `could not start pulseaudio (apt-get install -y pulseaudio pulseaudio-utils): ${String(err)}`,
    );
  }
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('error', (err) =>
      reject(
        new Error(
          `could not start pulseaudio (apt-get install -y pulseaudio pulseaudio-utils): ${err.message}`,
        ),
      ),
    );
    child.once('spawn', () => resolve());
  });
  await spawned;
  const pactl = (...args: string[]) =>
    execFileSync('pactl', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  for (let i = 0; ; i++) {
    try {
      pactl('info');
      break;
    } catch {
      if (child.exitCode !== null || i > 100) throw new Error(`pulseaudio did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  process.env.PULSE_SERVER = server;
  return {
    server,
    pactl,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
