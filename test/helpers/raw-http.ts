/**
 * A request written byte for byte on a socket, for request lines that no HTTP client
 * sends (fetch and node:http refuse or normalise a target such as `//[`).
 */
import { connect } from 'node:net';

/** The status and body of the answer; status 0 when the server closed without answering. */
export interface RawAnswer {
  status: number;
  body: string;
}

/**
 * Sends `GET <target> HTTP/1.1` (with `Connection: close`) to the server at `base`
 * (`http://127.0.0.1:PORT`) and reads the answer until the server closes.
 *
 * @example
 * const { status } = await rawGet('http://127.0.0.1:8080', '//[');
 */
export function rawGet(base: string, target: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return rawRequest(base, `GET ${target} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`);
}

/**
 * Writes `request` as it is (request line, headers, body: the caller's bytes, right or
 * wrong) to the server at `base` and reads the answer until the server closes. With
 * `halfClose: false` the socket is not ended after the request: node's server closes a
 * half-closed connection at once, so a slow handler's answer would never be read.
 */
export function rawRequest(
  base: string,
  request: string | Buffer,
  { halfClose = true }: { halfClose?: boolean } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer from ${base}`)));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may answer and close before reading all of a large request: that is an answer.
    socket.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1];
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const body = rest.join('\r\n\r\n');
      const chunked = /^transfer-encoding: chunked$/im.test(head);
      resolve({ status: status === undefined ? 0 : Number(status), body: chunked ? unchunk(body) : body });
    });
    if (halfClose) socket.end(request);
    else socket.write(request);
  });
}

/** The payload of a chunked body: each chunk is `SIZE(hex)\r\nDATA\r\n`, ending with size 0. */
function unchunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (eol < 0 || !(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}
