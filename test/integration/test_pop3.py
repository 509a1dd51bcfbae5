"""POP3 as a downloader sees it (RFC 1939, 2449, 2595, 5034) with WildDuck's semantics: the maildrop is INBOX's
newest N messages, messages come back byte for byte, UIDL is stable, and changes (\\Seen, DELE → Trash) happen
only after QUIT. Users are created with the real mallardctl; messages are put into INBOX through the Store by
the mallard-test-store helper (there is no delivery path into the server yet)."""
import base64
import imaplib
import os
import poplib
import socket
import ssl
import subprocess
import time
import unittest

from harness import MallardServer

CTL = os.environ.get("MALLARDCTL_BINARY", "build/tools/mallardctl/mallardctl")
STORE_TOOL = os.environ.get("MALLARD_TEST_STORE", "build/test/mallard-test-store")
PASSWORD = "pop secret"

poplib._MAXLINE = 1 << 20  # the long-line message has 5000-octet lines; poplib's default guard is 2048

MESSAGES = [
    # dot-leading lines, including a line that is only "."
    b"From: a@example.com\r\nTo: b@example.com\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nend\r\n",
    # 8-bit header and body
    b"Subject: \xc3\xa9t\xc3\xa9\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    b"\xe2\x82\xac 8-bit body\r\nline two \xc3\xbc\r\n",
    # long lines
    b"Subject: long\r\n\r\n" + b"x" * 5000 + b"\r\n" + b"y" * 998 + b"\r\nshort\r\n",
    # no final CRLF
    b"Subject: no final line break\r\n\r\nfirst\r\nlast line without a break",
]


def tls_client():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def joined(lines):
    return b"\r\n".join(lines)


def expected_wire_lines(message):
    """What poplib hands back: the message split at CRLF, without the last line break."""
    return message[:-2] if message.endswith(b"\r\n") else message


