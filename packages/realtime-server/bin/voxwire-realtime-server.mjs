#!/usr/bin/env node
// A committed entry for the `voxwire-realtime-server` command: pnpm links bins when it installs, before
// the workspace is built, and warns about a bin whose file does not exist yet (dist/ is built later).
import '../dist/cli.js';
