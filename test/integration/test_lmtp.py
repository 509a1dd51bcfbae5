"""LMTP delivery (RFC 2033) as an MTA sees it, against the real binary: per-recipient replies in RCPT order,
address rules (aliases, dots, case, +label, IDN and UTF-8 local parts), quota, pipelining, dot-stuffing,
8-bit and SMTPUTF8 messages, the size limit, sequence errors, the idle timeout, and kill -9 during a delivery
loop after which every acknowledged message is present.

Stored messages are counted through mallardctl (UIDNEXT) and a read-only COUNT on the SQLite database. There
is no read path for message content from Python yet (no IMAP, no mallardctl command): byte-exactness of the
stored copy is checked in C++ by protocols/lmtp/deliver_test.cpp through Store::read_message."""
import os
import signal
import smtplib
import socket
import sqlite3
import subprocess
import threading
import time
import unittest

from harness import MallardServer

CTL = os.environ.get("MALLARDCTL_BINARY", "build/tools/mallardctl/mallardctl")
MAX_MESSAGE = 4096


class RawLmtp:
    """A bare LMTP client: send bytes exactly as given, read one reply (all its lines) at a time."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed; unread: %r" % self.buf)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self):
        lines = [self.line()]
        while lines[-1][3:4] == "-":
            lines.append(self.line())
        return int(lines[-1][:3]), lines

    def command(self, text):
        self.send(text.encode() + b"\r\n")
        return self.reply()

    def close(self):
        self.sock.close()


def ctl(config_path, *args):
    """Runs mallardctl on the server's own configuration (the same data directory)."""
    run = subprocess.run([CTL, "--config", config_path, *args], capture_output=True, text=True, timeout=60)
    if run.returncode != 0:
        raise AssertionError("mallardctl %s failed: %s" % (" ".join(args), run.stderr))
    return run.stdout


def message(subject, body="Hello.\r\n", extra_headers=""):
    return ("From: sender@example.org\r\nTo: someone@example.com\r\nSubject: %s\r\n%s\r\n%s"
            % (subject, extra_headers, body))


class LmtpServerTest(unittest.TestCase):
    extra_config = ""

    @classmethod
    def setUpClass(cls):
        cls.server = MallardServer(extra_config=cls.extra_config).start()
        cls.port = cls.server.ports["lmtp"]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def ctl(self, *args):
        return ctl(self.server.config_path, *args)

    def create_user(self, name, address, *options):
        self.ctl("user", "create", name, "--address", address, "--password", "pw", *options)

    def inbox_count(self, name):
        db = os.path.join(self.server.dir.name, "data", "mallard.db")
        with sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10) as conn:
            return conn.execute(
                "SELECT COUNT(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id "
                "JOIN users u ON u.id = b.user_id WHERE u.username = ? AND b.name = 'INBOX'", (name,)).fetchone()[0]

    def inbox_uidnext(self, name):
        for line in self.ctl("mailbox", "list", name).splitlines():
            if line.split()[0] == "INBOX":
                return int(line.split()[-2])
        self.fail("no INBOX for " + name)

    def lmtp(self):
        client = smtplib.LMTP("127.0.0.1", self.port, timeout=10)
        self.addCleanup(client.close)
        return client

    def raw(self):
        client = RawLmtp(self.port)
        self.addCleanup(client.close)
        self.assertEqual(client.reply()[0], 220)
        return client


