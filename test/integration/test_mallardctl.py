"""mallardctl as an operator uses it: creating the first user gives the default mailboxes, errors are clear
and exit non-zero, and users are found by username or by any of their addresses."""
import os
import sqlite3
import subprocess
import tempfile
import unittest

CTL = os.environ.get("MALLARDCTL_BINARY", "build/tools/mallardctl/mallardctl")


class Mallardctl(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="mallardctl-test-")
        self.config = os.path.join(self.dir.name, "mallard.toml")
        with open(self.config, "w") as f:
            f.write(f'[server]\ndata_dir = "{self.dir.name}/data"\n')

    def tearDown(self):
        self.dir.cleanup()

    def ctl(self, *args, stdin=None):
        return subprocess.run([CTL, "--config", self.config, *args], input=stdin, capture_output=True, text=True,
                              timeout=60)

    def test_a_new_user_gets_the_default_mailboxes_with_special_use(self):
        run = self.ctl("user", "create", "alice", "--address", "alice@example.com", "--password", "pw")
        self.assertEqual(run.returncode, 0, run.stderr)
        boxes = self.ctl("mailbox", "list", "alice").stdout.splitlines()[1:]
        found = {line.split()[0]: line.split()[1] if len(line.split()) > 4 else "" for line in boxes}
        self.assertEqual(found, {"INBOX": "", "Sent": "\\Sent", "Drafts": "\\Drafts", "Trash": "\\Trash",
                                 "Junk": "\\Junk", "Archive": "\\Archive"})

    def test_a_generated_password_is_shown_once(self):
        run = self.ctl("user", "create", "bob")
        self.assertEqual(run.returncode, 0, run.stderr)
        line = [l for l in run.stdout.splitlines() if l.startswith("password: ")]
        self.assertEqual(len(line), 1)
        self.assertRegex(line[0], r"^password: [a-z]{16}$")

    def test_users_are_found_by_address_with_dots_case_and_label(self):
        self.ctl("user", "create", "carol", "--address", "Carol.Jones@Example.com", "--password", "pw")
        run = self.ctl("user", "quota", "caroljones+news@EXAMPLE.com", "2G")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("2.0 GiB", self.ctl("user", "list").stdout)

    def test_internationalised_addresses_resolve_in_both_forms(self):
        self.ctl("user", "create", "dora", "--password", "pw")
        self.assertEqual(self.ctl("address", "add", "dora", "dora@bücher.example").returncode, 0)
        run = self.ctl("address", "list", "dora@xn--bcher-kva.example")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("dora@bücher.example", run.stdout)

    def test_new_passwords_use_the_configured_argon2_cost(self):
        with open(self.config, "a") as f:
            f.write('[auth]\nargon2_memory = "64K"\nargon2_time_cost = 1\n')
        self.assertEqual(self.ctl("user", "create", "fay", "--password", "pw").returncode, 0)
        with sqlite3.connect(os.path.join(self.dir.name, "data", "mallard.db")) as db:
            (stored,) = db.execute("SELECT password_hash FROM users WHERE username = 'fay'").fetchone()
        self.assertTrue(stored.startswith("$argon2id$v=19$m=64,t=1,p=1$"), stored)

    def test_errors_are_clear_and_exit_non_zero(self):
        self.ctl("user", "create", "erin", "--password", "pw")
        dup = self.ctl("user", "create", "erin", "--password", "pw")
        self.assertEqual(dup.returncode, 1)
        self.assertIn("already exists", dup.stderr)
        missing = self.ctl("user", "delete", "nobody")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("not found", missing.stderr)
        self.assertEqual(self.ctl("user", "quota", "erin", "lots").returncode, 1)
        self.assertEqual(self.ctl("frobnicate", "now").returncode, 2)
        self.assertEqual(self.ctl("user", "create").returncode, 2)

    def test_password_from_standard_input_and_disable(self):
        self.ctl("user", "create", "fay", "--password", "pw")
        self.assertEqual(self.ctl("user", "password", "fay", "--password-stdin", stdin="new secret\n").returncode, 0)
        self.assertEqual(self.ctl("user", "disable", "fay").returncode, 0)
        self.assertIn("disabled", self.ctl("user", "list").stdout)
        self.assertEqual(self.ctl("user", "delete", "fay").returncode, 0)
        self.assertNotIn("fay", self.ctl("user", "list").stdout)


if __name__ == "__main__":
    unittest.main()
