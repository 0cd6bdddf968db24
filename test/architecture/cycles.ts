/**
 * Import cycles: the strongly connected components of a directed graph (Tarjan's algorithm,
 * iterative so that a deep chain cannot overflow the stack), each with one concrete cycle
 * through it for the report.
 */

/** Files that import one another, directly or not. */
export interface Cycle {
  /** Every file of the component, sorted: cutting the cycle means cutting all of their ties. */
  readonly files: readonly string[];
  /** One shortest way round, from the first file back to it. */
  readonly path: readonly string[];
}

/** The cycles of the graph, one per strongly connected component; sorted, stable. */
export function findCycles(edges: ReadonlyMap<string, readonly string[]>): Cycle[] {
  return components(edges)
    .filter((c) => c.length > 1 || (edges.get(c[0] as string) ?? []).includes(c[0] as string))
    .map((files) => ({ files, path: cycleWithin(new Set(files), edges) }))
    .sort((a, b) => (a.files.join() < b.files.join() ? -1 : 1));
}

function components(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  for (const root of [...edges.keys()].sort()) {
    if (index.has(root)) continue;
    // Frames of the depth-first walk: a node and how many of its successors were visited.
    const frames: [string, number][] = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as [string, number];
      const [node, i] = frame;
      const successors = edges.get(node) ?? [];
      if (i < successors.length) {
        frame[1] = i + 1;
        const to = successors[i] as string;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          frames.push([to, 0]);
        } else if (onStack.has(to)) {
          low.set(node, Math.min(low.get(node) as number, index.get(to) as number));
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent !== undefined) {
        low.set(parent[0], Math.min(low.get(parent[0]) as number, low.get(node) as number));
      }
      if (low.get(node) === index.get(node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop() as string;
          onStack.delete(member);
          component.push(member);
        } while (member !== node);
        found.push(component.sort());
      }
    }
  }
  return found;
}

/** A shortest cycle from the component's first member back to it (breadth-first). */
function cycleWithin(
  members: ReadonlySet<string>,
  edges: ReadonlyMap<string, readonly string[]>,
): string[] {
  const start = [...members].sort()[0] as string;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const node = queue[q] as string;
    for (const to of edges.get(node) ?? []) {
      if (!members.has(to)) continue;
      if (to === start) {
        const path = [node];
        for (let at = node; at !== start; ) {
          at = cameFrom.get(at) as string;
          path.push(at);
        }
        return [...path.reverse(), start];
      }
      if (!cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  throw new Error(`no cycle through ${start}`);
}
