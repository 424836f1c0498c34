#!/usr/bin/env node
// The `interlock` command. Node 24 runs the TypeScript sources directly (type stripping), so the
// CLI needs no build step; `npm` scripts and `npx` put the project's pinned Node 24 on PATH.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv);
