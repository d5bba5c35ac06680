// A git-style word diff of two one-line renderings: which tokens only the old line has, and which
// only the new one has (longest common subsequence over whitespace-separated tokens).

export interface Token {
  text: string;
  changed: boolean;
}

export function wordDiff(before: string, after: string): { before: Token[]; after: Token[] } {
  const a = before.split(/\s+/).filter(Boolean);
  const b = after.split(/\s+/).filter(Boolean);
  // LCS table; lines are short (a fact), so O(n·m) is fine.
  // lcs(i, j): length of the longest common subsequence of a[i..] and b[j..], in a flat table.
  const width = b.length + 1;
  const lcs = new Array<number>((a.length + 1) * width).fill(0);
  const at = (i: number, j: number) => lcs[i * width + j] ?? 0;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const keptA = new Set<number>();
  const keptB = new Set<number>();
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) {
      keptA.add(i++);
      keptB.add(j++);
    } else if (at(i + 1, j) >= at(i, j + 1)) i++;
    else j++;
  }
  return {
    before: a.map((text, i) => ({ text, changed: !keptA.has(i) })),
    after: b.map((text, j) => ({ text, changed: !keptB.has(j) })),
  };
}
