"""The floor prober of the timing benchmark: the least a client can add to `processing`.

A minimal blocking-socket HTTP client, no event loop: one thread per measured slot, each
sending `GET /hold/<slot>` on a new connection once per period at its own offset, as the
agent runs its measured checks. Per request it measures the time from the request having
been written (after `sendall` returns) to the response head being complete (and to the
first response byte), and reads the hold the target reports in `Server-Timing`. What is
left after subtracting the hold is the loopback, the target's own work outside the hold,
and waking this thread: the machine's floor under any prober.

Usage (by the benchmark):
  python3 floor.py ORIGIN OFFSETS MAX_SECONDS [PERIOD_MS]
    ORIGIN       http://127.0.0.1:PORT of the holding target
    OFFSETS      comma-separated offsets in ms, one slot each (slot i requests /hold/i)
    MAX_SECONDS  exits by then at the latest
    PERIOD_MS    period of every slot (default 1000)

Stops starting requests when stdin closes or MAX_SECONDS have passed; requests in flight
finish first. Output, one JSON object a line on stdout:
  {"slot": i, "startedAt": epoch_ms, "processingMs": x, "firstByteMs": y, "holdMs": z}
  {"slot": i, "startedAt": epoch_ms, "error": "..."}          (the request failed)
  {"slot": i, "startedAt": epoch_ms, "skipped": true}         (more than a period late)
  {"done": true, "requests": n, "errors": e, "skipped": s}    (last line)
"""

import json
import socket
import sys
import threading
import time
from urllib.parse import urlsplit

TIMEOUT_S = 5.0
HEAD_END = b"\r\n\r\n"

out_lock = threading.Lock()
counts = {"requests": 0, "errors": 0, "skipped": 0}


def emit(record):
    """Writes one line; after the measurement, so it is never inside a figure."""
    with out_lock:
        if "slot" not in record:
            pass
        elif "error" in record:
            counts["errors"] += 1
        elif record.get("skipped"):
            counts["skipped"] += 1
        else:
            counts["requests"] += 1
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()


def server_timing_ms(value, name="hold"):
    """The dur (ms) of metric `name` in a Server-Timing header, or None."""
    if value is None:
        return None
    for metric in value.split(","):
        parts = [p.strip() for p in metric.split(";")]
        if parts[0] != name:
            continue
        for param in parts[1:]:
            key, eq, dur = param.partition("=")
            if eq and key.strip().lower() == "dur":
                try:
                    return float(dur.strip().strip('"'))
                except ValueError:
                    return None
    return None


def parse_head(head):
    """Status code and lower-cased headers of a response head (bytes, without the blank line)."""
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    return status, headers


def probe(host, port, path):
    """One request on a new connection; the figures, or raises."""
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode("ascii")
    sock = socket.create_connection((host, port), timeout=TIMEOUT_S)
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.sendall(request)
        written = time.perf_counter()
        data = sock.recv(65536)
        first_byte = time.perf_counter()
        while data and HEAD_END not in data:
            more = sock.recv(65536)
            if not more:
                break
            data += more
        head_done = time.perf_counter()
        if HEAD_END not in data:
            raise ConnectionError("connection closed before the response head")
        head, _, body = data.partition(HEAD_END)
        status, headers = parse_head(head)
        length = int(headers.get("content-length", "0"))
        while len(body) < length:
            more = sock.recv(65536)
            if not more:
                break
            body += more
    finally:
        sock.close()
    if status != 200:
        raise ConnectionError(f"status {status}")
    return {
        "processingMs": (head_done - written) * 1000,
        "firstByteMs": (first_byte - written) * 1000,
        "holdMs": server_timing_ms(headers.get("server-timing")),
    }


def run_slot(slot, offset_ms, period_ms, target, origin_mono, origin_epoch_ms, stop):
    """Fires slot `slot` once per period at its offset until `stop` is set."""
    host, port = target
    k = 0
    while not stop.is_set():
        due_ms = offset_ms + k * period_ms
        k += 1
        delay = origin_mono + due_ms / 1000 - time.monotonic()
        if delay > 0 and stop.wait(delay):
            return
        started_at = origin_epoch_ms + due_ms
        if -delay * 1000 > period_ms:
            # A period late: skip it rather than burst, as the agent and the pacer do.
            emit({"slot": slot, "startedAt": started_at, "skipped": True})
            continue
        started_at = time.time() * 1000
        try:
            record = probe(host, port, f"/hold/{slot}")
            emit({"slot": slot, "startedAt": started_at, **record})
        except (OSError, ValueError, IndexError) as error:
            emit({"slot": slot, "startedAt": started_at, "error": str(error) or type(error).__name__})


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    url = urlsplit(argv[1])
    target = (url.hostname or "127.0.0.1", url.port or 80)
    offsets = [float(x) for x in argv[2].split(",") if x.strip() != ""]
    max_seconds = float(argv[3])
    period_ms = float(argv[4]) if len(argv) > 4 else 1000.0
    stop = threading.Event()

    def watch_stdin():
        # Whoever started us closes stdin to say stop.
        try:
            sys.stdin.read()
        finally:
            stop.set()

    threading.Thread(target=watch_stdin, daemon=True).start()
    origin_mono, origin_epoch_ms = time.monotonic(), time.time() * 1000
    threads = [
        threading.Thread(target=run_slot, args=(i, off, period_ms, target, origin_mono, origin_epoch_ms, stop), daemon=True)
        for i, off in enumerate(offsets)
    ]
    for thread in threads:
        thread.start()
    stop.wait(max_seconds)
    stop.set()
    for thread in threads:
        thread.join(TIMEOUT_S + 1)
    emit({"done": True, **counts})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
