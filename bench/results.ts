// What one benchmark run measured, as plain data: run.ts fills it, targets.ts judges it,
// table.ts renders it.
import type { Summary } from './stats.ts';

/** One fresh process of the action (or of gcloud) against the emulator. */
export interface RunSample {
  wallMs: number;
  /** Requests the emulator saw during the run. */
  requests: number;
  /** Longest chain of requests that waited for one another (depth.ts). */
  depth: number;
  peakRssBytes: number;
  /** Process spawn to the emulator's first request. */
  coldStartMs: number;
  /**
   * Time the emulator itself held the requests of the longest chain beyond the injected
   * latency (e.g. an operation `:wait` until a job finished running): server work, which the
   * overhead formula wall - depth x L counts against the client.
   */
  serverMs: number;
  exitCode: number;
  /** Outputs that differ from what the scenario expects (the run did not do what it claims). */
  unexpected?: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  /** 'action' runs dist/index.js; 'gcloud' runs the gcloud CLI with the same world and latency. */
  tool: 'action' | 'gcloud';
  runs: RunSample[];
  wall: Summary;
  /** Medians over the runs (they rarely differ; a difference is itself worth a look). */
  requests: number;
  depth: number;
  /** Median over runs of wall - depth x latency - server work. */
  overheadMs: number;
  /** Median over runs of RunSample.serverMs. */
  serverMs: number;
  peakRssBytes: number;
  coldStartMs: number;
  /** The longest chain of one run, as "METHOD path" lines, to explain the depth. */
  chain: string[];
}

export interface BenchReport {
  date: string;
  node: string;
  gcloud: string | undefined;
  latencyMs: number;
  runsPerScenario: number;
  /** 1-minute load average before and after: a busy machine inflates every time. */
  loadAverage: [number, number];
  bundleBytes: number;
  /** Median wall of a bare `node -e 0` in the same run: the floor of any cold start. */
  bareNodeMs?: number;
  /** Wall medians of the ratio pairs at the other latencies (targets.ts RATIO_PAIRS). */
  ratios?: LatencyRatio[];
  scenarios: ScenarioResult[];
}

export interface LatencyRatio {
  latencyMs: number;
  label: string;
  actionMs: number;
  gcloudMs: number;
}

export type Verdict = 'PASS' | 'MISS' | 'n/a';

export interface TargetCheck {
  target: string;
  measured: string;
  verdict: Verdict;
  note?: string;
}
