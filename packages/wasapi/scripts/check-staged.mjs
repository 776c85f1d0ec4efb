#!/usr/bin/env node
// prepublishOnly of each platform package: refuses to publish one without its binary (the binaries are not
// in git; the release build stages them), which would install fine and then fail at the first load.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.cwd();
const { name, main } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
if (!main || !existsSync(join(dir, main))) {
  process.stderr.write(
    `[@voxwire/wasapi] ${name} has no ${main}: run pnpm --filter @voxwire/wasapi build:release before publishing\n`,
  );
  process.exit(1);
}
