// Address lists: RFC 5322 §3.4 and the obsolete syntax of §4.4, read leniently, shaped for RFC 3501
// ENVELOPE (groups as start/end markers).
#include "storage/mime/address.h"

#include "storage/mime/lexer.h"

namespace mallard::storage::mime {

namespace {

bool is_word(const Token& t) {
    return t.kind == TokenKind::atom || t.kind == TokenKind::quoted || t.kind == TokenKind::literal;
}

// Two words of a local part or domain belong together when no space separates them, or a dot does.
bool joins(const Token& prev, const Token& next) {
    if (!next.space_before) return true;
    return (!prev.text.empty() && prev.text.back() == '.') || (!next.text.empty() && next.text.front() == '.');
}

class AddressParser {
public:
    explicit AddressParser(std::string_view value) : t_(tokenize(value, Specials::address)) {}

    std::vector<Address> run() {
        while (i_ < t_.size()) {
            std::vector<const Token*> words = read_words();
            const Token* t = i_ < t_.size() ? &t_[i_] : nullptr;
            char special = t ? t->text[0] : 0;
            ++i_;
            if (special == ':') {
                if (!in_group_) {
                    Address start;
                    start.mailbox = phrase(words, 0, words.size());
                    out_.push_back(std::move(start));
                }
                in_group_ = true;
            } else if (special == ';') {
                bare(words);
                if (in_group_) out_.push_back(Address{});
                in_group_ = false;
            } else if (special == '<') {
                angle_addr(words);
            } else if (special == '@') {
                addr_spec(words);
            } else {
                bare(words);  // ',' or the end; other stray specials ('>', ']', …) are skipped
            }
        }
        if (in_group_) out_.push_back(Address{});
        return std::move(out_);
    }

private:
    // Words up to the next special, skipping comments (the last one is remembered).
    std::vector<const Token*> read_words() {
        std::vector<const Token*> words;
        while (i_ < t_.size() && t_[i_].kind != TokenKind::special) {
            if (is_word(t_[i_])) words.push_back(&t_[i_]);
            ++i_;
        }
        return words;
    }

    static std::string phrase(const std::vector<const Token*>& w, std::size_t from, std::size_t to) {
        std::string out;
        for (std::size_t k = from; k < to; ++k) {
            if (k > from && w[k]->space_before) out.push_back(' ');
            out += w[k]->text;
        }
        return out;
    }

    static std::string joined(const std::vector<const Token*>& w, std::size_t from) {
        std::string out;
        for (std::size_t k = from; k < w.size(); ++k) out += w[k]->text;
        return out;
    }

    // Where the local part starts among the words before '@': the trailing words that join up.
    static std::size_t local_part_start(const std::vector<const Token*>& w) {
        std::size_t k = w.size();
        while (k > 1 && joins(*w[k - 2], *w[k - 1])) --k;
        return k == 0 ? 0 : k - 1;
    }

    std::string read_domain() {
        std::string domain;
        const Token* prev = nullptr;
        // CFWS may stand between '@' and the domain ("a@ (comment) example.org", RFC 5322 §3.4.1, §4.4); a
        // comment after the domain is left for the caller (it may be the display name).
        while (i_ < t_.size() && t_[i_].kind == TokenKind::comment) ++i_;
        while (i_ < t_.size() && is_word(t_[i_]) && (!prev || joins(*prev, t_[i_]))) {
            const Token& t = t_[i_++];
            domain += t.kind == TokenKind::literal ? "[" + t.text + "]" : t.text;
            prev = &t;
        }
        return domain;
    }

    // Skips to the next ',' (consumed) or ';' (left for the group), returning the first comment seen.
    std::string skip_to_separator() {
        std::string comment;
        while (i_ < t_.size()) {
            const Token& t = t_[i_];
            if (t.kind == TokenKind::special && (t.text[0] == ',' || t.text[0] == ';')) {
                if (t.text[0] == ',') ++i_;
                break;
            }
            if (t.kind == TokenKind::comment && comment.empty()) comment = t.text;
            ++i_;
        }
        return comment;
    }

    void addr_spec(const std::vector<const Token*>& words) {
        std::size_t local = local_part_start(words);
        Address a;
        if (local > 0) a.name = phrase(words, 0, local);
        a.mailbox = joined(words, local);
        a.host = read_domain();
        std::string comment = skip_to_separator();
        if (!a.name && !comment.empty()) a.name = comment;  // "user@host (Real Name)"
        out_.push_back(std::move(a));
    }

    void angle_addr(const std::vector<const Token*>& words) {
        Address a;
        if (!words.empty()) a.name = phrase(words, 0, words.size());
        std::string route;
        while (at('@')) {  // obsolete source route: "@a,@b:"
            ++i_;
            route += "@" + read_domain();
            if (at(',')) {
                ++i_;
                route += ",";
            } else if (at(':')) {
                ++i_;
                break;
            }
        }
        if (!route.empty()) a.adl = route;
        std::vector<const Token*> local = read_words();
        a.mailbox = joined(local, 0);
        a.host = "";
        if (at('@')) {
            ++i_;
            a.host = read_domain();
        }
        out_.push_back(std::move(a));
        skip_to_separator();
    }

    void bare(const std::vector<const Token*>& words) {
        if (words.empty()) return;
        Address a;
        a.mailbox = phrase(words, 0, words.size());
        a.host = "";
        out_.push_back(std::move(a));
    }

    bool at(char special) const {
        return i_ < t_.size() && t_[i_].kind == TokenKind::special && t_[i_].text[0] == special;
    }

    std::vector<Token> t_;
    std::size_t i_ = 0;
    std::vector<Address> out_;
    bool in_group_ = false;
};

}  // namespace

std::vector<Address> parse_address_list(std::string_view value) { return AddressParser(value).run(); }

}  // namespace mallard::storage::mime
