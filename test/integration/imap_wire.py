"""A small IMAP client at the wire level for the real-client tests: literals in responses, COMPRESS=DEFLATE
(RFC 4978), IDLE (RFC 2177) — the parts imaplib does not do, or does not let a test watch."""
import re
import socket
import zlib

_LITERAL = re.compile(rb"\{(\d+)\}$")


class Response:
    """One response: the text with each literal replaced by {n}, and the literals in order."""

    def __init__(self, text, literals):
        self.text = text
        self.literals = literals

    def __repr__(self):
        return f"Response({self.text[:120]!r}, {len(self.literals)} literals)"


class WireClient:
    def __init__(self, port, timeout=20):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.inflate = None
        self.deflate = None
        self.greeting = self.line()

    def send(self, data):
        if self.deflate:
            data = self.deflate.compress(data) + self.deflate.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        if self.inflate:
            chunk = self.inflate.decompress(chunk)
        self.buffer += chunk

    def line(self):
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exactly(self, n):
        while len(self.buffer) < n:
            self._fill()
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def response(self):
        """Reads one whole response, however many literals it holds."""
        text, literals = b"", []
        while True:
            line = self.line()
            text += line
            found = _LITERAL.search(line)
            if not found:
                return Response(text, literals)
            literals.append(self._exactly(int(found.group(1))))

    def command(self, tag, text):
        """Sends one command; returns (untagged responses, tagged line)."""
        self.send(tag + b" " + text + b"\r\n")
        return self.until_tagged(tag)

    def until_tagged(self, tag):
        responses = []
        while True:
            r = self.response()
            if r.text.startswith(tag + b" "):
                return responses, r.text
            responses.append(r)

    def start_compress(self):
        self.inflate = zlib.decompressobj(-15)
        self.deflate = zlib.compressobj(6, zlib.DEFLATED, -15)

    def close(self):
        self.sock.close()
