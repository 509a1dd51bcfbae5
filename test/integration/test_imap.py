"""IMAP as real clients use it: Python's imaplib and raw transcripts against the real mallard binary.

Users are created with the real mallardctl; mail arrives through APPEND and through LMTP (smtplib.LMTP), and
comes back byte for byte. Two sessions on one mailbox converge; IDLE wakes up on a delivery or on another
session's APPEND; COMPRESS works after STARTTLS; malformed commands get BAD and the session goes on."""
import base64
import imaplib
import os
import re
import smtplib
import socket
import ssl
import subprocess
import time
import unittest

from harness import MallardServer
from imap_wire import WireClient

CTL = os.environ.get("MALLARDCTL_BINARY", "build/tools/mallardctl/mallardctl")
PASSWORD = "imap secret"

ATTACHMENT = bytes(range(256)) * 96  # 24 KiB: big enough to be stored once, content-addressed
_B64 = base64.b64encode(ATTACHMENT)
ATTACHMENT_B64 = b"\r\n".join(_B64[i:i + 76] for i in range(0, len(_B64), 76))

PLAIN = (b"From: Ann <ann@example.com>\r\nTo: Bob <bob@example.com>\r\nSubject: plain hello\r\n"
         b"Date: Mon, 02 Nov 2026 10:00:00 +0000\r\nMessage-ID: <p1@example.com>\r\n\r\n"
         b"Hello Bob,\r\n.a line with a leading dot\r\nBye\r\n")
EIGHT_BIT = (b"From: =?utf-8?q?J=C3=BCrgen?= <j@example.com>\r\nTo: bob@example.com\r\n"
             b"Subject: =?utf-8?b?w6l0w6kgc3VtbWVy?=\r\nContent-Type: text/plain; charset=utf-8\r\n"
             b"Content-Transfer-Encoding: 8bit\r\n\r\n\xe2\x82\xac caf\xc3\xa9 unique-word-kiwi\r\n")
WITH_ATTACHMENT = (b"From: ann@example.com\r\nTo: bob@example.com\r\nSubject: report attached\r\n"
                   b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                   b"preamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nsee the attachment\r\n"
                   b"--b1\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n"
                   b"Content-Disposition: attachment; filename=\"data.bin\"\r\n"
                   b"Content-Transfer-Encoding: base64\r\n\r\n" + ATTACHMENT_B64 + b"\r\n--b1--\r\nepilogue\r\n")
NESTED = (b"From: ann@example.com\r\nTo: bob@example.com\r\nSubject: forwarded\r\nMIME-Version: 1.0\r\n"
          b"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n--outer\r\nContent-Type: text/plain\r\n\r\n"
          b"forwarding this\r\n--outer\r\nContent-Type: message/rfc822\r\n\r\n"
          b"From: carol@example.com\r\nTo: ann@example.com\r\nSubject: inner\r\nMIME-Version: 1.0\r\n"
          b"Content-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n--inner\r\n"
          b"Content-Type: text/plain\r\n\r\ninner text\r\n--inner\r\nContent-Type: text/html\r\n\r\n"
          b"<p>inner html</p>\r\n--inner--\r\n\r\n--outer--\r\n")
MESSAGES = [PLAIN, EIGHT_BIT, WITH_ATTACHMENT, NESTED]


def tls_client():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Raw(WireClient):
    """The wire client (imap_wire.py) with STARTTLS, for what imaplib can't do (IDLE, COMPRESS, malformed input)."""

    def starttls(self):
        _, done = self.command(b"s1", b"STARTTLS")
        assert done.startswith(b"s1 OK"), done
        self.sock = tls_client().wrap_socket(self.sock)


class ImapBase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = MallardServer().start()
        cls.users = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def ctl(self, *args):
        return subprocess.run([CTL, "--config", self.server.config_path, *args], capture_output=True, timeout=60)

    def new_user(self):
        type(self).users += 1
        name = f"user{type(self).users}"
        run = self.ctl("user", "create", name, "--address", f"{name}@example.com", "--password", PASSWORD)
        self.assertEqual(run.returncode, 0, run.stderr)
        return name

    def imap(self, user=None):
        m = imaplib.IMAP4("127.0.0.1", self.server.ports["imap"], timeout=20)
        if user:
            m.login(user, PASSWORD)
        return m

    def raw(self, user=None, port="imap"):
        r = Raw(self.server.ports[port])
        self.assertTrue(r.greeting.startswith(b"* OK"), r.greeting)
        if user:
            _, done = r.command(b"l1", f'LOGIN {user} "{PASSWORD}"'.encode())
            self.assertTrue(done.startswith(b"l1 OK"), done)
        return r

    def deliver(self, user, message):
        with smtplib.LMTP("127.0.0.1", self.server.ports["lmtp"]) as lmtp:
            lmtp.sendmail("sender@example.org", [f"{user}@example.com"], message)


