"""Real IMAP clients against the real mallard binary: a two-way Maildir sync tool (mbsync from isync, and
offlineimap when installed), a desktop-style session scripted the way Thunderbird talks, and a phone-style
client sitting in IDLE.

Mail arrives over LMTP in the shapes real mail has (real_client_messages.py). Every message a client downloads
must be the delivered bytes exactly, behind the trace fields Mallard's LMTP prepends (Return-Path,
Delivered-To, Received — RFC 5321 §4.4). The sync tools store LF line ends and mbsync adds its own "X-TUID"
header (isync's recovery tag for interrupted syncs), so their files are compared after undoing exactly that.

The sync tests skip when the tool is not installed (Debian: isync, offlineimap3).
MALLARD_IDLE_SECONDS lengthens the IDLE test (300 for the five-minute run)."""
import base64
import glob
import imaplib
import os
import random
import re
import shutil
import smtplib
import socket
import subprocess
import tempfile
import threading
import time
import unittest

from harness import MallardServer
from imap_wire import WireClient
from real_client_messages import delivered_bytes, make_message

CTL = os.environ.get("MALLARDCTL_BINARY", "build/tools/mallardctl/mallardctl")
USER, PASSWORD = "bob", "sync secret"
MAILBOXES = ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"]
# The trace fields LMTP prepends, as one block: Received is folded over continuation lines.
TRACE = re.compile(rb"\AReturn-Path: [^\r\n]*\r\n(?:Delivered-To: [^\r\n]*\r\n)+Received: [^\r\n]*\r\n"
                   rb"(?:[ \t][^\r\n]*\r\n)*")
MAILDIR_FLAGS = {"S": r"\Seen", "F": r"\Flagged", "R": r"\Answered", "T": r"\Deleted", "D": r"\Draft"}
SYSTEM_FLAGS = set(MAILDIR_FLAGS.values())


def message_id(raw):
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    found = re.search(rb"(?im)^Message-ID:[ \t]*(<[^>\r\n]*>)", head)
    return found.group(1) if found else None


class RealClientBase(unittest.TestCase):
    """One server and one user per class, with `count` varied messages delivered to INBOX over LMTP."""
    count = 45
    extra_config = ""

    @classmethod
    def setUpClass(cls):
        cls.server = MallardServer(cls.extra_config).start()
        run = subprocess.run([CTL, "--config", cls.server.config_path, "user", "create", USER,
                              "--address", f"{USER}@example.com", "--password", PASSWORD],
                             capture_output=True, timeout=60)
        assert run.returncode == 0, run.stderr
        cls.delivered = {}  # Message-ID -> the bytes the LMTP server received
        cls.deliver(range(cls.count))

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    @classmethod
    def deliver(cls, indexes, seed=1):
        with smtplib.LMTP("127.0.0.1", cls.server.ports["lmtp"]) as lmtp:
            for i in indexes:
                _, raw = make_message(seed, i)
                lmtp.sendmail("sender@example.org", [f"{USER}@example.com"], raw)
                cls.delivered[message_id(raw)] = delivered_bytes(raw)

    def imap(self):
        m = imaplib.IMAP4("127.0.0.1", self.server.ports["imap"], timeout=30)
        m.login(USER, PASSWORD)
        return m

    def remote_messages(self, m, box):
        """Message-ID -> (BODY[], system flags) for every message in box."""
        typ, data = m.select(f'"{box}"', readonly=True)
        self.assertEqual(typ, "OK", data)
        out = {}
        if int(data[0]) == 0:
            return out
        typ, data = m.uid("FETCH", "1:*", "(FLAGS RFC822.SIZE BODY.PEEK[])")
        self.assertEqual(typ, "OK", data)
        for item in data:
            if not isinstance(item, tuple):
                continue
            flags = set(re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split())
            self.assertIn(b"RFC822.SIZE %d " % len(item[1]), item[0])
            out[message_id(item[1])] = (item[1], flags & SYSTEM_FLAGS)
        return out

    def check_delivered(self, mid, body):
        """What IMAP returns for a delivered message is the trace block followed by the delivered bytes."""
        trace = TRACE.match(body)
        self.assertIsNotNone(trace, body[:300])
        self.assertEqual(body[trace.end():], self.delivered[mid], mid)


