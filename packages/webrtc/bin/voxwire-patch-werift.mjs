#!/usr/bin/env node
// A committed entry for the `voxwire-patch-werift` command: package managers link bins when they install,
// before a workspace is built, and warn about a bin whose file does not exist yet (dist/ is built later).
import '../dist/patch-werift-cli.js';
