#!/usr/bin/env node
// Cross-compiles the addon for win32-x64 with mingw-w64 (Debian: g++-mingw-w64-x86-64-posix) into
// build/win32-x64-msvc/voxwire_wasapi.node and stages a copy in its platform package: the win32 step of
// the release build alone (scripts/build-release.mjs win32-x64-msvc), kept for the Wine test.
import { releaseTarget } from './build-release.mjs';

process.exitCode = (await releaseTarget('win32-x64-msvc')) ? 0 : 1;
