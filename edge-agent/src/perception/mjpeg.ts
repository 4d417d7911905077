/**
 * Splits a concatenated JPEG stream (ffmpeg `-f image2pipe -c:v mjpeg`, `rpicam-vid --codec mjpeg`)
 * into whole JPEG files. Rather than cutting at the first FFD9 after an FFD8, it walks the marker
 * segments by their lengths and only scans for markers inside entropy-coded data, so EXIF
 * thumbnails (a JPEG inside APP1) and byte-stuffed data never split a frame early.
 */
export class MjpegSplitter {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private start = -1;
  private inEntropy = false;
  /** Frames dropped because they were corrupt or larger than `maxFrameBytes`. */
  dropped = 0;

  constructor(private readonly maxFrameBytes = 8 * 1024 * 1024) {}

  /** Feeds a chunk and returns every JPEG completed by it (copies, safe to keep). */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Buffer[] = [];
    while (this.step(frames)) {
      // keep parsing until the buffer needs more data
    }
    this.compact();
    return frames;
  }

  /** Advances the parser by one unit; returns false when more data is needed. */
  private step(frames: Buffer[]): boolean {
    const b = this.buf;
    if (this.start < 0) {
      const soi = findSoi(b, this.pos);
      if (soi < 0) {
        this.pos = Math.max(this.pos, b.length - 1);
        return false;
      }
      this.start = soi;
      this.pos = soi + 2;
      this.inEntropy = false;
      return true;
    }
    if (this.pos - this.start > this.maxFrameBytes) return this.drop(this.pos);
    if (this.inEntropy) {
      const ff = b.indexOf(0xff, this.pos);
      if (ff < 0 || ff + 1 >= b.length) {
        this.pos = ff < 0 ? b.length : ff;
        return false;
      }
      const next = b[ff + 1] as number;
      // FF00 is a stuffed data byte, FFD0-FFD7 restart markers, FFFF fill: all stay in the scan.
      if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) this.pos = ff + 2;
      else if (next === 0xff) this.pos = ff + 1;
      else {
        this.inEntropy = false;
        this.pos = ff;
      }
      return true;
    }
    if (this.pos + 1 >= b.length) return false;
    if (b[this.pos] !== 0xff) return this.drop(this.pos);
    const marker = b[this.pos + 1] as number;
    if (marker === 0xff) {
      this.pos += 1;
      return true;
    }
    if (marker === 0xd9) {
      frames.push(Buffer.from(b.subarray(this.start, this.pos + 2)));
      this.pos += 2;
      this.start = -1;
      return true;
    }
    if (marker === 0xd8) return this.drop(this.pos);
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      this.pos += 2;
      return true;
    }
    if (this.pos + 4 > b.length) return false;
    const len = b.readUInt16BE(this.pos + 2);
    if (len < 2) return this.drop(this.pos + 2);
    if (this.pos + 2 + len > b.length) return false;
    this.pos += 2 + len;
    if (marker === 0xda) this.inEntropy = true;
    return true;
  }

  /** Abandons the current frame and resumes looking for a start-of-image at `at`. */
  private drop(at: number): boolean {
    this.dropped++;
    this.start = -1;
    this.inEntropy = false;
    this.pos = at;
    return true;
  }

  private compact(): void {
    const keepFrom = this.start >= 0 ? this.start : this.pos;
    if (keepFrom === 0) return;
    this.buf = this.buf.subarray(keepFrom);
    this.pos -= keepFrom;
    if (this.start >= 0) this.start -= keepFrom;
  }
}

function findSoi(b: Buffer, from: number): number {
  let i = b.indexOf(0xff, from);
  while (i >= 0 && i + 1 < b.length) {
    if (b[i + 1] === 0xd8) return i;
    i = b.indexOf(0xff, i + 1);
  }
  return -1;
}
