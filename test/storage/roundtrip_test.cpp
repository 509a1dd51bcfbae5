// The round-trip property of the store (issue 3, item 6), written against `Store&` only: every message of
// the generated corpus and of test/data/mime reads back byte for byte — whole, every MIME part's header and
// body (offsets from mime::parse of the original), and random byte ranges cut at the end as IMAP partial
// FETCH expects (RFC 3501 §6.4.5) — also from copies, after the mailbox they were copied from is gone.
#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/ingest.h"
#include "storage/mime/parser.h"
#include "test/storage/corpus.h"
#include "test/storage/store_fixture.h"

namespace mallard::storage::test {
namespace {

constexpr std::uint32_t corpus_seed = 20241123;
constexpr std::size_t corpus_size = 300;
constexpr std::size_t max_parts_checked = 80;  // per message: the 200-deep one is cut by the parser anyway
constexpr int random_ranges_per_message = 10;

// "" when equal; otherwise where and how they differ (never the whole 2 MB of both).
std::string difference(std::string_view got, std::string_view want) {
    if (got == want) return {};
    auto mismatch = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
    auto at = static_cast<std::size_t>(mismatch.first - got.begin());
    return "got " + std::to_string(got.size()) + " bytes, want " + std::to_string(want.size()) +
           ", first difference at byte " + std::to_string(at);
}

// The slice IMAP partial FETCH returns: cut at the end, empty past it.
std::string_view slice(std::string_view raw, std::uint64_t offset, std::uint64_t length) {
    if (offset >= raw.size()) return {};
    return raw.substr(offset, std::min<std::uint64_t>(length, raw.size() - offset));
}

struct Range {
    std::uint64_t offset;
    std::uint64_t length;
    std::string what;
};

void collect_part_ranges(const mime::Part& part, std::string path, std::vector<Range>& out) {
    if (out.size() >= max_parts_checked * 3) return;
    out.push_back({part.header_start, part.body_start - part.header_start, path + ".HEADER"});
    out.push_back({part.body_start, part.body_end - part.body_start, path + ".BODY"});
    out.push_back({part.header_start, part.body_end - part.header_start, path + ".WHOLE"});
    for (std::size_t i = 0; i < part.children.size(); ++i) {
        collect_part_ranges(part.children[i], path + "." + std::to_string(i + 1), out);
    }
}

std::vector<Range> part_ranges(std::string_view raw) {
    std::vector<Range> out;
    collect_part_ranges(mime::parse(raw).root, "part", out);
    return out;
}

// Ranges a client could ask for: anywhere, zero length, running past the end, starting past the end.
std::vector<Range> random_ranges(std::uint64_t size, std::uint64_t& state) {
    auto next = [&state] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return state >> 33;
    };
    std::vector<Range> out{{0, 0, "empty at 0"},
                           {size, 10, "at the end"},
                           {size + 1000, 5, "past the end"},
                           {size > 0 ? size - 1 : 0, 1000, "last byte"},
                           {0, UINT32_MAX, "everything and more"}};
    for (int i = 0; i < random_ranges_per_message; ++i) {
        std::uint64_t offset = next() % (size + 16);
        std::uint64_t length = 0;
        switch (next() % 4) {
        case 0: length = next() % 64; break;
        case 1: length = next() % 8192; break;
        case 2: length = next() % (size + 1); break;
        default: length = size + next() % 100000; break;
        }
        out.push_back({offset, length, "random"});
    }
    return out;
}

AppendRequest request(const std::string& raw) {
    AppendRequest r;
    r.raw = raw;
    r.internal_date = TimePoint(std::chrono::seconds(1700000000));
    return r;
}

class RoundTrip : public StoreTest {
protected:
    Mailbox mailbox(const std::string& name) {
        if (user_.id.empty()) {
            NewUser u;
            u.username = "roundtrip";
            u.password_hash = "hash";
            u.primary_address = "roundtrip@example.com";
            user_ = ok(store().create_user(std::move(u)));
        }
        auto found = run(store().find_mailbox(user_.id, name));
        if (found) return *found;
        return ok(store().create_mailbox(user_.id, name, SpecialUse::none));
    }

    Uid append(const Mailbox& box, const std::string& raw) { return ok(store().append(box.id, request(raw))).uid; }

    std::string read(const Mailbox& box, Uid uid, std::optional<ByteRange> range) {
        return ok(store().read_message(box.id, uid, range));
    }

