// Entry point the runner loads (dist/index.js): run, and fail the step once with its reason.
import * as core from '@actions/core';
import { run } from './main.ts';

run().catch((e: unknown) => core.setFailed(e instanceof Error ? e.message : String(e)));