class ImapMessages(ImapBase):
    def test_append_then_fetch_is_byte_exact(self):
        user = self.new_user()
        m = self.imap(user)
        uids = []
        for message in MESSAGES:
            typ, data = m.append("INBOX", r"(\Seen)", None, message)
            self.assertEqual(typ, "OK")
            found = re.search(rb"\[APPENDUID (\d+) (\d+)\]", data[0])
            self.assertIsNotNone(found, data)
            uids.append(int(found.group(2)))
        self.assertEqual(uids, sorted(uids))
        typ, data = m.select("INBOX")
        self.assertEqual(typ, "OK")
        self.assertEqual(int(data[0]), len(MESSAGES))
        for i, message in enumerate(MESSAGES, start=1):
            typ, data = m.fetch(str(i), "(RFC822.SIZE BODY.PEEK[])")
            self.assertEqual(typ, "OK")
            self.assertEqual(data[0][1], message)
            self.assertIn(f"RFC822.SIZE {len(message)}".encode(), data[0][0])
        # Partial fetch and a part of the multipart message.
        typ, data = m.fetch("3", "(BODY.PEEK[]<10.25>)")
        self.assertEqual(data[0][1], WITH_ATTACHMENT[10:35])
        typ, data = m.fetch("3", "(BODY.PEEK[2])")
        self.assertEqual(data[0][1], ATTACHMENT_B64)
        typ, data = m.uid("FETCH", f"{uids[0]}:*", "(UID FLAGS)")
        self.assertEqual(typ, "OK")
        self.assertEqual(len(data), len(MESSAGES))
        self.assertIn(rb"\Seen", data[0])
        m.logout()

    def test_bodystructure_of_a_nested_message(self):
        user = self.new_user()
        m = self.imap(user)
        m.append("INBOX", None, None, NESTED)
        m.select("INBOX")
        typ, data = m.fetch("1", "(BODYSTRUCTURE ENVELOPE)")
        self.assertEqual(typ, "OK")
        text = data[0] if isinstance(data[0], bytes) else b"".join(p for part in data for p in
                                                                    (part if isinstance(part, tuple) else (part,)))
        self.assertIn(b'"MESSAGE" "RFC822"', text.upper())
        self.assertIn(b'"ALTERNATIVE"', text.upper())
        self.assertIn(b'"inner"', text)  # the inner message's envelope subject
        self.assertIn(b'"forwarded"', text)
        # The inner message's text part by section number.
        typ, data = m.fetch("1", "(BODY.PEEK[2.1])")
        self.assertEqual(data[0][1], b"inner text")
        m.logout()

    def test_lmtp_delivery_is_visible_at_once(self):
        user = self.new_user()
        self.deliver(user, PLAIN)
        m = self.imap(user)
        typ, data = m.select("INBOX", readonly=True)
        self.assertEqual(int(data[0]), 1)
        typ, data = m.fetch("1", "(BODY.PEEK[TEXT])")
        self.assertEqual(data[0][1], b"Hello Bob,\r\n.a line with a leading dot\r\nBye\r\n")
        m.logout()

    def test_search_store_copy_move_expunge(self):
        user = self.new_user()
        m = self.imap(user)
        for message in MESSAGES:
            m.append("INBOX", None, None, message)
        m.select("INBOX")
        typ, data = m.store("2", "+FLAGS", r"(\Flagged)")
        self.assertEqual(typ, "OK")
        self.assertIn(rb"\Flagged", data[0])
        self.assertEqual(m.search(None, "FLAGGED"), ("OK", [b"2"]))
        self.assertEqual(m.search("UTF-8", "BODY", "unique-word-kiwi"), ("OK", [b"2"]))
        self.assertEqual(m.search(None, "SUBJECT", "hello"), ("OK", [b"1"]))
        self.assertEqual(m.search(None, "NOT", "FLAGGED", "LARGER", "10000"), ("OK", [b"3"]))
        typ, data = m.copy("1:2", "Archive")
        self.assertEqual(typ, "OK")
        self.assertIsNotNone(re.search(rb"\[COPYUID \d+ 1:2 1:2\]", data[0]), data)
        typ, data = m.copy("1", "No/Such/Box")
        self.assertEqual(typ, "NO")
        self.assertIn(b"[TRYCREATE]", data[0])
        typ, data = m._simple_command("MOVE", "3", "Trash")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.response("EXPUNGE")[1], [b"3"])
        m.store("1", "+FLAGS", r"(\Deleted)")
        typ, data = m.expunge()
        self.assertEqual(data, [b"1"])
        typ, data = m.status("Archive", "(MESSAGES UIDNEXT)")
        self.assertIn(b"MESSAGES 2", data[0])
        typ, data = m.status("INBOX", "(MESSAGES)")
        self.assertIn(b"MESSAGES 2", data[0])
        typ, data = m.status("Trash", "(MESSAGES)")
        self.assertIn(b"MESSAGES 1", data[0])
        m.logout()

    def test_quota(self):
        user = self.new_user()
        self.assertEqual(self.ctl("user", "quota", user, "1M").returncode, 0)
        m = self.imap(user)
        m.append("INBOX", None, None, WITH_ATTACHMENT)
        typ, data = m.getquotaroot("INBOX")
        self.assertEqual(typ, "OK")
        joined = b" ".join(d for part in data for d in part)
        self.assertIn(b"STORAGE", joined)
        self.assertIn(b" 1024)", joined)
        m.logout()


