"""Varied messages for the real-client tests: deterministic from (seed, index), in the shapes real mail has.

Plain ASCII, 8-bit UTF-8 bodies, RFC 2047 encoded and raw UTF-8 (RFC 6532) headers, multipart/alternative,
multipart/mixed with base64 attachments of varied sizes, lines far beyond 998 octets, a last line without CRLF,
a nested message/rfc822 holding a multipart, folded headers, a leading dot. Every line ends in CRLF (except the
unterminated last line), so a client that stores LF-only files (mbsync, offlineimap) can be compared exactly
after turning LF back into CRLF."""
import base64
import random

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india kilo lima mike november oscar papa "
         "romeo sierra tango uniform victor whiskey yankee zulu").split()
UTF8_WORDS = ["caf\u00e9", "\u00fcber", "na\u00efve", "\u20ac100", "\u65e5\u672c\u8a9e", "\u0436\u0443\u043a",
              "\U0001f986", "\u00e5ngstr\u00f6m"]


def _text(rng, lines, utf8=False):
    out = []
    for _ in range(lines):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]
        if utf8:
            words.insert(rng.randint(0, len(words)), rng.choice(UTF8_WORDS))
        out.append(" ".join(words))
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


def _b64(data):
    encoded = base64.b64encode(data)
    return b"\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76)) + b"\r\n"


def _headers(rng, index, subject, extra=b""):
    return (b"From: Sender %d <sender%d@example.org>\r\n" % (index, index % 7)
            + b"To: Bob <bob@example.com>\r\n"
            + b"Subject: " + subject + b"\r\n"
            + b"Date: Mon, 02 Nov 2026 %02d:%02d:00 +0000\r\n" % (index // 60 % 24, index % 60)
            + b"Message-ID: <m%d.%d@example.org>\r\n" % (index, rng.randint(0, 1 << 30))
            + extra)


def make_message(seed, index):
    """Returns (kind, raw bytes) for one message; the same (seed, index) gives the same bytes."""
    rng = random.Random(seed * 1_000_003 + index)
    kind = index % 9
    subject = b"message %d %s" % (index, rng.choice(WORDS).encode())
    if kind == 0:
        return "plain", _headers(rng, index, subject) + b"\r\n" + _text(rng, rng.randint(1, 40))
    if kind == 1:
        # 8bit UTF-8 body, an RFC 2047 subject, a raw UTF-8 display name (RFC 6532), a folded header.
        encoded = b"=?utf-8?b?" + base64.b64encode(("\u00e9t\u00e9 %d \u65e5\u672c" % index).encode()) + b"?="
        extra = ("X-Name: J\u00fcrgen M\u00fcller <j@example.org>\r\n".encode("utf-8")
                 + b"X-Folded: first part\r\n\tsecond part\r\n   third part\r\n"
                 + b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                 + b"Content-Transfer-Encoding: 8bit\r\n")
        return "8bit", _headers(rng, index, encoded, extra) + b"\r\n" + _text(rng, rng.randint(2, 30), utf8=True)
    if kind == 2:
        extra = (b"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"alt%d\"\r\n" % index)
        text = _text(rng, rng.randint(1, 10))
        body = (b"--alt%d\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n" % index + text
                + b"--alt%d\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<html><body><p>" % index
                + text.replace(b"\r\n", b"<br>\r\n") + b"</p></body></html>\r\n--alt%d--\r\n" % index)
        return "alternative", _headers(rng, index, subject, extra) + b"\r\n" + body
    if kind == 3:
        size = rng.choice([10, 3000, 40_000, 200_000])
        data = bytes(rng.getrandbits(8) for _ in range(size))
        extra = b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix%d\"\r\n" % index
        body = (b"This is a multi-part message in MIME format.\r\n"
                b"--mix%d\r\nContent-Type: text/plain\r\n\r\n" % index + _text(rng, 3)
                + b"--mix%d\r\nContent-Type: application/octet-stream; name=\"file%d.bin\"\r\n" % (index, index)
                + b"Content-Disposition: attachment; filename=\"file%d.bin\"\r\n" % index
                + b"Content-Transfer-Encoding: base64\r\n\r\n" + _b64(data) + b"--mix%d--\r\nepilogue\r\n" % index)
        return "attachment", _headers(rng, index, subject, extra) + b"\r\n" + body
    if kind == 4:
        # One line far beyond RFC 5322's 998 octets, unfolded; servers must keep it as it is.
        long_line = b" ".join(rng.choice(WORDS).encode() for _ in range(rng.randint(300, 2000)))
        return "long-line", _headers(rng, index, subject) + b"\r\n" + _text(rng, 2) + long_line + b"\r\n"
    if kind == 5:
        # No CRLF after the last line. Over LMTP the CRLF of "CRLF.CRLF" ends that line (RFC 5321 §4.1.1.4),
        # so what is delivered ends in CRLF; delivered_bytes() accounts for it.
        return "no-final-crlf", _headers(rng, index, subject) + b"\r\n" + _text(rng, 3) + b"last line, no CRLF"
    if kind == 6:
        inner = (b"From: carol@example.org\r\nTo: ann@example.org\r\nSubject: inner %d\r\n" % index
                 + b"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"in%d\"\r\n\r\n" % index
                 + b"--in%d\r\nContent-Type: text/plain\r\n\r\n" % index + _text(rng, 2)
                 + b"--in%d\r\nContent-Type: text/html\r\n\r\n<p>inner</p>\r\n--in%d--\r\n" % (index, index))
        extra = b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"out%d\"\r\n" % index
        body = (b"--out%d\r\nContent-Type: text/plain\r\n\r\nforwarded:\r\n" % index
                + b"--out%d\r\nContent-Type: message/rfc822\r\n\r\n" % index + inner + b"\r\n--out%d--\r\n" % index)
        return "nested", _headers(rng, index, b"Fwd: " + subject, extra) + b"\r\n" + body
    if kind == 7:
        # Lines starting with dots (dot-stuffed on the wire, RFC 5321 §4.5.2), "From " (mbox-quoting bait),
        # trailing white space and an empty body line at the end.
        body = b".leading dot\r\n..two dots\r\nFrom the start of a line\r\ntrailing space   \r\n.\r\n\r\n"
        return "dots", _headers(rng, index, subject) + b"\r\n" + body
    # Quoted-printable with soft line breaks, and a header-only message (no body at all).
    if index % 2:
        return "headers-only", _headers(rng, index, subject) + b"\r\n"
    extra = (b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
             b"Content-Transfer-Encoding: quoted-printable\r\n")
    return "qp", _headers(rng, index, subject, extra) + b"\r\ncaf=C3=A9 soft=\r\nbreak = equals=3D\r\n"


def delivered_bytes(raw):
    """The message as an LMTP server receives it (RFC 5321 §4.1.1.4): the last line always ends in CRLF."""
    return raw if raw.endswith(b"\r\n") else raw + b"\r\n"
