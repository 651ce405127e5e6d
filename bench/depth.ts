// Depth of dependent round trips: the longest chain of requests in which each one started
// only after the previous one had ended. Requests that overlap in time were in flight
// together, so they cost one round trip between them; a chain is what latency multiplies.

export interface Interval {
  /** When the server saw the request (any clock, as long as `end` uses the same one). */
  start: number;
  /** When the server finished answering it. */
  end: number;
}

export interface DepthResult {
  depth: number;
  /** Indices into the input, in time order, of one longest chain (for explaining the number). */
  chain: number[];
}

/**
 * Longest chain i1, i2, ... with end(ik) <= start(ik+1). Dynamic programming over the
 * intervals sorted by start: best(i) = 1 + max best(j) over every j that ended by start(i).
 * Quadratic, which is fine for the few hundred requests one action run makes.
 */
export function dependentDepth(requests: readonly Interval[]): DepthResult {
  const order = requests.map((_, i) => i).sort((a, b) => at(requests, a).start - at(requests, b).start);
  const best = new Map<number, number>();
  const prev = new Map<number, number>();
  let tail = -1;
  let depth = 0;
  for (const i of order) {
    const start = at(requests, i).start;
    let chain = 1;
    for (const j of order) {
      if (j === i || at(requests, j).start > start) continue;
      const length = best.get(j);
      if (length === undefined || at(requests, j).end > start) continue;
      // On a tie keep the predecessor that ended last: the one this request really waited for.
      const current = prev.get(i);
      const later = current === undefined || at(requests, j).end > at(requests, current).end;
      if (length + 1 > chain || (length + 1 === chain && later)) {
        chain = length + 1;
        prev.set(i, j);
      }
    }
    best.set(i, chain);
    if (chain > depth) {
      depth = chain;
      tail = i;
    }
  }
  const chain: number[] = [];
  for (let i: number | undefined = tail; i !== undefined && i >= 0; i = prev.get(i)) chain.unshift(i);
  return { depth, chain };
}

function at(requests: readonly Interval[], i: number): Interval {
  const r = requests[i];
  if (r === undefined) throw new Error(`no request at index ${i}`);
  if (!(r.end >= r.start)) throw new Error(`request ${i} ends (${r.end}) before it starts (${r.start})`);
  return r;
}
