/**
 * Key path -> line and column, by walking the YAML syntax tree (JSON files are parsed by the
 * same parser for this purpose: JSON is YAML 1.2). A key that is missing is reported at the
 * nearest enclosing key that exists, so "tls.key is required" points at `tls:`.
 */
import type { Document, LineCounter, Node, Pair, YAMLMap } from "yaml";
import { isAlias, isMap, isNode, isScalar, isSeq } from "yaml";
import type { PathSegment } from "./paths.js";
import type { Locate, Position } from "./report.js";

export function yamlLocator(doc: Document, lineCounter: LineCounter): Locate {
  // Key -> last pair with that key, per mapping, built on first use: a file with thousands of
  // keys must not cost a scan per problem.
  const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();
  const pairOf = (map: YAMLMap, key: string): Pair | undefined => {
    let index = indexes.get(map);
    if (index === undefined) {
      index = new Map();
      for (const pair of map.items) {
        if (isScalar(pair.key)) index.set(String(pair.key.value), pair);
      }
      indexes.set(map, index);
    }
    return index.get(key);
  };
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return (segments, target) => {
    let node: unknown = doc.contents;
    // The root itself (a file that is not a mapping) is where its content starts; a key missing
    // at the top level has no better place than the whole file, so it gets none.
    if (segments.length === 0) {
      const start = isNode(node) ? node.range?.[0] : undefined;
      return start === undefined ? null : at(start);
    }
    let best: Position | null = null;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i] as PathSegment;
      const last = i === segments.length - 1;
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        // The last of equal keys: the parser keeps the last value of a duplicated key.
        const pair = pairOf(node, String(segment));
        if (pair === undefined) return best;
        const keyNode = isNode(pair.key) ? pair.key : null;
        const valueNode = isNode(pair.value) ? pair.value : null;
        const keyStart = keyNode?.range?.[0];
        const valueStart = valueNode?.range?.[0];
        if (last && target === "key" && keyStart !== undefined) return at(keyStart);
        // On the way down, a missing key is best shown at its parent's key (`tls:`); at the end,
        // at a scalar or flow value (`listen: 8080`, `hosts: [a]`), and at the key otherwise
        // (an empty value, or a block mapping that starts on the next line).
        const start = last && valueNode !== null && showsValue(valueNode) ? valueStart : keyStart;
        if (start !== undefined) best = at(start);
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        if (!isNode(item)) return best;
        const start = (item as Node).range?.[0];
        if (start !== undefined) best = at(start);
        node = item;
      } else {
        return best;
      }
    }
    return best;
  };
}

function showsValue(node: Node): boolean {
  if (isScalar(node)) return !(node.value === null && node.range?.[0] === node.range?.[1]);
  return (isMap(node) || isSeq(node)) && node.flow === true;
}