class MaildirSync:
    """Helpers for a sync tool that keeps one Maildir per mailbox under `root/<name>`."""

    def local_messages(self, root, box):
        """Message-ID -> (bytes as the IMAP server would hold them, system flags) for every file in box."""
        out = {}
        for path in glob.glob(os.path.join(root, box, "cur", "*")) + glob.glob(os.path.join(root, box, "new", "*")):
            with open(path, "rb") as f:
                raw = f.read()
            head, sep, body = raw.partition(b"\n\n")
            head = re.sub(rb"(?m)^X-TUID: [^\n]*\n", b"", head + b"\n", count=1)  # mbsync's own tag
            raw = head + sep[1:] + body if sep else head[:-1]
            if b"\r\n" not in raw:
                raw = raw.replace(b"\n", b"\r\n")
            info = os.path.basename(path).partition(":2,")[2]
            out[message_id(raw)] = (raw, {MAILDIR_FLAGS[c] for c in info if c in MAILDIR_FLAGS})
        return out

    def assert_converged(self, root):
        m = self.imap()
        for box in MAILBOXES:
            remote = self.remote_messages(m, box)
            local = self.local_messages(root, box)
            self.assertEqual(sorted(remote), sorted(local), box)
            for mid, (body, flags) in remote.items():
                self.assertEqual(local[mid][1], flags, (box, mid))
                # A message mbsync uploads carries its X-TUID (mbsync writes it into what it APPENDs).
                head, sep, rest = body.partition(b"\r\n\r\n")
                head = re.sub(rb"(?m)^X-TUID: [^\r\n]*\r\n", b"", head + b"\r\n", count=1)[:-2]
                self.assertEqual(local[mid][0], head + sep + rest, (box, mid))
        m.logout()

    def first_sync_is_byte_exact(self, root):
        m = self.imap()
        remote = self.remote_messages(m, "INBOX")
        m.logout()
        self.assertEqual(len(remote), len(self.delivered))
        local = self.local_messages(root, "INBOX")
        self.assertEqual(sorted(local), sorted(remote))
        for mid, (body, _) in remote.items():
            self.check_delivered(mid, body)
            self.assertEqual(local[mid][0], body, mid)

    def change_both_sides(self, root, seed):
        """Flags, deletions and moves on both sides, a message written locally, new mail delivered."""
        inbox = sorted(glob.glob(os.path.join(root, "INBOX", "*", "*")))
        stem = lambda path: os.path.basename(path).partition(":2,")[0]
        for path in inbox[0:5]:
            os.rename(path, os.path.join(root, "INBOX", "cur", stem(path) + ":2,S"))
        for path in inbox[5:8]:
            os.rename(path, os.path.join(root, "INBOX", "cur", stem(path) + ":2,FRS"))
        for path in inbox[8:11]:
            os.unlink(path)
        for i, path in enumerate(inbox[11:14]):
            # Moved by a local mail reader: a new file elsewhere, without the tool's UID in its name.
            os.rename(path, os.path.join(root, "Archive", "cur", f"1800000000.move{seed}{i}.host:2,S"))
        for i, box in enumerate(["Drafts", "Sent"]):
            _, raw = make_message(seed, 1000 + i)
            with open(os.path.join(root, box, "new", f"1800000001.new{seed}{i}.host"), "wb") as f:
                f.write(raw.replace(b"\r\n", b"\n"))
        m = self.imap()
        m.select("INBOX")
        typ, data = m.uid("SEARCH", "ALL")
        uids = data[0].split()[::-1]  # from the other end than the local changes
        self.assertEqual(m.uid("STORE", b",".join(uids[0:4]), "+FLAGS", r"(\Seen \Answered)")[0], "OK")
        self.assertEqual(m.uid("STORE", b",".join(uids[4:6]), "+FLAGS", r"(\Flagged $Label1)")[0], "OK")
        self.assertEqual(m.uid("STORE", b",".join(uids[6:9]), "+FLAGS", r"(\Deleted)")[0], "OK")
        self.assertEqual(m.expunge()[0], "OK")
        self.assertEqual(m._simple_command("UID", "MOVE", b",".join(uids[9:12]), "Trash")[0], "OK")
        m.logout()
        self.deliver(range(100 * seed, 100 * seed + 4), seed=seed)


