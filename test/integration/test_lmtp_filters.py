"""LMTP delivery rules against the real binary: per-user filters managed with mallardctl (seen, flag, move,
delete, spam), spam verdicts from scanner headers routed to Junk (and a filter's spam: false overriding
them), and delivery over the Unix domain socket of lmtp.unix_socket. Where a message landed, with which
flags, is read through the store with mallard-test-store."""
import os
import smtplib
import socket
import stat
import subprocess
import unittest

from harness import MallardServer

CTL = os.environ.get("MALLARDCTL_BINARY", "build/tools/mallardctl/mallardctl")
STORE = os.environ.get("MALLARD_TEST_STORE", "build/test/mallard-test-store")


def run(*command):
    done = subprocess.run(list(command), capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError("%s failed: %s" % (" ".join(command), done.stderr))
    return done.stdout


def message(subject, sender="sender@example.org", extra_headers="", body="Hello.\r\n"):
    return "From: %s\r\nTo: someone@example.com\r\nSubject: %s\r\n%s\r\n%s" % (sender, subject, extra_headers, body)


class FilterDelivery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = MallardServer()
        cls.socket_path = os.path.join(cls.server.dir.name, "lmtp.sock")
        cls.server.write_config('[lmtp]\nunix_socket = "%s"\n' % cls.socket_path)
        cls.server.start()
        cls.port = cls.server.ports["lmtp"]

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def ctl(self, *args):
        return run(CTL, "--config", self.server.config_path, *args)

    def messages(self, user, mailbox):
        """[(uid, size, [flags])] of a mailbox, through the store."""
        out = []
        for line in run(STORE, self.server.config_path, "list", user, mailbox).splitlines():
            fields = line.split(" ")
            out.append((int(fields[0]), int(fields[1]), fields[2].split(",") if len(fields) > 2 and fields[2] else []))
        return out

    def user(self, name):
        self.ctl("user", "create", name, "--address", name + "@example.com", "--password", "pw")
        return name + "@example.com"

    def deliver(self, rcpt, text, host=None):
        client = smtplib.LMTP(host or "127.0.0.1", self.port, timeout=10)
        try:
            refused = client.sendmail("sender@example.org", [rcpt], text)
        finally:
            client.close()
        self.assertEqual(refused, {})

    def test_filters_flag_move_and_delete(self):
        rcpt = self.user("fiona")
        added = self.ctl("filter", "add", "fiona", "--name", "boss", "--from", "boss@example.org", "--flag", "--seen")
        self.assertIn("from \"boss@example.org\" -> seen, flag", added)
        self.ctl("filter", "add", "fiona", "--name", "lists", "--list-id", "deals.shop.example", "--move", "Archive")
        self.ctl("filter", "add", "fiona", "--name", "noise", "--subject", "lottery", "--delete")
        listed = self.ctl("filter", "list", "fiona")
        self.assertEqual([line.split()[1] for line in listed.splitlines()[1:]], ["boss", "lists", "noise"])
        self.assertIn("move to Archive", listed)

        self.deliver(rcpt, message("Q3 plan", sender="The Boss <boss@example.org>"))
        self.deliver(rcpt, message("Deals", extra_headers="List-ID: Deals <deals.shop.example>\r\n"))
        self.deliver(rcpt, message("You won the LOTTERY"))  # accepted (250), stored nowhere
        self.deliver(rcpt, message("plain"))

        inbox = self.messages("fiona", "INBOX")
        self.assertEqual(len(inbox), 2)
        self.assertEqual(inbox[0][2], ["\\Flagged", "\\Seen"])
        self.assertEqual(inbox[1][2], [])
        self.assertEqual(len(self.messages("fiona", "Archive")), 1)
        self.assertEqual(self.messages("fiona", "Junk"), [])

        # Deleting a filter stops it.
        noise = [line.split()[0] for line in self.ctl("filter", "list", "fiona").splitlines() if " noise " in line][0]
        self.ctl("filter", "delete", "fiona", noise)
        self.deliver(rcpt, message("lottery again"))
        self.assertEqual(len(self.messages("fiona", "INBOX")), 3)

    def test_mallardctl_refuses_bad_filters(self):
        self.user("gus")
        for args in (["--name", "x", "--from", "a"],                       # no action
                     ["--from", "a", "--seen"],                            # no name
                     ["--name", "x", "--spam", "--not-spam"],
                     ["--name", "x", "--larger", "1K", "--smaller", "2K", "--seen"],
                     ["--name", "x", "--move", "No Such Box"]):
            done = subprocess.run([CTL, "--config", self.server.config_path, "filter", "add", "gus", *args],
                                  capture_output=True, text=True, timeout=60)
            self.assertNotEqual(done.returncode, 0, args)
            self.assertIn("filter add", done.stderr)
        self.assertEqual(len(self.ctl("filter", "list", "gus").splitlines()), 1)  # the header only

    def test_spam_verdicts_go_to_junk_unless_a_filter_says_not_spam(self):
        rcpt = self.user("hana")
        self.deliver(rcpt, message("cheap", extra_headers="X-Spam-Status: Yes, score=11.2 required=5.0\r\n"))
        self.deliver(rcpt, message("rspamd", extra_headers="X-Rspamd-Action: rewrite subject\r\n"))
        self.deliver(rcpt, message("ham", extra_headers="X-Spam-Status: No, score=0.3\r\n"))
        self.assertEqual(len(self.messages("hana", "Junk")), 2)
        self.assertEqual(len(self.messages("hana", "INBOX")), 1)

        self.ctl("filter", "add", "hana", "--name", "friends", "--from", "friend.example", "--not-spam")
        self.deliver(rcpt, message("hi", sender="pal@friend.example", extra_headers="X-Spam-Flag: YES\r\n"))
        self.assertEqual(len(self.messages("hana", "INBOX")), 2)
        self.assertEqual(len(self.messages("hana", "Junk")), 2)

        # A filter can also call something spam with no verdict at all, by size and attachment.
        self.ctl("filter", "add", "hana", "--name", "big", "--larger", "2K", "--no-attachment", "--spam")
        self.deliver(rcpt, message("long", body="x" * 3000 + "\r\n"))
        self.assertEqual(len(self.messages("hana", "Junk")), 3)

    def test_delivery_over_the_unix_socket(self):
        rcpt = self.user("ivan")
        mode = os.stat(self.socket_path).st_mode
        self.assertTrue(stat.S_ISSOCK(mode))
        self.assertEqual(stat.S_IMODE(mode), 0o660)
        self.deliver(rcpt, message("via socket"), host=self.socket_path)  # smtplib.LMTP: a path means AF_UNIX
        self.assertEqual(len(self.messages("ivan", "INBOX")), 1)
        self.assertTrue(self.server.wait_for_log("to=<ivan@example.com>"))


class UnixSocketLifecycle(unittest.TestCase):
    def test_a_stale_socket_is_replaced_and_the_socket_is_removed_at_exit(self):
        server = MallardServer()
        path = os.path.join(server.dir.name, "stale.sock")
        stale = socket.socket(socket.AF_UNIX)
        stale.bind(path)
        stale.close()  # the file stays; nobody listens
        server.write_config('[lmtp]\nunix_socket = "%s"\n' % path)
        try:
            server.start()
            client = smtplib.LMTP(path, timeout=10)
            self.assertEqual(client.noop()[0], 250)
            client.close()
            self.assertEqual(server.stop(), 0)
            self.assertFalse(os.path.exists(path))
        finally:
            server.close()


if __name__ == "__main__":
    unittest.main()
