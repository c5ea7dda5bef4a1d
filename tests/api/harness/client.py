"""client.py - a small HTTPS/1.1 client for the API tests.

The standard library's http.client hides exactly what these tests need to
control: duplicate headers, bodies that are streamed or chunked and larger
than the server accepts, a chosen loopback source address, and reading an
early answer while the body is still being sent.  So this speaks HTTP/1.1
directly over an ssl socket, one connection per request ("Connection:
close"), with a deadline on every call.
"""

import select
import socket
import ssl
import time

CHUNK = 64 * 1024


class ClientError(Exception):
    """The exchange failed below HTTP: connect, TLS, reset, timeout."""


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (name, value), in order
        self.body = body        # bytes

    def header(self, name):
        """All values of a header (case-insensitive), in order."""
        name = name.lower()
        return [v for (k, v) in self.headers if k.lower() == name]

    def first(self, name):
        values = self.header(name)
        return values[0] if values else None


class Body:
    """A request body produced piece by piece, never held whole."""

    def __init__(self, data=b"", pad_to=None, chunked=False):
        self.data = data
        self.pad_to = pad_to
        self.chunked = chunked

    def length(self):
        return self.pad_to if self.pad_to is not None else len(self.data)

    def pieces(self):
        """Yield the body; padding is spaces before the last '}' or ']'."""
        if self.pad_to is None or self.pad_to <= len(self.data):
            for i in range(0, len(self.data), CHUNK):
                yield self.data[i:i + CHUNK]
            return
        cut = max(self.data.rfind(b"}"), self.data.rfind(b"]"))
        if cut < 0:
            cut = len(self.data)
        yield self.data[:cut]
        left = self.pad_to - len(self.data)
        spaces = b" " * CHUNK
        while left > 0:
            n = min(left, CHUNK)
            yield spaces[:n]
            left -= n
        yield self.data[cut:]


class Client:
    def __init__(self, host, port, cafile, timeout=10.0):
        self.host = host
        self.port = port
        self.timeout = timeout
        self.context = ssl.create_default_context(cafile=cafile)
        self.context.check_hostname = True

    def connect(self, source=None, timeout=None):
        """An open TLS connection, for callers that drive it by hand."""
        return self._connect(source, time.monotonic() +
                             (timeout or self.timeout))

    def read_response(self, sock, timeout=None):
        """Read a whole answer from a connection opened with connect()."""
        deadline = time.monotonic() + (timeout or self.timeout)
        return parse_response(self._read_all(sock, deadline))

    def _connect(self, source, deadline):
        left = max(0.1, deadline - time.monotonic())
        src = (source, 0) if source else None
        try:
            raw = socket.create_connection((self.host, self.port),
                                           timeout=min(left, self.timeout),
                                           source_address=src)
        except OSError as e:
            raise ClientError("connect failed: %s" % e) from None
        try:
            tls = self.context.wrap_socket(raw, server_hostname=self.host)
        except (OSError, ssl.SSLError) as e:
            raw.close()
            raise ClientError("tls handshake failed: %s" % e) from None
        return tls

    def request(self, method, path, headers=(), body=None, source=None,
                timeout=None):
        """Send one request and return its Response, or raise ClientError.

        headers is a list of (name, value) sent as given, duplicates
        included; Host and Connection are added.  body is a Body or None.
        """
        deadline = time.monotonic() + (timeout or self.timeout)
        sock = self._connect(source, deadline)
        try:
            return self._exchange(sock, method, path, headers, body, deadline)
        finally:
            sock.close()

    def _exchange(self, sock, method, path, headers, body, deadline):
        lines = ["%s %s HTTP/1.1" % (method, path),
                 "Host: %s:%d" % (self.host, self.port),
                 "Connection: close"]
        for (name, value) in headers:
            lines.append("%s: %s" % (name, value))
        if body is not None:
            if body.chunked:
                lines.append("Transfer-Encoding: chunked")
            else:
                lines.append("Content-Length: %d" % body.length())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

        early = b""
        try:
            self._send(sock, head, deadline)
            if body is not None:
                early = self._send_body(sock, body, deadline)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError,
                socket.timeout) as e:
            # The server may have answered and closed before reading the
            # whole body (e.g. 413); what it said is still worth reading.
            send_error = e
        else:
            send_error = None

        try:
            data = self._read_all(sock, deadline, early)
        except ClientError as e:
            if send_error is not None:
                raise ClientError("sending failed (%s) and no answer was "
                                  "read (%s)" % (send_error, e)) from None
            raise
        if not data and send_error is not None:
            raise ClientError("connection closed without an answer while "
                              "the body was being sent (%s)" % send_error)
        return parse_response(data)

    def _send(self, sock, data, deadline):
        view = memoryview(data)
        while view:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("deadline passed while sending")
            sock.settimeout(left)
            n = sock.send(view)
            view = view[n:]

    def _peek_answer(self, sock):
        """Bytes of an answer that already arrived, else b"".

        A readable socket may only hold TLS records such as session
        tickets, so try a non-blocking read rather than trust select().
        """
        ready, _, _ = select.select([sock], [], [], 0)
        if not ready and not sock.pending():
            return b""
        sock.setblocking(False)
        try:
            return sock.recv(CHUNK)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError,
                BlockingIOError):
            return b""
        finally:
            sock.setblocking(True)

    def _send_body(self, sock, body, deadline):
        """Send the body; stop early, returning what was read, if an
        answer arrives first."""
        for piece in body.pieces():
            if not piece:
                continue
            early = self._peek_answer(sock)
            if early:
                return early
            if body.chunked:
                piece = b"%x\r\n" % len(piece) + piece + b"\r\n"
            self._send(sock, piece, deadline)
        if body.chunked:
            self._send(sock, b"0\r\n\r\n", deadline)
        return b""

    def _read_all(self, sock, deadline, start=b""):
        out = bytearray(start)
        if start and _complete(out):
            return bytes(out)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ClientError("timed out waiting for the answer")
            sock.settimeout(left)
            try:
                data = sock.recv(CHUNK)
            except socket.timeout:
                raise ClientError("timed out waiting for the answer") \
                    from None
            except ssl.SSLZeroReturnError:
                break
            except (ConnectionResetError, ssl.SSLError, OSError) as e:
                if out:
                    break
                raise ClientError("reading the answer failed: %s" % e) \
                    from None
            if not data:
                break
            out += data
            if _complete(out):
                break
        return bytes(out)


def _split_head(data):
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None, None
    return data[:end], data[end + 4:]


def _complete(data):
    """True once a whole response with a known length has arrived."""
    head, rest = _split_head(data)
    if head is None:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return len(rest) >= int(value.strip())
            except ValueError:
                return False
    return False


def _dechunk(data):
    out = bytearray()
    pos = 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            raise ClientError("truncated chunked answer")
        size = int(data[pos:eol].split(b";")[0], 16)
        pos = eol + 2
        if size == 0:
            return bytes(out)
        out += data[pos:pos + size]
        pos += size + 2


def parse_response(data):
    head, rest = _split_head(data)
    if head is None:
        raise ClientError("answer has no complete header block (%d bytes)"
                          % len(data))
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ClientError("bad status line %r" % lines[0])
    status = int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    chunked = any(k.lower() == "transfer-encoding" and
                  "chunked" in v.lower() for (k, v) in headers)
    body = _dechunk(rest) if chunked else rest
    for (k, v) in headers:
        if k.lower() == "content-length" and not chunked:
            body = body[:int(v)]
    return Response(status, reason, headers, body)