class MbsyncTool:
    """Runs mbsync (isync 1.4: it uses COMPRESS=DEFLATE when offered) on a config for one Maildir tree."""

    def mbsync(self, root, config):
        run = subprocess.run(["mbsync", "-c", config, "-V", "mallard"], capture_output=True, timeout=120)
        output = (run.stdout + run.stderr).decode("utf-8", "replace")
        self.assertEqual(run.returncode, 0, output)
        self.assertNotRegex(output, r"(?i)\berror\b|warning|unexpected|malformed", output)
        return output

    def write_config(self, root, security):
        config = os.path.join(root, "..", "mbsyncrc")
        if security == "None":
            port, tls = self.server.ports["imap"], ""
        else:
            port = self.server.ports["imaps" if security == "IMAPS" else "imap"]
            cert = os.path.join(self.server.dir.name, "data", "tls", "self-signed.crt")
            tls = f"CertificateFile {cert}\n"
        with open(config, "w") as f:
            f.write(f"IMAPAccount mallard\nHost 127.0.0.1\nPort {port}\nUser {USER}\nPass \"{PASSWORD}\"\n"
                    f"SSLType {security}\n{tls}AuthMechs PLAIN\n\n"
                    "IMAPStore remote\nAccount mallard\n\n"
                    f"MaildirStore local\nPath {root}/\nInbox {root}/INBOX\nSubFolders Verbatim\n\n"
                    "Channel mallard\nFar :remote:\nNear :local:\nPatterns *\nCreate Both\nRemove Both\n"
                    "Expunge Both\nSyncState *\nSync All\n")
        return config

    def local_names(self, root):
        return sorted(os.path.relpath(path, root) for path in glob.glob(os.path.join(root, "*", "*", "*")))

    def uidnexts(self):
        m = self.imap()
        out = [m.status(f'"{box}"', "(UIDNEXT MESSAGES)")[1][0] for box in MAILBOXES]
        m.logout()
        return out


@unittest.skipUnless(shutil.which("mbsync"), "mbsync (Debian package isync) is not installed")
class Mbsync(RealClientBase, MaildirSync, MbsyncTool):
    def test_two_way_sync_converges(self):
        with tempfile.TemporaryDirectory(prefix="mallard-mbsync-") as tmp:
            root = os.path.join(tmp, "mail")
            os.mkdir(root)
            config = self.write_config(root, "None")
            self.mbsync(root, config)
            self.first_sync_is_byte_exact(root)
            self.assert_converged(root)

            self.change_both_sides(root, seed=2)
            self.mbsync(root, config)
            self.assert_converged(root)
            # One more sync with nothing changed moves nothing: no file renamed, nothing appended.
            before = (self.local_names(root), self.uidnexts())
            self.mbsync(root, config)
            self.assertEqual((self.local_names(root), self.uidnexts()), before)
            self.assert_converged(root)

    def test_sync_over_tls(self):
        for security in ["IMAPS", "STARTTLS"]:
            with tempfile.TemporaryDirectory(prefix="mallard-mbsync-") as tmp:
                root = os.path.join(tmp, "mail")
                os.mkdir(root)
                self.mbsync(root, self.write_config(root, security))
                self.assert_converged(root)


