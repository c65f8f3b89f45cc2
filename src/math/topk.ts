/**
 * Top-k selection with a deterministic order: higher score first, and on equal scores the lower
 * index first (so results never depend on the heap's internal order). NaN scores are skipped.
 * O(n log k) with a bounded heap whose root is the current worst kept entry.
 */
export interface Ranked {
  readonly index: number;
  readonly score: number;
}

/** true when a ranks strictly after b in the output order */
function after(aScore: number, aIndex: number, bScore: number, bIndex: number): boolean {
  return aScore < bScore || (aScore === bScore && aIndex > bIndex);
}

export function topK(scores: ArrayLike<number>, k: number): Ranked[] {
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`top-k needs a non-negative integer k, got ${k}`);
  const cap = Math.min(k, scores.length);
  if (cap === 0) return [];
  const heapScore = new Float64Array(cap);
  const heapIndex = new Int32Array(cap);
  let size = 0;

  const swap = (a: number, b: number) => {
    const s = heapScore[a]; heapScore[a] = heapScore[b]; heapScore[b] = s;
    const i = heapIndex[a]; heapIndex[a] = heapIndex[b]; heapIndex[b] = i;
  };
  // heap property: a parent ranks after (is worse than) or equal to its children
  const siftUp = (pos: number) => {
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      if (!after(heapScore[pos], heapIndex[pos], heapScore[parent], heapIndex[parent])) break;
      swap(pos, parent);
      pos = parent;
    }
  };
  const siftDown = (pos: number) => {
    for (;;) {
      const l = 2 * pos + 1;
      const r = l + 1;
      let worst = pos;
      if (l < size && after(heapScore[l], heapIndex[l], heapScore[worst], heapIndex[worst])) worst = l;
      if (r < size && after(heapScore[r], heapIndex[r], heapScore[worst], heapIndex[worst])) worst = r;
      if (worst === pos) return;
      swap(pos, worst);
      pos = worst;
    }
  };

  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (Number.isNaN(s)) continue;
    if (size < cap) {
      heapScore[size] = s;
      heapIndex[size] = i;
      siftUp(size++);
    } else if (after(heapScore[0], heapIndex[0], s, i)) {
      heapScore[0] = s;
      heapIndex[0] = i;
      siftDown(0);
    }
  }
  const out: Ranked[] = [];
  for (let j = 0; j < size; j++) out.push({ index: heapIndex[j], score: heapScore[j] });
  out.sort((a, b) => (b.score - a.score) || (a.index - b.index));
  return out;
}