    void expect_whole(const Mailbox& box, Uid uid, const std::string& raw, const std::string& name) {
        EXPECT_EQ(difference(read(box, uid, std::nullopt), raw), "") << name << ": whole message";
    }

    void expect_ranges(const Mailbox& box, Uid uid, const std::string& raw, const std::vector<Range>& ranges,
                       const std::string& name) {
        for (const auto& r : ranges) {
            auto got = read(box, uid, ByteRange{r.offset, r.length});
            EXPECT_EQ(difference(got, slice(raw, r.offset, r.length)), "")
                << name << ": " << r.what << " [" << r.offset << ", +" << r.length << ")";
        }
    }

    // Whole, every part, random ranges.
    void expect_round_trip(const Mailbox& box, Uid uid, const std::string& raw, const std::string& name) {
        expect_whole(box, uid, raw, name);
        expect_ranges(box, uid, raw, part_ranges(raw), name);
        std::uint64_t state = uid * 0x9e3779b97f4a7c15ull + raw.size();
        expect_ranges(box, uid, raw, random_ranges(raw.size(), state), name);
    }

    User user_;
};

TEST(Corpus, is_deterministic_and_covers_every_kind) {
    auto a = generate_corpus(7, 60);
    auto b = generate_corpus(7, 60);
    ASSERT_EQ(a.size(), 60u);
    std::set<std::string> kinds, names;
    for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].name, b[i].name);
        EXPECT_TRUE(a[i].raw == b[i].raw) << a[i].name;
        kinds.insert(a[i].kind);
        names.insert(a[i].name);
    }
    EXPECT_EQ(kinds.size(), corpus_kinds().size());
    EXPECT_EQ(names.size(), a.size());
    EXPECT_NE(generate_corpus(8, 1)[0].raw, a[0].raw);
}

TEST(Corpus, sizes_range_from_small_to_two_megabytes_and_attachments_recur) {
    auto corpus = generate_corpus(corpus_seed, 120);
    std::size_t smallest = SIZE_MAX, largest = 0, with_report = 0;
    for (const auto& m : corpus) {
        smallest = std::min(smallest, m.raw.size());
        largest = std::max(largest, m.raw.size());
        if (m.raw.find("name=\"quarterly-report.pdf\"") != std::string::npos) ++with_report;
    }
    EXPECT_LT(smallest, 2048u);
    EXPECT_GT(largest, 1900u * 1024);
    EXPECT_LT(largest, 2200u * 1024);
    EXPECT_GE(with_report, 3u);
}

TEST(Corpus, parses_with_the_malformations_it_claims) {
    for (const auto& m : generate_corpus(corpus_seed, corpus_kinds().size())) {
        auto parsed = mime::parse(m.raw);
        EXPECT_EQ(parsed.size, m.raw.size()) << m.name;
        if (m.kind == "malformed_deep_nesting") {
            EXPECT_NE(parsed.issues & mime::issue::depth_limit, 0u);
        }
        if (m.kind == "malformed_missing_close") {
            EXPECT_NE(parsed.issues & mime::issue::unclosed_multipart, 0u);
        }
        if (m.kind == "forwarded_rfc822") {
            ASSERT_EQ(parsed.root.children.size(), 2u);
            EXPECT_EQ(parsed.root.children[1].kind, mime::PartKind::message);
        }
        if (m.kind == "mixed_b64_76") {
            ASSERT_EQ(parsed.root.children.size(), 2u);
            EXPECT_TRUE(parsed.root.children[1].is_attachment());
        }
    }
}

void collect_leaf_bodies(const mime::Part& part, std::set<std::pair<std::uint64_t, std::uint64_t>>& out) {
    if (part.children.empty()) out.insert({part.body_start, part.body_end});
    for (const auto& child : part.children) collect_leaf_bodies(child, out);
}

