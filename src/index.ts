// Entry point the runner loads (dist/index.js): run, and fail the step once with its reason.
import * as core from '@actions/core';
import { run } from './main.ts';
import { forLog } from './report/escape.ts';

// The reason can quote API messages and inputs: neutralise it like every other log line.
run().catch((e: unknown) => core.setFailed(forLog(e instanceof Error ? e.message : String(e))));
