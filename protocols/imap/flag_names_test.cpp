#include "protocols/imap/flag_names.h"

#include <gtest/gtest.h>

namespace mallard::imap {
namespace {

TEST(FlagNames, SystemFlagsAreCaseInsensitiveAndCanonical) {
    EXPECT_EQ(classify_flag("\\seen").name, "\\Seen");
    EXPECT_EQ(classify_flag("\\DELETED").kind, FlagKind::system);
    EXPECT_EQ(classify_flag("\\recent").kind, FlagKind::recent);
    EXPECT_EQ(classify_flag("\\Important").kind, FlagKind::unknown_system);
    EXPECT_EQ(classify_flag("$Forwarded").name, "$Forwarded");
}

TEST(FlagNames, FlagsToStoreDropRecentAndDuplicates) {
    auto out = flags_to_store({"\\seen", "\\Seen", "\\Recent", "$Label1", "$label1"});
    ASSERT_TRUE(out);
    EXPECT_EQ(*out, (std::vector<std::string>{"$Label1", "$label1", "\\Seen"}));
    EXPECT_FALSE(flags_to_store({"\\Bogus"}));
}

}  // namespace
}  // namespace mallard::imap
