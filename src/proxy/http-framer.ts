/** A request head longer than this is not something we frame: the rest passes untouched. */
const MAX_HEAD_BYTES = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;

/** A piece of an HTTP/1.1 request stream. */
export interface Segment {
  data: Buffer;
  /** True when `data` starts with a complete request head (request line and headers). */
  head: boolean;
}

/**
 * Splits a client-to-server byte stream into requests, just enough to act per request:
 * request line and headers up to CRLFCRLF, then a `Content-Length` body. Anything it does
 * not understand (not HTTP/1.x, a chunked body, a head over 64 KiB) switches it to
 * pass-through for the rest of the connection: it never breaks traffic it cannot frame.
 */
export class RequestFramer {
  #pending: Buffer = Buffer.alloc(0);
  #bodyLeft = 0;
  #passThrough = false;

  /** Feeds bytes in; returns the segments that can go on now (a partial head is held back). */
  push(input: Buffer): Segment[] {
    const out: Segment[] = [];
    let data: Buffer = input;
    while (data.length > 0) {
      if (this.#passThrough) {
        out.push({ data, head: false });
        break;
      }
      if (this.#bodyLeft > 0) {
        const n = Math.min(this.#bodyLeft, data.length);
        out.push({ data: data.subarray(0, n), head: false });
        this.#bodyLeft -= n;
        data = data.subarray(n);
        continue;
      }
      this.#pending = this.#pending.length === 0 ? data : Buffer.concat([this.#pending, data]);
      data = Buffer.alloc(0);
      const end = this.#pending.indexOf(HEAD_END);
      if (end < 0) {
        if (this.#pending.length > MAX_HEAD_BYTES) this.#giveUp(out);
        break;
      }
      const head = this.#pending.subarray(0, end + HEAD_END.length);
      data = this.#pending.subarray(end + HEAD_END.length);
      this.#pending = Buffer.alloc(0);
      this.#frame(head, out);
    }
    return out;
  }

  /** Bytes held back waiting for the end of a head; passed on unchanged when the stream ends. */
  flush(): Buffer {
    const rest = this.#pending;
    this.#pending = Buffer.alloc(0);
    return rest;
  }

  #frame(head: Buffer, out: Segment[]): void {
    const text = head.toString('latin1');
    if (!REQUEST_LINE.test(text)) {
      this.#passThrough = true;
      out.push({ data: head, head: false });
      return;
    }
    out.push({ data: head, head: true });
    const headers = text.split('\r\n').slice(1);
    if (headers.some((h) => /^transfer-encoding\s*:/i.test(h))) {
      // Chunked framing is out of scope: the request is still seen, later ones are not.
      this.#passThrough = true;
      return;
    }
    const length = headers.map((h) => /^content-length\s*:\s*(\d+)\s*$/i.exec(h)?.[1]).find((v) => v !== undefined);
    this.#bodyLeft = length === undefined ? 0 : Number(length);
  }

  #giveUp(out: Segment[]): void {
    this.#passThrough = true;
    out.push({ data: this.flush(), head: false });
  }
}
