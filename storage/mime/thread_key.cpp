// Thread keys: RFC 5256 §2.1 (base subject) and the References/In-Reply-To chain of RFC 5322 §3.6.4.
#include "storage/mime/thread_key.h"

#include <algorithm>
#include <unordered_set>

#include "storage/mime/encoded_words.h"

namespace mallard::storage::mime {

namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (lower(s[i]) != prefix[i]) return false;
    }
    return true;
}

std::string collapse_whitespace(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (is_wsp(c) || c == '\r' || c == '\n') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out.push_back(' ');
        space = false;
        out.push_back(c);
    }
    return out;
}

// subj-blob = "[" *BLOBCHAR "]" *WSP; returns its length, or 0.
std::size_t blob_length(std::string_view s) {
    if (s.empty() || s[0] != '[') return 0;
    std::size_t close = s.find_first_of("[]", 1);
    if (close == std::string_view::npos || s[close] != ']') return 0;
    std::size_t n = close + 1;
    while (n < s.size() && is_wsp(s[n])) ++n;
    return n;
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"; returns its length, or 0.
std::size_t refwd_length(std::string_view s) {
    std::size_t n = starts_with_nocase(s, "re") ? 2 : starts_with_nocase(s, "fwd") ? 3 : starts_with_nocase(s, "fw") ? 2 : 0;
    if (n == 0) return 0;
    while (n < s.size() && is_wsp(s[n])) ++n;
    n += blob_length(s.substr(n));
    return (n < s.size() && s[n] == ':') ? n + 1 : 0;
}

// The length of *subj-blob at the start of `s`, and where the last of those blobs starts.
std::size_t blobs_length(std::string_view s, std::size_t& last_blob) {
    std::size_t n = 0;
    last_blob = 0;
    while (std::size_t b = blob_length(s.substr(n))) {
        last_blob = n;
        n += b;
    }
    return n;
}

// Step 2: removes "(fwd)" trailers and whitespace at the end.
void strip_trailers(std::string_view& s) {
    for (;;) {
        if (!s.empty() && is_wsp(s.back())) {
            s.remove_suffix(1);
        } else if (s.size() >= 5 && starts_with_nocase(s.substr(s.size() - 5), "(fwd)")) {
            s.remove_suffix(5);
        } else {
            return;
        }
    }
}

// Steps 3–5: removes subj-leaders, and leading subj-blobs while something remains after them.
// Step 4 removes one blob at a time and step 3 is retried; a retry scans the same blob chain and
// fails the same way, so the chain is removed at once (all but a final blob that would leave nothing).
void strip_leaders(std::string_view& s) {
    for (;;) {
        if (!s.empty() && is_wsp(s[0])) {
            s.remove_prefix(1);
            continue;
        }
        std::size_t last_blob = 0;
        std::size_t n = blobs_length(s, last_blob);
        if (std::size_t r = refwd_length(s.substr(n))) {
            s.remove_prefix(n + r);
            continue;
        }
        s.remove_prefix(n == s.size() ? last_blob : n);
        return;
    }
}

}  // namespace

std::string base_subject(std::string_view raw_subject) {
    std::string decoded = collapse_whitespace(decode_header_text(raw_subject));  // step 1
    std::string_view s = decoded;
    for (;;) {
        strip_trailers(s);
        strip_leaders(s);
        if (s.size() >= 6 && starts_with_nocase(s, "[fwd:") && s.back() == ']') {  // step 6
            s = s.substr(5, s.size() - 6);
            continue;
        }
        return std::string(s);
    }
}

std::vector<std::string> parse_message_ids(std::string_view value) {
    std::vector<std::string> ids;
    std::size_t pos = 0;
    while ((pos = value.find('<', pos)) != std::string_view::npos) {
        std::size_t close = value.find('>', pos + 1);
        if (close == std::string_view::npos) break;
        std::string id;
        for (char c : value.substr(pos + 1, close - pos - 1)) {
            if (!is_wsp(c) && c != '\r' && c != '\n') id.push_back(c);
        }
        if (!id.empty()) ids.push_back(std::move(id));
        pos = close + 1;
    }
    if (ids.empty() && value.find('<') == std::string_view::npos) {
        std::string words = collapse_whitespace(value);
        for (std::size_t start = 0; start < words.size();) {
            std::size_t end = std::min(words.find(' ', start), words.size());
            ids.emplace_back(words.substr(start, end - start));
            start = end + 1;
        }
    }
    return ids;
}

ThreadKey thread_key(const Envelope& envelope) {
    ThreadKey key;
    if (envelope.message_id) {
        auto ids = parse_message_ids(*envelope.message_id);
        if (!ids.empty()) key.message_id = ids.front();
    }
    std::vector<std::string> chain;
    if (envelope.references) chain = parse_message_ids(*envelope.references);
    if (envelope.in_reply_to) {
        auto parents = parse_message_ids(*envelope.in_reply_to);
        if (!parents.empty() && (chain.empty() || chain.back() != parents.front())) chain.push_back(parents.front());
    }
    std::unordered_set<std::string> seen{key.message_id};
    for (auto& id : chain) {
        if (seen.insert(id).second) key.references.push_back(std::move(id));
    }
    if (key.references.size() > max_thread_references) {
        key.references.erase(key.references.begin() + 1,
                             key.references.end() - static_cast<std::ptrdiff_t>(max_thread_references - 1));
    }
    key.base_subject = base_subject(envelope.subject.value_or(""));
    return key;
}

}  // namespace mallard::storage::mime