@unittest.skipUnless(shutil.which("mbsync"), "mbsync (Debian package isync) is not installed")
class MbsyncUnderLoad(RealClientBase, MaildirSync, MbsyncTool):
    """mbsync while another client changes flags, expunges and moves, and mail keeps arriving: the unsolicited
    EXISTS, EXPUNGE and FETCH in the middle of its commands must not confuse it, and a last sync converges."""
    count = 30

    def test_sync_during_changes(self):
        stop = threading.Event()
        failures = []

        def churn():
            try:
                m = self.imap()
                m.select("INBOX")
                rng, index = random.Random(11), 0
                while not stop.is_set():
                    self.deliver([5000 + index], seed=5)
                    index += 1
                    uids = m.uid("SEARCH", "ALL")[1][0].split()
                    m.uid("STORE", rng.choice(uids), "+FLAGS", r"(\Flagged)")
                    m.uid("STORE", rng.choice(uids), "+FLAGS", r"(\Deleted)")
                    m.expunge()
                    if index % 3 == 0:
                        m._simple_command("UID", "MOVE", rng.choice(uids), "Junk")
                    time.sleep(0.02)
                m.logout()
            except Exception as e:  # reported by the test thread
                failures.append(repr(e))

        with tempfile.TemporaryDirectory(prefix="mallard-mbsync-") as tmp:
            root = os.path.join(tmp, "mail")
            os.mkdir(root)
            config = self.write_config(root, "None")
            worker = threading.Thread(target=churn)
            worker.start()
            try:
                for _ in range(3):
                    self.mbsync(root, config)
            finally:
                stop.set()
                worker.join()
            self.assertEqual(failures, [])
            self.mbsync(root, config)
            self.assert_converged(root)


@unittest.skipUnless(shutil.which("offlineimap"), "offlineimap (Debian package offlineimap3) is not installed")
class OfflineImap(RealClientBase, MaildirSync):
    count = 27

    def offlineimap(self, config):
        run = subprocess.run(["offlineimap", "-c", config, "-o", "-u", "basic"], capture_output=True, timeout=120)
        output = (run.stdout + run.stderr).decode("utf-8", "replace")
        self.assertEqual(run.returncode, 0, output)
        self.assertNotRegex(output, r"(?m)^\s*(ERROR|WARNING)|Traceback", output)

    def test_two_way_sync_converges(self):
        with tempfile.TemporaryDirectory(prefix="mallard-offlineimap-") as tmp:
            root = os.path.join(tmp, "mail")
            config = os.path.join(tmp, "offlineimaprc")
            with open(config, "w") as f:
                f.write(f"[general]\naccounts = mallard\nmetadata = {tmp}/meta\n\n"
                        "[Account mallard]\nlocalrepository = local\nremoterepository = remote\n\n"
                        f"[Repository local]\ntype = Maildir\nlocalfolders = {root}\n\n"
                        f"[Repository remote]\ntype = IMAP\nremotehost = 127.0.0.1\n"
                        f"remoteport = {self.server.ports['imap']}\nremoteuser = {USER}\n"
                        f"remotepass = {PASSWORD}\nssl = no\nstarttls = no\n")
            self.offlineimap(config)
            self.first_sync_is_byte_exact(root)
            self.change_both_sides(root, seed=3)
            self.offlineimap(config)
            self.assert_converged(root)


class ArrivalsInsideUidFetch(RealClientBase):
    """What mbsync's failure under load came down to, without mbsync: a message that arrives and has its flags
    changed while a client's UID FETCH runs is announced by EXISTS alone. Before, an unsolicited
    "* n FETCH (UID u FLAGS …)" for it came inside the answer to "UID FETCH 1:<last known>", mbsync took u as
    the highest UID it had seen, and the arrivals below u were never downloaded."""
    count = 3

    def test_no_fetch_for_a_message_the_client_has_not_seen(self):
        client = WireClient(self.server.ports["imap"])
        _, done = client.command(b"1", f'LOGIN {USER} "{PASSWORD}"'.encode())
        self.assertTrue(done.startswith(b"1 OK"), done)
        _, done = client.command(b"2", b"SELECT INBOX")
        self.assertTrue(done.startswith(b"2 OK"), done)
        self.deliver([700, 701])
        other = self.imap()
        other.select("INBOX")
        self.assertEqual(other.uid("STORE", f"{self.count + 2}", "+FLAGS", r"(\Flagged)")[0], "OK")
        self.assertEqual(other.uid("STORE", "1", "+FLAGS", r"(\Seen)")[0], "OK")
        other.logout()
        time.sleep(0.3)  # the change bus reaches the first session
        responses, done = client.command(b"3", b"UID FETCH 1:%d (UID FLAGS)" % self.count)
        self.assertTrue(done.startswith(b"3 OK"), done)
        texts = [r.text for r in responses]
        self.assertIn(b"* %d EXISTS" % (self.count + 2), texts)
        fetched = sorted(int(re.search(rb"UID (\d+)", t).group(1)) for t in texts if b" FETCH " in t)
        self.assertTrue(all(uid <= self.count for uid in fetched), texts)
        self.assertIn(b"* 1 FETCH (UID 1 FLAGS (\\Seen))", texts)
        client.close()


