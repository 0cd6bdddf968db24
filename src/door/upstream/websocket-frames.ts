/**
 * Tracks WebSocket frame boundaries (RFC 6455 §5.2) in a byte stream without decoding
 * payloads, so the tunnel can stop forwarding exactly between two frames and inject a close
 * frame of its own on shutdown. Work is per frame header, not per payload byte.
 */
export class FrameTracker {
  /** Payload bytes still to pass before the current frame ends. */
  private remaining = 0;
  /** Header bytes seen of the next frame (a header may span chunks; at most 14 bytes). */
  private readonly header = Buffer.alloc(14);
  private headerLength = 0;

  /** True between frames. */
  get atBoundary(): boolean {
    return this.remaining === 0 && this.headerLength === 0;
  }

  /**
   * Consumes `chunk`. With `stopAtBoundary`, stops at the first frame boundary reached and
   * returns how many bytes of the chunk belong before it (0 if already at a boundary);
   * otherwise consumes everything and returns `chunk.length`.
   */
  consume(chunk: Buffer, stopAtBoundary = false): number {
    let offset = 0;
    while (offset < chunk.length) {
      if (stopAtBoundary && this.atBoundary) return offset;
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.remaining -= take;
        offset += take;
        continue;
      }
      // Read header bytes until the header is complete.
      this.header[this.headerLength++] = chunk[offset++] as number;
      const need = this.headerSize();
      if (need === null || this.headerLength < need) continue;
      this.remaining = this.payloadLength();
      this.headerLength = 0;
    }
    return chunk.length;
  }

  /** Full header size once byte 1 is known, else null. */
  private headerSize(): number | null {
    if (this.headerLength < 2) return null;
    const b1 = this.header[1] as number;
    const len7 = b1 & 0x7f;
    const ext = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    return 2 + ext + (b1 & 0x80 ? 4 : 0);
  }

  private payloadLength(): number {
    const b1 = this.header[1] as number;
    const len7 = b1 & 0x7f;
    if (len7 < 126) return len7;
    if (len7 === 126) return this.header.readUInt16BE(2);
    // 64-bit lengths beyond 2^53 cannot occur in practice; clamp for safety.
    return Number(this.header.readBigUInt64BE(2) & 0x1fffffffffffffn);
  }
}

/** A close frame with status 1001 "going away", unmasked (server to client). */
export function serverCloseFrame(code = 1001, reason = "going away"): Buffer {
  const payload = Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);
  return Buffer.concat([Buffer.from([0x88, payload.length]), payload]);
}

/** The same close frame masked, as a client must send it (client to server). */
export function clientCloseFrame(mask: Buffer, code = 1001, reason = "going away"): Buffer {
  const payload = Buffer.concat([Buffer.from([code >> 8, code & 0xff]), Buffer.from(reason)]);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++)
    masked[i] = (payload[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([Buffer.from([0x88, 0x80 | payload.length]), mask, masked]);
}
