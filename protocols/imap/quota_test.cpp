// GETQUOTAROOT, GETQUOTA and SETQUOTA as a client sees them (RFC 9208): one quota root "" per account, the
// STORAGE resource in KiB (usage rounded up, limit down), no resource at all without a limit, and SETQUOTA
// refused because the operator sets quotas.
#include "protocols/imap/session_test_support.h"

namespace mallard::imap {
namespace {

using namespace test;

class ImapQuota : public SessionFixture {};

TEST_F(ImapQuota, getquotaroot_names_the_root_and_its_usage) {
    ASSERT_TRUE(run(store_->set_quota_limit(user_id_, 10 * 1024 + 1000)));
    append("INBOX", std::string(1500, 'x'), {});
    auto all = script({"GETQUOTAROOT INBOX", "GETQUOTAROOT Sent", "GETQUOTA \"\""});
    EXPECT_EQ(response(all, "t1"),
              (Lines{"* QUOTAROOT \"INBOX\" \"\"", "* QUOTA \"\" (STORAGE 2 10)", "t1 OK GETQUOTAROOT completed"}));
    EXPECT_EQ(response(all, "t2"),
              (Lines{"* QUOTAROOT \"Sent\" \"\"", "* QUOTA \"\" (STORAGE 2 10)", "t2 OK GETQUOTAROOT completed"}));
    EXPECT_EQ(response(all, "t3"), (Lines{"* QUOTA \"\" (STORAGE 2 10)", "t3 OK GETQUOTA completed"}));
}

TEST_F(ImapQuota, usage_is_read_again_after_an_append) {
    ASSERT_TRUE(run(store_->set_quota_limit(user_id_, 1024 * 1024)));
    auto all = script({"GETQUOTA \"\"", "APPEND INBOX {2049+}\r\n" + std::string(2049, 'y'), "GETQUOTA \"\""});
    EXPECT_EQ(response(all, "t1")[0], "* QUOTA \"\" (STORAGE 0 1024)");
    EXPECT_EQ(response(all, "t3")[0], "* QUOTA \"\" (STORAGE 3 1024)");
}

TEST_F(ImapQuota, no_limit_no_resource) {
    auto all = script({"GETQUOTAROOT INBOX", "GETQUOTA \"\""});
    EXPECT_EQ(response(all, "t1"), (Lines{"* QUOTAROOT \"INBOX\" \"\"", "t1 OK GETQUOTAROOT completed"}));
    EXPECT_EQ(response(all, "t2"), (Lines{"t2 OK GETQUOTA completed"}));
}

TEST_F(ImapQuota, unknown_root_or_mailbox) {
    auto all = script({"GETQUOTA \"user.other\"", "GETQUOTAROOT Nowhere"});
    EXPECT_EQ(response(all, "t1")[0].rfind("t1 NO [NONEXISTENT] ", 0), 0u) << response(all, "t1")[0];
    EXPECT_EQ(response(all, "t2")[0].rfind("t2 NO [NONEXISTENT] ", 0), 0u) << response(all, "t2")[0];
}

TEST_F(ImapQuota, setquota_is_refused) {
    auto all = script({"SETQUOTA \"\" (STORAGE 512)", "CAPABILITY"});
    EXPECT_EQ(response(all, "t1"), (Lines{"t1 NO [NOPERM] Quotas are set by the server's administrator"}));
    const std::string caps = response(all, "t2")[0];
    EXPECT_NE(caps.find(" QUOTA QUOTA=RES-STORAGE "), std::string::npos) << caps;
    EXPECT_EQ(caps.find("QUOTASET"), std::string::npos) << caps;
}

TEST_F(ImapQuota, needs_login) {
    // The harness logs in first; a wrong password leaves the session unauthenticated.
    auto context = std::make_shared<const Context>(Context{test_options(), *store_, *pool_, nullptr});
    auto all = run(transcript(context, user_ + " wrong", {"GETQUOTAROOT INBOX"}));
    EXPECT_EQ(all.back(), "t1 BAD GETQUOTAROOT requires login");
}

}  // namespace
}  // namespace mallard::imap