class Delivery(LmtpServerTest):
    extra_config = '[lmtp]\nmax_message_bytes = %d\nmax_recipients = 5\nidle_timeout = "3s"\n' % MAX_MESSAGE

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        config = cls.server.config_path
        for name, address in [("alice", "Alice.Smith@example.com"), ("bob", "bob@example.com"),
                              ("dora", "dora@example.com"), ("gina", "gina@example.com")]:
            ctl(config, "user", "create", name, "--address", address, "--password", "pw")
        ctl(config, "address", "add", "alice", "ali@example.org")
        ctl(config, "address", "add", "dora", "dörte@bücher.example")
        ctl(config, "user", "disable", "gina")

    def test_greeting_and_lhlo_advertise_the_extensions(self):
        client = self.lmtp()
        code, _ = client.ehlo("mx.example.org")  # smtplib.LMTP sends LHLO
        self.assertEqual(code, 250)
        for ext in ("pipelining", "enhancedstatuscodes", "8bitmime", "smtputf8", "size"):
            self.assertTrue(client.has_extn(ext), ext)
        self.assertEqual(client.esmtp_features["size"], str(MAX_MESSAGE))

    def test_a_single_recipient_gets_one_copy(self):
        before = self.inbox_count("bob")
        refused = self.lmtp().sendmail("sender@example.org", ["bob@example.com"], message("single"))
        self.assertEqual(refused, {})
        self.assertEqual(self.inbox_count("bob"), before + 1)

    def test_mixed_recipients_get_one_reply_each_in_rcpt_order(self):
        self.create_user("erin", "erin@example.com", "--quota", "1000")
        self.create_user("fred", "fred@example.com")
        # fred's quota is already used up before the transaction: refused at RCPT.
        self.lmtp().sendmail("s@example.org", ["fred@example.com"], message("fill", "x" * 600 + "\r\n"))
        self.ctl("user", "quota", "fred", "100")
        alice_before, erin_before = self.inbox_count("alice"), self.inbox_count("erin")
        client = self.lmtp()
        client.ehlo("mx.example.org")
        self.assertEqual(client.mail("s@example.org")[0], 250)
        self.assertEqual(client.rcpt("alice.smith@example.com")[0], 250)
        code, text = client.rcpt("nobody@example.com")
        self.assertEqual((code, text[:5]), (550, b"5.1.1"))
        self.assertEqual(client.rcpt("erin@example.com")[0], 250)  # fits now; this message will not
        code, text = client.rcpt("fred@example.com")
        self.assertEqual((code, text[:5]), (452, b"4.2.2"))
        code, text = client.rcpt("gina@example.com")
        self.assertEqual((code, text[:5]), (550, b"5.2.1"))
        self.assertEqual(client.rcpt("ali@example.org")[0], 250)
        # After DATA: one reply per accepted recipient (alice, erin, ali), in order.
        code, text = client.data(message("mixed", "y" * 2000 + "\r\n"))
        self.assertEqual(code, 250)
        self.assertIn(b"<alice.smith@example.com>", text)
        code, text = client.getreply()
        self.assertEqual((code, text[:5]), (452, b"4.2.2"))
        self.assertIn(b"<erin@example.com>", text)
        code, text = client.getreply()
        self.assertEqual(code, 250)
        self.assertIn(b"<ali@example.org>", text)
        self.assertEqual(client.noop()[0], 250)  # nothing left over in the stream
        self.assertEqual(self.inbox_count("alice"), alice_before + 1)  # one copy for both of alice's addresses
        self.assertEqual(self.inbox_count("erin"), erin_before)

    def test_aliases_labels_dots_and_case_reach_the_same_user(self):
        before = self.inbox_count("alice")
        uidnext = self.inbox_uidnext("alice")
        addresses = ["Alice.Smith@example.com", "alicesmith+news@EXAMPLE.COM", "A.L.I.C.E.Smith@Example.com",
                     "ali+x@example.org"]
        refused = self.lmtp().sendmail("s@example.org", addresses, message("aliases"))
        self.assertEqual(refused, {})
        self.assertEqual(self.inbox_count("alice"), before + 1)
        self.assertEqual(self.inbox_uidnext("alice"), uidnext + 1)

    def test_pipelined_commands_are_answered_in_order(self):
        before = self.inbox_count("bob")
        client = self.raw()
        client.send(b"LHLO mx.example.org\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<bob@example.com>\r\n"
                    b"RCPT TO:<nobody@example.com>\r\nRCPT TO:<BOB@example.com>\r\nDATA\r\n")
        self.assertEqual(client.reply()[0], 250)
        self.assertEqual(client.reply()[1], ["250 2.1.0 Sender OK"])
        self.assertEqual(client.reply()[0], 250)
        self.assertTrue(client.reply()[1][0].startswith("550 5.1.1"))
        self.assertEqual(client.reply()[0], 250)
        self.assertEqual(client.reply()[0], 354)
        client.send(message("pipelined").encode() + b".\r\nNOOP\r\nRSET\r\nQUIT\r\n")
        first, second = client.reply(), client.reply()
        self.assertTrue(first[1][0].startswith("250 2.0.0 <bob@example.com>"), first)
        self.assertTrue(second[1][0].startswith("250 2.0.0 <BOB@example.com>"), second)
        self.assertEqual(client.reply()[1], ["250 2.0.0 OK"])
        self.assertEqual(client.reply()[1], ["250 2.0.0 OK"])
        self.assertEqual(client.reply()[0], 221)
        self.assertEqual(self.inbox_count("bob"), before + 1)

    def test_dot_stuffed_lines_and_bare_lf_are_accepted_and_the_session_continues(self):
        before = self.inbox_count("bob")
        client = self.raw()
        client.command("LHLO mx.example.org")
        client.command("MAIL FROM:<s@example.org>")
        client.command("RCPT TO:<bob@example.com>")
        self.assertEqual(client.command("DATA")[0], 354)
        client.send(b"Subject: dots\r\n\r\n..\r\n...leading\r\n.x\nbare LF line\n..\n.\r\nNOOP\r\n")
        self.assertTrue(client.reply()[1][0].startswith("250 2.0.0"))
        self.assertEqual(client.reply()[0], 250)
        self.assertEqual(self.inbox_count("bob"), before + 1)

    def test_eight_bit_and_smtputf8_messages(self):
        before = self.inbox_count("dora")
        body = "Grüße aus Köln, naïve café ✓\r\n".encode("utf-8")
        client = self.lmtp()
        refused = client.sendmail("sender@example.org", ["dora@example.com"],
                                  message("8bit").encode() + body, mail_options=["BODY=8BITMIME"])
        self.assertEqual(refused, {})
        client = self.lmtp()
        refused = client.sendmail("jörg@bücher.example", ["dörte@bücher.example", "dörte@xn--bcher-kva.example"],
                                  ("Subject: ünïcode\r\n\r\n").encode("utf-8") + body,
                                  mail_options=["SMTPUTF8", "BODY=8BITMIME"])
        self.assertEqual(refused, {})
        self.assertEqual(self.inbox_count("dora"), before + 2)

    def test_utf8_addresses_need_the_smtputf8_parameter(self):
        client = self.raw()
        client.command("LHLO mx.example.org")
        self.assertEqual(client.command("MAIL FROM:<s@example.org>")[0], 250)
        code, lines = client.command("RCPT TO:<dörte@bücher.example>")
        self.assertEqual(code, 553)
        self.assertTrue(lines[0].startswith("553 5.6.7"))

    def test_size_limit_at_mail_and_after_data(self):
        client = self.raw()
        client.command("LHLO mx.example.org")
        code, lines = client.command("MAIL FROM:<s@example.org> SIZE=%d" % (MAX_MESSAGE + 1))
        self.assertEqual((code, lines[0][:9]), (552, "552 5.3.4"))
        before = self.inbox_count("bob")
        self.assertEqual(client.command("MAIL FROM:<s@example.org> SIZE=100")[0], 250)  # the client lied
        client.command("RCPT TO:<bob@example.com>")
        client.command("RCPT TO:<alice.smith@example.com>")
        self.assertEqual(client.command("DATA")[0], 354)
        big = ("z" * 998 + "\r\n") * (MAX_MESSAGE // 1000 * 3)
        client.send(message("big", big).encode() + b".\r\n")
        for _ in range(2):
            self.assertTrue(client.reply()[1][0].startswith("552 5.3.4"))
        self.assertEqual(client.command("NOOP")[0], 250)
        self.assertEqual(self.inbox_count("bob"), before)

    def test_commands_out_of_sequence_and_unknown_ones(self):
        client = self.raw()
        self.assertTrue(client.command("MAIL FROM:<s@example.org>")[1][0].startswith("503 5.5.1"))
        self.assertTrue(client.command("EHLO mx.example.org")[1][0].startswith("500 5.5.1"))
        self.assertTrue(client.command("HELO mx.example.org")[1][0].startswith("500 5.5.1"))
        self.assertTrue(client.command("FROBNICATE")[1][0].startswith("500 5.5.2"))
        self.assertTrue(client.command("EXPN staff")[1][0].startswith("502 5.5.1"))
        self.assertTrue(client.command("VRFY bob")[1][0].startswith("252 "))
        client.command("LHLO mx.example.org")
        self.assertTrue(client.command("RCPT TO:<bob@example.com>")[1][0].startswith("503 5.5.1"))
        self.assertTrue(client.command("DATA")[1][0].startswith("503 5.5.1"))
        self.assertEqual(client.command("MAIL FROM:<s@example.org>")[0], 250)
        self.assertTrue(client.command("MAIL FROM:<s@example.org>")[1][0].startswith("503 5.5.1"))
        self.assertTrue(client.command("DATA")[1][0].startswith("503 5.5.1"))  # no valid recipient yet
        self.assertTrue(client.command("MAIL FROM:<s@example.org> RET=HDRS")[1][0].startswith("503"))
        self.assertEqual(client.command("RSET")[0], 250)
        self.assertTrue(client.command("MAIL FROM:<s@example.org> RET=HDRS")[1][0].startswith("555 5.5.4"))
        self.assertTrue(client.command("MAIL FROM:s@example.org")[1][0].startswith("501 5.5.4"))
        self.assertEqual(client.command("QUIT")[0], 221)

    def test_too_many_recipients(self):
        client = self.raw()
        client.command("LHLO mx.example.org")
        client.command("MAIL FROM:<s@example.org>")
        for _ in range(5):
            self.assertEqual(client.command("RCPT TO:<bob@example.com>")[0], 250)
        self.assertTrue(client.command("RCPT TO:<bob@example.com>")[1][0].startswith("452 4.5.3"))

    def test_an_over_long_line_is_refused_and_the_session_goes_on(self):
        client = self.raw()
        client.send(b"NOOP " + b"x" * 200000 + b"\r\nNOOP\r\n")
        self.assertTrue(client.reply()[1][0].startswith("500 5.5.6"))
        self.assertEqual(client.reply()[0], 250)

    def test_an_idle_session_is_closed_after_the_timeout(self):
        client = self.raw()
        client.command("LHLO mx.example.org")
        started = time.monotonic()
        code, lines = client.reply()
        self.assertEqual(code, 421)
        self.assertTrue(lines[0].startswith("421 4.4.2"))
        self.assertLess(time.monotonic() - started, 9)


class CrashDuringDelivery(LmtpServerTest):
    def test_every_acknowledged_message_survives_kill_9(self):
        self.create_user("kim", "kim@example.com")
        acked = []
        stop = threading.Event()

        def deliver_loop():
            client = RawLmtp(self.port)
            try:
                client.reply()
                client.command("LHLO mx.example.org")
                for i in range(100000):
                    if stop.is_set():
                        return
                    client.command("MAIL FROM:<s@example.org>")
                    client.command("RCPT TO:<kim@example.com>")
                    client.command("DATA")
                    client.send(message("crash %d" % i, "line\r\n" * 50).encode() + b".\r\n")
                    code, _ = client.reply()
                    if code == 250:
                        acked.append(i)
            except (OSError, EOFError):
                pass  # the server died under us
            finally:
                client.close()

        thread = threading.Thread(target=deliver_loop)
        thread.start()
        deadline = time.monotonic() + 30
        while len(acked) < 30 and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertGreaterEqual(len(acked), 30, "deliveries too slow")
        self.server.proc.send_signal(signal.SIGKILL)
        self.server.proc.wait()
        stop.set()
        thread.join(30)
        count = len(acked)
        self.assertEqual(self.inbox_uidnext("kim") - 1, self.inbox_count("kim"))  # no UID gap
        stored = self.inbox_count("kim")
        self.assertGreaterEqual(stored, count)  # every 250 is there
        self.assertLessEqual(stored, count + 1)  # at most the one in flight, committed but not acknowledged
        db = os.path.join(self.server.dir.name, "data", "mallard.db")
        with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as conn:
            self.assertEqual(conn.execute("PRAGMA integrity_check").fetchone()[0], "ok")
        # The restarted server goes on delivering after the last UID.
        self.server.log.close()
        self.server.start()
        self.port = self.server.ports["lmtp"]
        self.assertEqual(self.lmtp().sendmail("s@example.org", ["kim@example.com"], message("after")), {})
        self.assertEqual(self.inbox_count("kim"), stored + 1)
        self.assertEqual(self.inbox_uidnext("kim"), stored + 2)


if __name__ == "__main__":
    unittest.main()