// The cut the store makes (storage/ingest.h): every attachment it takes out is exactly a leaf body of the
// parse, the rebuilt message and every part of it are the original bytes, and the bodies that can't be
// re-encoded exactly (irregular base64 lines) are not taken out at all.
TEST(Ingest, every_cut_is_a_leaf_body_and_rebuilds_exactly) {
    std::size_t cut = 0;
    for (const auto& m : generate_corpus(corpus_seed, 120)) {
        auto ingested = ingest(m.raw, IngestOptions{});
        std::set<std::pair<std::uint64_t, std::uint64_t>> leaves;
        collect_leaf_bodies(ingested.parsed.root, leaves);
        ASSERT_EQ(ingested.contents.size(), ingested.layout.attachments.size()) << m.name;
        std::map<std::string, std::string> contents;
        for (std::size_t i = 0; i < ingested.contents.size(); ++i) {
            const auto& a = ingested.layout.attachments[i];
            EXPECT_EQ(leaves.count({a.offset, a.offset + a.encoded_bytes}), 1u) << m.name << " @" << a.offset;
            contents[a.hash] = ingested.contents[i];
        }
        cut += ingested.contents.size();
        if (m.kind == "mixed_b64_irregular") {
            EXPECT_TRUE(ingested.layout.attachments.empty()) << m.name;
        }
        ContentFetcher fetch = [&contents](const AttachmentRef& a) -> core::Result<std::string> {
            return contents.at(a.hash);
        };
        auto whole = rebuild(ingested.skeleton, ingested.layout, std::nullopt, fetch);
        ASSERT_TRUE(whole) << m.name;
        EXPECT_EQ(difference(*whole, m.raw), "") << m.name;
        for (const auto& r : part_ranges(m.raw)) {
            auto got = rebuild(ingested.skeleton, ingested.layout, ByteRange{r.offset, r.length}, fetch);
            ASSERT_TRUE(got) << m.name;
            EXPECT_EQ(difference(*got, slice(m.raw, r.offset, r.length)), "") << m.name << ": " << r.what;
        }
    }
    EXPECT_GT(cut, 40u);
}

TEST_F(RoundTrip, generated_corpus_reads_back_whole_by_part_and_by_range) {
    auto corpus = generate_corpus(corpus_seed, corpus_size);
    auto box = mailbox("Corpus");
    std::vector<Uid> uids;
    for (const auto& m : corpus) uids.push_back(append(box, m.raw));
    for (std::size_t i = 0; i < corpus.size(); ++i) {
        expect_round_trip(box, uids[i], corpus[i].raw, corpus[i].name);
        if (HasFailure()) break;  // one broken message is enough to read about
    }
    auto listed = ok(store().list_messages(box.id, UidRange{}));
    ASSERT_EQ(listed.size(), corpus.size());
    for (std::size_t i = 0; i < corpus.size(); ++i) EXPECT_EQ(listed[i].size_bytes, corpus[i].raw.size());
}

TEST_F(RoundTrip, hand_written_messages_read_back) {
    auto messages = load_corpus_dir(MALLARD_MIME_TEST_DATA);
    ASSERT_GE(messages.size(), 10u);
    auto box = mailbox("INBOX");
    for (std::size_t i = 0; i < messages.size(); ++i) {
        Uid uid = append(box, messages[i]);
        expect_round_trip(box, uid, messages[i], "test/data/mime #" + std::to_string(i));
    }
}

TEST_F(RoundTrip, copies_read_back_after_the_source_mailbox_is_deleted) {
    auto corpus = generate_corpus(corpus_seed + 1, 60);
    auto source = mailbox("Source");
    auto copies = mailbox("Copies");
    auto second = mailbox("Copies of copies");
    for (const auto& m : corpus) append(source, m.raw);

    auto copied = ok(store().copy(source.id, UidRange{}, copies.id));
    ASSERT_EQ(copied.dest_uids.size(), corpus.size());
    auto again = ok(store().copy(copies.id, UidRange{}, second.id));
    ASSERT_EQ(again.dest_uids.size(), corpus.size());
    // The same message, appended again: a second reference to everything it holds.
    Uid duplicate = append(second, corpus[6].raw);

    for (std::size_t i = 0; i < corpus.size(); ++i) {
        expect_round_trip(copies, copied.dest_uids[i], corpus[i].raw, "copy of " + corpus[i].name);
    }
    ok(store().delete_mailbox(source.id));
    for (std::size_t i = 0; i < corpus.size(); ++i) {
        expect_round_trip(copies, copied.dest_uids[i], corpus[i].raw, "after delete: copy of " + corpus[i].name);
        expect_whole(second, again.dest_uids[i], corpus[i].raw, "after delete: copy of copy of " + corpus[i].name);
    }
    ok(store().delete_mailbox(copies.id));
    for (std::size_t i = 0; i < corpus.size(); ++i) {
        expect_whole(second, again.dest_uids[i], corpus[i].raw, "last reference: " + corpus[i].name);
    }
    expect_round_trip(second, duplicate, corpus[6].raw, "appended twice: " + corpus[6].name);
}

}  // namespace
}  // namespace mallard::storage::test
