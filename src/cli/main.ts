#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4 --heap-growing-percent=50 --liftoff-only
import { exitFor } from './exit.js';
import { processIo } from './io.js';
import { runCli } from './program.js';

// A reader that went away (`canary probe --help | head`) is not an error of ours: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const io = processIo();
runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { code, text } = exitFor(err);
    io.err(text);
    process.exitCode = code;
  },
);
