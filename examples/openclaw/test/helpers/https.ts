// GET over https trusting a private certificate (fetch cannot be given a CA).
import { get } from 'node:https';

/** GET `url` trusting `ca` (checking the name `servername` when given): status and body. */
export function httpsGet(
  url: string,
  ca?: Buffer,
  servername?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca, servername }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += String(d);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).once('error', reject);
  });
}
