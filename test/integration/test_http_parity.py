"""WildDuck parity of the HTTP API (issue 9), against the real mallard binary: an internationalised address
added in its punycode form is the same address in Unicode for the API, LMTP delivery and IMAP login; messages
delivered by LMTP carry WildDuck's `thread` ids; GET /addresses and GET /users page with cursors."""
import imaplib
import smtplib
import unittest
import urllib.parse

from harness import MallardServer, http_api, json_or_none

TOKEN = "test-root-token"


class HttpParity(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = MallardServer(extra_config=f'[http]\naccess_token = "{TOKEN}"\n').start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def api(self, method, path, body=None):
        status, payload, _ = http_api(self.server.ports["http"], method, path, body, TOKEN)
        return status, json_or_none(payload)

    def create_user(self, name, password="pw"):
        status, body = self.api("POST", "/users", {"username": name, "password": password})
        self.assertEqual(status, 200, body)
        return body["id"]

    def inbox(self, uid):
        _, boxes = self.api("GET", f"/users/{uid}/mailboxes")
        return next(b["id"] for b in boxes["results"] if b["path"] == "INBOX")

    def deliver(self, recipient, raw, utf8=False):
        client = smtplib.LMTP("127.0.0.1", self.server.ports["lmtp"], timeout=10)
        try:
            options = ["SMTPUTF8", "BODY=8BITMIME"] if utf8 else []
            refused = client.sendmail("sender@example.org", [recipient], raw.encode("utf-8"), mail_options=options)
            self.assertEqual(refused, {})
        finally:
            client.close()

    def test_idn_address_in_both_forms(self):
        uid = self.create_user("nina", "nina secret")
        status, added = self.api("POST", f"/users/{uid}/addresses", {"address": "Nina@XN--EXMPLE-CUA.com"})
        self.assertEqual(status, 200, added)
        for form in ["nina@exämple.com", "nina@xn--exmple-cua.com", "NINA@EXÄMPLE.COM"]:
            status, resolved = self.api("GET", "/addresses/resolve/" + urllib.parse.quote(form))
            self.assertEqual(status, 200, (form, resolved))
            self.assertEqual(resolved["id"], added["id"])
            self.assertEqual(resolved["address"], "nina@exämple.com")
        status, taken = self.api("POST", f"/users/{uid}/addresses", {"address": "nina@exämple.com"})
        self.assertEqual((status, taken["code"]), (400, "AddressExistsError"))

        self.deliver("nina@exämple.com", "Subject: one\r\n\r\nUnicode form\r\n", utf8=True)
        self.deliver("nina@xn--exmple-cua.com", "Subject: two\r\n\r\nPunycode form\r\n")
        _, listing = self.api("GET", f"/users/{uid}/mailboxes/{self.inbox(uid)}/messages")
        self.assertEqual(listing["total"], 2)

        imap = imaplib.IMAP4("127.0.0.1", self.server.ports["imap"])
        try:
            self.assertEqual(imap.login("nina@xn--exmple-cua.com", "nina secret")[0], "OK")
        finally:
            imap.logout()

    def test_delivered_replies_share_a_thread(self):
        uid = self.create_user("otto")
        self.deliver("otto@mallard.test", "Subject: Trip\r\nMessage-ID: <t1@example.org>\r\n\r\nPlan?\r\n")
        self.deliver("otto@mallard.test",
                     "Subject: Re: Trip\r\nMessage-ID: <t2@example.org>\r\nIn-Reply-To: <t1@example.org>\r\n\r\nYes\r\n")
        self.deliver("otto@mallard.test", "Subject: Invoice\r\n\r\nUnrelated\r\n")
        inbox = self.inbox(uid)
        _, listing = self.api("GET", f"/users/{uid}/mailboxes/{inbox}/messages?order=asc&threadCounters=true")
        threads = [m["thread"] for m in listing["results"]]
        self.assertEqual(threads[0], threads[1])
        self.assertNotEqual(threads[0], threads[2])
        self.assertEqual([m["threadMessageCount"] for m in listing["results"]], [2, 2, 1])
        _, found = self.api("GET", f"/users/{uid}/search?thread={threads[0]}")
        self.assertEqual(found["total"], 2)

    def test_users_and_addresses_page_with_cursors(self):
        for name in ["pia", "quin", "rosa"]:
            self.create_user(name)
        seen = []
        path = "/addresses?limit=2"
        while path:
            status, page = self.api("GET", path)
            self.assertEqual(status, 200, page)
            self.assertLessEqual(len(page["results"]), 2)
            seen += [a["address"] for a in page["results"]]
            path = page["nextCursor"] and "/addresses?limit=2&next=" + page["nextCursor"]
        self.assertEqual(len(seen), page["total"])
        self.assertEqual(seen, sorted(seen))
        self.assertIn("quin@mallard.test", seen)
        _, users = self.api("GET", "/users?limit=1&query=rosa")
        self.assertEqual([u["username"] for u in users["results"]], ["rosa"])
        self.assertEqual(users["nextCursor"], False)


if __name__ == "__main__":
    unittest.main()