class DesktopSession(RealClientBase):
    """The commands Thunderbird sends, in its order: ID, COMPRESS, ENABLE CONDSTORE, LIST-EXTENDED with
    SPECIAL-USE and LIST-STATUS, SELECT (CONDSTORE), UID FETCH FLAGS with CHANGEDSINCE, headers for the list,
    bodies in partial chunks, APPEND to Sent, MOVE to Trash, IDLE."""
    count = 18
    CHUNK = 16384

    def setUp(self):
        self.client = WireClient(self.server.ports["imap"])
        self.tags = 0

    def tearDown(self):
        self.client.close()

    def ok(self, text, literal=None):
        self.tags += 1
        tag = b"%d" % self.tags
        if literal is None:
            responses, done = self.client.command(tag, text)
        else:
            self.client.send(tag + b" " + text + b" {%d}\r\n" % len(literal))
            self.assertTrue(self.client.line().startswith(b"+ "))
            self.client.send(literal + b"\r\n")
            responses, done = self.client.until_tagged(tag)
        self.assertTrue(done.startswith(tag + b" OK"), (text, done))
        return responses, done

    def test_thunderbird_like_session(self):
        c = self.client
        self.ok(b"capability")
        _, done = self.ok(b"authenticate PLAIN " + base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()))
        self.assertIn(b"COMPRESS=DEFLATE", done)
        responses, _ = self.ok(b'ID ("name" "Thunderbird" "version" "115.3.1")')
        self.assertTrue(responses[0].text.startswith(b"* ID ("))
        self.ok(b"COMPRESS DEFLATE")
        c.start_compress()
        self.ok(b"ENABLE CONDSTORE")
        self.ok(b"namespace")
        responses, _ = self.ok(b'list (subscribed) "" "*" return (special-use)')
        self.assertIn(b'* LIST (\\HasNoChildren \\Subscribed \\Sent) "/" "Sent"', [r.text for r in responses])
        responses, _ = self.ok(b'list "" "*" return (special-use status (messages unseen uidnext))')
        self.assertIn(b'* STATUS "INBOX" (MESSAGES %d UNSEEN %d UIDNEXT %d)' % ((self.count,) * 2 + (self.count + 1,)),
                      [r.text for r in responses])
        self.ok(b'lsub "" "*"')
        self.ok(b'getquotaroot "INBOX"')
        responses, _ = self.ok(b'select "INBOX" (CONDSTORE)')
        modseq = int(re.search(rb"HIGHESTMODSEQ (\d+)", b"\n".join(r.text for r in responses)).group(1))
        responses, _ = self.ok(b"UID fetch 1:* (FLAGS)")
        uids = [int(re.search(rb"UID (\d+)", r.text).group(1)) for r in responses]
        self.assertEqual(len(uids), self.count)
        responses, _ = self.ok(b"UID fetch 1:* (FLAGS) (CHANGEDSINCE %d)" % modseq)
        self.assertEqual(responses, [])
        responses, _ = self.ok(b"UID fetch 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc "
                               b"Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To "
                               b"Content-Type Reply-To)])")
        self.assertEqual(len(responses), self.count)
        for uid in uids:
            responses, _ = self.ok(b"UID fetch %d (UID RFC822.SIZE BODY.PEEK[])" % uid)
            whole = responses[0].literals[0]
            self.check_delivered(message_id(whole), whole)
            self.assertIn(b"RFC822.SIZE %d " % len(whole), responses[0].text)
            chunks = []
            for offset in range(0, len(whole), self.CHUNK):
                responses, _ = self.ok(b"UID fetch %d (UID RFC822.SIZE BODY.PEEK[]<%d.%d>)" % (uid, offset, self.CHUNK))
                self.assertIn(b"BODY[]<%d> {" % offset, responses[0].text)
                chunks.append(responses[0].literals[0])
            self.assertEqual(b"".join(chunks), whole, uid)
            self.ok(b"UID fetch %d (UID BODYSTRUCTURE)" % uid)
            self.ok(b"UID fetch %d (UID BODY.PEEK[1.MIME] BODY.PEEK[1])" % uid)
        responses, _ = self.ok(b"UID STORE %d +FLAGS (\\Seen)" % uids[0])
        self.assertRegex(responses[0].text, rb"FLAGS \(\\Seen\) MODSEQ \(\d+\)")
        sent = b"From: bob@example.com\r\nTo: ann@example.org\r\nSubject: sent\r\n\r\nhello\r\n"
        _, done = self.ok(b'APPEND "Sent" (\\Seen) "23-Nov-2026 10:00:00 +0000"', literal=sent)
        self.assertRegex(done, rb"\[APPENDUID \d+ 1\]")
        responses, _ = self.ok(b'UID MOVE %d:%d "Trash"' % (uids[1], uids[2]))
        self.assertEqual([r.text for r in responses[1:]], [b"* 2 EXPUNGE", b"* 2 EXPUNGE"])
        responses, _ = self.ok(b"UID fetch 1:* (FLAGS) (CHANGEDSINCE %d)" % modseq)
        self.assertEqual(len(responses), 1)  # the \Seen just set
        c.send(b"I IDLE\r\n")
        self.assertTrue(c.line().startswith(b"+ "))
        self.deliver([500])
        self.assertEqual(c.line(), b"* %d EXISTS" % (self.count - 1))
        c.send(b"DONE\r\n")
        _, done = c.until_tagged(b"I")
        self.assertTrue(done.startswith(b"I OK"), done)
        responses, _ = self.ok(b'select "Sent" (CONDSTORE)')
        responses, _ = self.ok(b"UID fetch 1:* (UID RFC822.SIZE FLAGS BODY.PEEK[])")
        self.assertEqual(responses[0].literals, [sent])
        self.ok(b"close")
        self.ok(b"logout")