class Pop3Base(unittest.TestCase):
    extra_config = ""

    @classmethod
    def setUpClass(cls):
        cls.server = MallardServer(extra_config=cls.extra_config).start()
        cls.users = 0

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def ctl(self, *args, stdin=None):
        return subprocess.run([CTL, "--config", self.server.config_path, *args], input=stdin,
                              capture_output=True, timeout=60)

    def new_user(self, messages=()):
        type(self).users += 1
        name = f"user{type(self).users}"
        run = self.ctl("user", "create", name, "--address", f"{name}@example.com", "--password", PASSWORD)
        self.assertEqual(run.returncode, 0, run.stderr)
        for m in messages:
            self.append(name, m)
        return name

    def append(self, user, message, mailbox="INBOX", flags=()):
        run = subprocess.run([STORE_TOOL, self.server.config_path, "append", user, mailbox, *flags],
                             input=message, capture_output=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        return int(run.stdout)

    def listing(self, user, mailbox):
        run = subprocess.run([STORE_TOOL, self.server.config_path, "list", user, mailbox],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        rows = []
        for line in run.stdout.splitlines():
            parts = line.split(" ")
            rows.append((int(parts[0]), int(parts[1]), parts[2].split(",") if len(parts) > 2 and parts[2] else []))
        return rows

    def pop(self, user=None, password=PASSWORD):
        p = poplib.POP3("127.0.0.1", self.server.ports["pop3"], timeout=20)
        if user:
            p.user(user)
            p.pass_(password)
        return p

    def raw(self):
        s = socket.create_connection(("127.0.0.1", self.server.ports["pop3"]), timeout=20)
        f = s.makefile("rb")
        greeting = f.readline()
        self.assertTrue(greeting.startswith(b"+OK"), greeting)
        return s, f

    def send(self, s, f, line):
        s.sendall(line + b"\r\n")
        return f.readline()


class Pop3Retrieval(Pop3Base):
    def test_list_stat_retr_top_are_byte_exact(self):
        user = self.new_user(MESSAGES)
        p = self.pop(user)
        count, total = p.stat()
        self.assertEqual(count, len(MESSAGES))
        self.assertEqual(total, sum(len(m) for m in MESSAGES))
        resp, lines, _ = p.list()
        self.assertEqual([l.decode() for l in lines], [f"{i + 1} {len(m)}" for i, m in enumerate(MESSAGES)])
        self.assertEqual(p.list(3), f"+OK 3 {len(MESSAGES[2])}".encode())
        for i, m in enumerate(MESSAGES):
            resp, lines, _ = p.retr(i + 1)
            self.assertEqual(joined(lines), expected_wire_lines(m), f"message {i + 1}")
        resp, lines, _ = p.top(1, 2)
        self.assertEqual(joined(lines) + b"\r\n",
                         b"From: a@example.com\r\nTo: b@example.com\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n")
        resp, lines, _ = p.top(4, 0)
        self.assertEqual(joined(lines) + b"\r\n", b"Subject: no final line break\r\n\r\n")
        resp, lines, _ = p.top(4, 10)
        self.assertEqual(joined(lines), MESSAGES[3])
        p.quit()

    def test_dot_stuffing_on_the_wire(self):
        user = self.new_user([MESSAGES[0]])
        s, f = self.raw()
        self.send(s, f, b"USER " + user.encode())
        self.assertTrue(self.send(s, f, b"PASS " + PASSWORD.encode()).startswith(b"+OK"))
        s.sendall(b"RETR 1\r\n")
        self.assertTrue(f.readline().startswith(b"+OK"))
        wire = b""
        while not wire.endswith(b"\r\n.\r\n"):
            wire += f.readline()
        self.assertEqual(wire, MESSAGES[0].replace(b"\r\n.", b"\r\n..") + b".\r\n")
        s.close()

    def test_uidl_is_stable_across_sessions_and_deletions(self):
        user = self.new_user(MESSAGES[:3])
        p = self.pop(user)
        first = p.uidl()[1]
        self.assertEqual(len(first), 3)
        ids = [l.split()[1] for l in first]
        self.assertEqual(len(set(ids)), 3)
        self.assertEqual(p.uidl(2), b"+OK 2 " + ids[1])
        p.quit()
        p = self.pop(user)
        self.assertEqual(p.uidl()[1], first)
        p.dele(1)
        self.assertEqual([l.split()[1] for l in p.uidl()[1]], ids[1:])
        p.quit()
        self.append(user, b"Subject: new\r\n\r\nnew\r\n")
        p = self.pop(user)
        after = [l.split()[1] for l in p.uidl()[1]]
        self.assertEqual(after[:2], ids[1:])
        self.assertNotIn(after[2], ids)
        p.quit()

    def test_retr_marks_seen_only_after_quit(self):
        user = self.new_user(MESSAGES[:2])
        p = self.pop(user)
        p.retr(2)
        p.top(1, 0)
        self.assertEqual([r[2] for r in self.listing(user, "INBOX")], [[], []])
        p.quit()
        self.assertEqual([r[2] for r in self.listing(user, "INBOX")], [[], ["\\Seen"]])

    def test_dele_then_quit_moves_to_trash(self):
        user = self.new_user(MESSAGES)
        p = self.pop(user)
        p.retr(1)
        p.dele(1)
        p.dele(3)
        self.assertEqual(p.stat(), (2, len(MESSAGES[1]) + len(MESSAGES[3])))
        for command in (lambda: p.retr(1), lambda: p.top(3, 0), lambda: p.list(1), lambda: p.dele(1),
                        lambda: p.uidl(3)):
            with self.assertRaises(poplib.error_proto):
                command()
        self.assertEqual([l.split()[0] for l in p.list()[1]], [b"2", b"4"])
        self.assertIn(b"2 messages deleted", p.quit())
        inbox = self.listing(user, "INBOX")
        trash = self.listing(user, "Trash")
        self.assertEqual([r[1] for r in inbox], [len(MESSAGES[1]), len(MESSAGES[3])])
        self.assertEqual(sorted(r[1] for r in trash), sorted([len(MESSAGES[0]), len(MESSAGES[2])]))
        seen = {r[1]: r[2] for r in trash}
        self.assertEqual(seen[len(MESSAGES[0])], ["\\Seen"])  # retrieved before DELE
        self.assertEqual(seen[len(MESSAGES[2])], [])
        # The same as an IMAP client sees it: both messages in Trash, byte for byte, the retrieved one \Seen.
        m = imaplib.IMAP4("127.0.0.1", self.server.ports["imap"], timeout=20)
        m.login(user, PASSWORD)
        m.select("Trash", readonly=True)
        typ, data = m.fetch("1:*", "(FLAGS BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        fetched = {part[1]: part[0] for part in data if isinstance(part, tuple)}
        self.assertEqual(set(fetched), {MESSAGES[0], MESSAGES[2]})
        self.assertIn(rb"\Seen", fetched[MESSAGES[0]])
        self.assertNotIn(rb"\Seen", fetched[MESSAGES[2]])
        m.logout()
        p = self.pop(user)
        resp, lines, _ = p.retr(1)
        self.assertEqual(joined(lines), expected_wire_lines(MESSAGES[1]))
        p.quit()

    def test_dropped_connection_changes_nothing(self):
        user = self.new_user(MESSAGES[:2])
        p = self.pop(user)
        p.retr(1)
        p.dele(1)
        p.dele(2)
        p.sock.close()
        time.sleep(0.5)
        self.assertEqual([r[2] for r in self.listing(user, "INBOX")], [[], []])
        self.assertEqual(self.listing(user, "Trash"), [])
        p = self.pop(user)
        self.assertEqual(p.stat()[0], 2)
        p.quit()

    def test_rset_unmarks_deletions(self):
        user = self.new_user(MESSAGES[:2])
        p = self.pop(user)
        p.dele(1)
        self.assertEqual(p.stat()[0], 1)
        p.rset()
        self.assertEqual(p.stat()[0], 2)
        self.assertTrue(p.noop().startswith(b"+OK"))
        p.quit()
        self.assertEqual(len(self.listing(user, "INBOX")), 2)
        self.assertEqual(self.listing(user, "Trash"), [])

    def test_login_by_address_and_an_empty_maildrop(self):
        user = self.new_user()
        p = self.pop(f"{user}@example.com")
        self.assertEqual(p.stat(), (0, 0))
        self.assertEqual(p.list()[1], [])
        p.quit()


class Pop3Authentication(Pop3Base):
    def test_capa_before_and_after_login(self):
        user = self.new_user()
        p = self.pop()
        capa = p.capa()
        for name in ("TOP", "UIDL", "USER", "RESP-CODES", "PIPELINING", "STLS", "IMPLEMENTATION"):
            self.assertIn(name, capa)
        self.assertEqual(capa["SASL"], ["PLAIN"])
        p.user(user)
        p.pass_(PASSWORD)
        self.assertNotIn("STLS", p.capa())
        p.quit()

    def test_stls_then_login(self):
        user = self.new_user([MESSAGES[0]])
        p = self.pop()
        p.stls(tls_client())
        self.assertNotIn("STLS", p.capa())
        p.user(user)
        p.pass_(PASSWORD)
        resp, lines, _ = p.retr(1)
        self.assertEqual(joined(lines), expected_wire_lines(MESSAGES[0]))
        p.quit()

    def test_plaintext_pipelined_after_stls_is_discarded(self):
        s, f = self.raw()
        s.sendall(b"STLS\r\nCAPA\r\n")
        self.assertTrue(f.readline().startswith(b"+OK"))
        t = tls_client().wrap_socket(s)
        t.sendall(b"NOOP\r\n")
        tf = t.makefile("rb")
        self.assertTrue(tf.readline().startswith(b"-ERR"))  # NOOP before login: the injected CAPA left no trace
        t.close()

    def test_implicit_tls(self):
        user = self.new_user([MESSAGES[1]])
        p = poplib.POP3_SSL("127.0.0.1", self.server.ports["pop3s"], context=tls_client(), timeout=20)
        self.assertNotIn("STLS", p.capa())
        p.user(user)
        p.pass_(PASSWORD)
        self.assertEqual(p.stat(), (1, len(MESSAGES[1])))
        p.quit()

    def test_auth_plain_with_initial_response_and_continuation(self):
        user = self.new_user([MESSAGES[0]])
        token = base64.b64encode(b"\0" + user.encode() + b"\0" + PASSWORD.encode())
        s, f = self.raw()
        self.assertTrue(self.send(s, f, b"AUTH PLAIN " + token).startswith(b"+OK"))
        self.assertEqual(self.send(s, f, b"STAT"), f"+OK 1 {len(MESSAGES[0])}\r\n".encode())
        s.close()
        s, f = self.raw()
        self.assertEqual(self.send(s, f, b"AUTH PLAIN"), b"+ \r\n")
        self.assertTrue(self.send(s, f, token).startswith(b"+OK"))
        self.assertTrue(self.send(s, f, b"QUIT").startswith(b"+OK"))
        s.close()
        s, f = self.raw()
        self.assertEqual(self.send(s, f, b"AUTH PLAIN"), b"+ \r\n")
        self.assertTrue(self.send(s, f, b"*").startswith(b"-ERR"))
        self.assertTrue(self.send(s, f, b"AUTH CRAM-MD5").startswith(b"-ERR"))
        bad = base64.b64encode(b"\0" + user.encode() + b"\0wrong")
        self.assertTrue(self.send(s, f, b"AUTH PLAIN " + bad).startswith(b"-ERR [AUTH]"))
        s.close()

    def test_wrong_password_unknown_user_and_disabled_user(self):
        user = self.new_user()
        for name, password in ((user, "wrong"), ("nobody", PASSWORD)):
            p = self.pop()
            p.user(name)
            with self.assertRaises(poplib.error_proto) as failed:
                p.pass_(password)
            self.assertTrue(str(failed.exception).startswith("b'-ERR [AUTH]"), failed.exception)
            p.quit()
        self.assertEqual(self.ctl("user", "disable", user).returncode, 0)
        p = self.pop()
        p.user(user)
        with self.assertRaises(poplib.error_proto) as failed:
            p.pass_(PASSWORD)
        self.assertIn("[AUTH]", str(failed.exception))
        p.quit()

    def test_malformed_commands_and_long_lines(self):
        user = self.new_user([MESSAGES[0]])
        s, f = self.raw()
        self.assertTrue(self.send(s, f, b"FROB").startswith(b"-ERR"))
        self.assertTrue(self.send(s, f, b"").startswith(b"-ERR"))
        self.assertTrue(self.send(s, f, b"STAT").startswith(b"-ERR"))
        self.assertTrue(self.send(s, f, b"PASS x").startswith(b"-ERR"))
        self.assertEqual(self.send(s, f, b"USER " + b"a" * 5000), b"-ERR line too long\r\n")
        self.send(s, f, b"USER " + user.encode())
        self.assertTrue(self.send(s, f, b"PASS " + PASSWORD.encode()).startswith(b"+OK"))
        for line in (b"RETR", b"RETR x", b"RETR 0", b"RETR 2", b"RETR -1", b"TOP 1", b"TOP 1 x", b"LIST 1 2 3",
                     b"RETR 99999999999", b"USER again", b"STLS", b"LIST  1"):
            self.assertTrue(self.send(s, f, line).startswith(b"-ERR"), line)
        self.assertTrue(self.send(s, f, b"list 1").startswith(b"+OK 1 "))
        s.close()

    def test_pipelined_commands_are_answered_in_order(self):
        user = self.new_user(MESSAGES[:2])
        s, f = self.raw()
        s.sendall(f"USER {user}\r\nPASS {PASSWORD}\r\nSTAT\r\nUIDL 1\r\nQUIT\r\n".encode())
        replies = [f.readline() for _ in range(5)]
        self.assertTrue(all(r.startswith(b"+OK") for r in replies), replies)
        self.assertEqual(replies[2], f"+OK 2 {len(MESSAGES[0]) + len(MESSAGES[1])}\r\n".encode())
        s.close()


class Pop3SmallMaildrop(Pop3Base):
    extra_config = '[pop3]\nmax_messages = 3\ndelete_to_trash = false\nidle_timeout = "2s"\n'

    def test_maildrop_is_the_newest_n_oldest_first(self):
        user = self.new_user()
        bodies = [f"Subject: {i}\r\n\r\nmessage {i}\r\n".encode() for i in range(5)]
        for b in bodies:
            self.append(user, b)
        p = self.pop(user)
        self.assertEqual(p.stat()[0], 3)
        for n in range(3):
            self.assertEqual(joined(p.retr(n + 1)[1]), expected_wire_lines(bodies[n + 2]))
        p.quit()

    def test_dele_expunges_when_not_moving_to_trash(self):
        user = self.new_user(MESSAGES[:2])
        p = self.pop(user)
        p.dele(2)
        p.quit()
        self.assertEqual([r[1] for r in self.listing(user, "INBOX")], [len(MESSAGES[0])])
        self.assertEqual(self.listing(user, "Trash"), [])

    def test_idle_sessions_are_closed(self):
        s, f = self.raw()
        started = time.monotonic()
        self.assertTrue(f.readline().startswith(b"-ERR"))
        self.assertEqual(f.readline(), b"")
        self.assertLess(time.monotonic() - started, 15)
        s.close()


if __name__ == "__main__":
    unittest.main()