class ImapConcurrency(ImapBase):
    def test_two_sessions_converge(self):
        user = self.new_user()
        a = self.imap(user)
        b = self.imap(user)
        for message in MESSAGES[:2]:
            b.append("INBOX", None, None, message)
        a.select("INBOX")
        b.select("INBOX")
        b.append("INBOX", None, None, MESSAGES[2])
        b.store("1", "+FLAGS", r"(\Seen)")
        typ, _ = a.noop()
        self.assertEqual(a.response("EXISTS")[1][-1], b"3")
        fetches = a.response("FETCH")[1]
        self.assertTrue(any(rb"\Seen" in f for f in fetches), fetches)
        b.store("2", "+FLAGS", r"(\Deleted)")
        b.expunge()
        a.noop()
        self.assertEqual(a.response("EXPUNGE")[1], [b"2"])
        self.assertEqual(a.uid("SEARCH", "ALL"), b.uid("SEARCH", "ALL"))
        a.logout()
        b.logout()

    def idle(self, user):
        r = self.raw(user)
        _, done = r.command(b"s", b"SELECT INBOX")
        self.assertTrue(done.startswith(b"s OK"), done)
        r.send(b"i IDLE\r\n")
        self.assertTrue(r.line().startswith(b"+ "))
        return r

    def wait_for(self, raw, pattern, timeout=5):
        raw.sock.settimeout(timeout)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = raw.line()
            if re.match(pattern, line):
                return line
        self.fail(f"no {pattern!r} within {timeout}s")

    def test_idle_wakes_on_lmtp_delivery(self):
        user = self.new_user()
        r = self.idle(user)
        started = time.monotonic()
        self.deliver(user, PLAIN)
        self.wait_for(r, rb"\* 1 EXISTS")
        self.assertLess(time.monotonic() - started, 2)
        r.send(b"DONE\r\n")
        self.assertTrue(r.line().startswith(b"i OK"))
        _, done = r.command(b"o", b"LOGOUT")
        r.close()

    def test_idle_wakes_on_another_sessions_changes(self):
        user = self.new_user()
        other = self.imap(user)
        other.append("INBOX", None, None, PLAIN)
        r = self.idle(user)
        other.append("INBOX", None, None, EIGHT_BIT)
        self.wait_for(r, rb"\* 2 EXISTS")
        other.select("INBOX")
        other.store("1", "+FLAGS", r"(\Flagged)")
        self.wait_for(r, rb"\* 1 FETCH \(UID 1 FLAGS \(\\Flagged\)\)")
        other.store("1", "+FLAGS", r"(\Deleted)")
        other.expunge()
        self.wait_for(r, rb"\* 1 EXPUNGE")
        r.send(b"DONE\r\n")
        self.assertTrue(r.line().startswith(b"i OK"))
        other.logout()
        r.close()