class PhoneIdle(RealClientBase):
    """A phone's push client: SELECT, then IDLE; it re-issues IDLE (DONE, NOOP, IDLE) on its own timer, as
    RFC 2177 §3 asks. Mail delivered while it idles is announced within a second."""
    count = 3
    seconds = float(os.environ.get("MALLARD_IDLE_SECONDS", "4"))
    reissue = min(60.0, max(1.0, seconds / 3))

    def test_idle_sees_new_mail_and_survives_reissue(self):
        m = self.imap()
        typ, data = m.select("INBOX")
        exists = int(data[0])
        sock, buffer, tag = m.sock, b"", 0

        def line(deadline):
            nonlocal buffer
            while b"\r\n" not in buffer:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                try:
                    chunk = sock.recv(4096)
                except socket.timeout:
                    return None
                self.assertNotEqual(chunk, b"", "the server closed the connection")
                buffer += chunk
            text, buffer = buffer.split(b"\r\n", 1)
            return text

        def finish(name):
            nonlocal tag
            while True:
                text = line(time.monotonic() + 5)
                self.assertIsNotNone(text, f"no reply to {name}")
                if text.startswith(b"P%d " % tag):
                    self.assertTrue(text.startswith(b"P%d OK" % tag), text)
                    return
                self.assertNotRegex(text, rb"^\* \d+ EXISTS", f"new mail only seen at {name}")

        start, index = time.monotonic(), 1000
        while time.monotonic() - start < self.seconds:
            tag += 1
            sock.sendall(b"P%d IDLE\r\n" % tag)
            self.assertTrue(line(time.monotonic() + 5).startswith(b"+ "))
            time.sleep(self.reissue / 3)
            sent = time.monotonic()
            self.deliver([index])
            index += 1
            text = line(sent + 1.0)
            self.assertEqual(text, b"* %d EXISTS" % (exists + 1), "no EXISTS within a second")
            exists += 1
            time.sleep(self.reissue / 3)
            sock.sendall(b"DONE\r\n")
            finish("DONE")
            tag += 1
            sock.sendall(b"P%d NOOP\r\n" % tag)
            finish("NOOP")
        m.logout()


if __name__ == "__main__":
    unittest.main()
