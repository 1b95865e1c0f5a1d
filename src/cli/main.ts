#!/usr/bin/env node
import { describeError } from './exit.js';
import { processIo } from './io.js';
import { runCli } from './program.js';

const io = processIo();
runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const { code, text } = describeError(err);
    io.err(text);
    process.exitCode = code;
  },
);