class ImapTransport(ImapBase):
    def test_compress_after_starttls(self):
        user = self.new_user()
        r = self.raw()
        r.starttls()
        lines, done = r.command(b"c", b"CAPABILITY")
        self.assertNotIn(b"STARTTLS", lines[0].text)
        _, done = r.command(b"l", f'LOGIN {user} "{PASSWORD}"'.encode())
        self.assertTrue(done.startswith(b"l OK"), done)
        _, done = r.command(b"z", b"COMPRESS DEFLATE")
        self.assertTrue(done.startswith(b"z OK"), done)
        self.assertEqual(r.buffer, b"")  # nothing after the OK until the client compresses too
        r.start_compress()
        message = WITH_ATTACHMENT
        r.send(b"a APPEND INBOX {%d+}\r\n" % len(message) + message + b"\r\n")
        _, done = r.until_tagged(b"a")
        self.assertTrue(done.startswith(b"a OK"), done)
        _, done = r.command(b"s", b"SELECT INBOX")
        self.assertTrue(done.startswith(b"s OK"), done)
        lines, done = r.command(b"f", b"FETCH 1 BODY.PEEK[]")
        self.assertTrue(done.startswith(b"f OK"), done)
        r.close()

    def test_literals_synchronising_and_nonsynchronising(self):
        user = self.new_user()
        r = self.raw(user)
        r.send(b"a APPEND INBOX {%d}\r\n" % len(PLAIN))
        self.assertTrue(r.line().startswith(b"+ "))
        r.send(PLAIN + b"\r\n")
        _, done = r.until_tagged(b"a")
        self.assertTrue(done.startswith(b"a OK [APPENDUID"), done)
        r.send(b"b APPEND INBOX (\\Flagged) {%d+}\r\n" % len(EIGHT_BIT) + EIGHT_BIT + b"\r\n")
        _, done = r.until_tagged(b"b")
        self.assertTrue(done.startswith(b"b OK [APPENDUID"), done)
        _, done = r.command(b"s", b"SELECT INBOX")
        lines, done = r.command(b"f", b"FETCH 2 (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        self.assertIn(b"\\Flagged", lines[0].text)
        r.close()

    def test_malformed_commands_are_bad_and_the_session_goes_on(self):
        user = self.new_user()
        r = self.raw()
        _, done = r.command(b"a", b"SELECT INBOX")
        self.assertTrue(done.startswith(b"a BAD"), done)
        _, done = r.command(b"b", b"FROBNICATE now")
        self.assertTrue(done.startswith(b"b BAD"), done)
        _, done = r.command(b"c", f'LOGIN {user} "{PASSWORD}"'.encode())
        self.assertTrue(done.startswith(b"c OK"), done)
        _, done = r.command(b"d", b"FETCH 1 (FLAGS)")
        self.assertTrue(done.startswith(b"d BAD"), done)  # no mailbox selected
        _, done = r.command(b"e", b"SELECT INBOX")
        for bad in [b"FETCH", b"FETCH 1 (FLAGS", b"FETCH x FLAGS", b"STORE 1 +FLAGS (\\Bogus)",
                    b"SEARCH (((", b"UID FROB 1", b"COPY 1", b"FETCH 1 BODY[1.2.]"]:
            _, done = r.command(b"f", bad)
            self.assertTrue(done.startswith(b"f BAD"), (bad, done))
        r.send(b"g NOOP " + b"x" * 100000 + b"\r\n")
        _, done = r.until_tagged(b"g")
        self.assertTrue(done.startswith(b"g BAD"), done)
        _, done = r.command(b"h", b"NOOP")
        self.assertTrue(done.startswith(b"h OK"), done)
        _, done = r.command(b"i", b"LOGOUT")
        self.assertTrue(done.startswith(b"i OK"), done)
        r.close()

    def test_imaps_login_and_capabilities(self):
        user = self.new_user()
        m = imaplib.IMAP4_SSL("127.0.0.1", self.server.ports["imaps"], ssl_context=tls_client(), timeout=20)
        m.login(user, PASSWORD)
        typ, data = m.capability()
        caps = data[0].split()
        for cap in [b"IDLE", b"UIDPLUS", b"MOVE", b"CONDSTORE", b"QUOTA", b"SPECIAL-USE", b"UNSELECT"]:
            self.assertIn(cap, caps)
        typ, data = m.list()
        self.assertTrue(any(rb"\Trash" in line for line in data), data)
        m.logout()


if __name__ == "__main__":
    unittest.main()
