import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throwaway certificate for 127.0.0.1 / localhost, made by `openssl` for one test file. */
export interface SelfSignedCert {
  /** PEM certificate (also what a client passes as `ca` to trust it). */
  cert: Buffer;
  /** PEM private key. */
  key: Buffer;
  certPath: string;
  keyPath: string;
  /** Deletes the files. */
  dispose(): void;
}

/** Makes a self-signed RSA certificate valid for `127.0.0.1` and `localhost` for one day. */
export function selfSignedCert(): SelfSignedCert {
  const dir = mkdtempSync(join(tmpdir(), 'voxwire-cert-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return {
    cert: readFileSync(certPath),
    key: readFileSync(keyPath),
    certPath,
    keyPath,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
