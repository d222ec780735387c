// Counting duplicate rows without keeping the rows: a 64-bit fingerprint per distinct row in an
// open-addressing table of typed arrays, 8 bytes a row, growing by doubling. A false "duplicate"
// needs a 64-bit collision: about 1 in 10^19 per pair.

const FNV_OFFSET_A = 0x811c9dc5;
const FNV_OFFSET_B = 0x01000193 ^ 0x5bd1e995;

export class RowFingerprintSet {
  private hi = new Uint32Array(1024);
  private lo = new Uint32Array(1024);
  private size = 0;
  /** Two independent 32-bit FNV-1a style hashes of the row being added: a 64-bit fingerprint. */
  private a = FNV_OFFSET_A;
  private b = FNV_OFFSET_B;

  /**
   * Adds a row part by part (then endRow): the fingerprint of parts p1, p2... is the one of the
   * string p1 + p2 + ..., without building that string (validation hashes every row of a backup).
   */
  hashPart(part: string): void {
    let { a, b } = this;
    for (let i = 0; i < part.length; i++) {
      const c = part.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 13;
    }
    this.a = a;
    this.b = b;
  }

  /** Ends the row whose parts were hashed; returns false when an equal row was already there (a duplicate). */
  endRow(): boolean {
    if ((this.size + 1) * 4 > this.hi.length * 3) this.grow();
    // Keep (0,0) for the empty slot.
    const h = this.a >>> 0 || 1;
    const l = this.b >>> 0;
    this.a = FNV_OFFSET_A;
    this.b = FNV_OFFSET_B;
    return this.insert(h, l);
  }

  get count(): number {
    return this.size;
  }

  private insert(h: number, l: number): boolean {
    const mask = this.hi.length - 1;
    let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask;
    for (;;) {
      if (this.hi[i] === 0) {
        this.hi[i] = h;
        this.lo[i] = l;
        this.size += 1;
        return true;
      }
      if (this.hi[i] === h && this.lo[i] === l) return false;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const { hi, lo } = this;
    this.hi = new Uint32Array(hi.length * 2);
    this.lo = new Uint32Array(lo.length * 2);
    this.size = 0;
    for (let i = 0; i < hi.length; i++) if (hi[i] !== 0) this.insert(hi[i] ?? 0, lo[i] ?? 0);
  }
}
