// HTML to text: a tolerant scan, not an HTML5 parser. Good enough to index and preview mail; nothing
// here is shown as HTML.
#include "storage/mime/html_text.h"

#include "storage/mime/charset.h"
#include "storage/mime/header_fields.h"

namespace mallard::storage::mime {

namespace {

struct Entity {
    std::string_view name;
    char32_t code_point;
};
constexpr Entity entities[] = {
    {"amp", '&'},      {"lt", '<'},        {"gt", '>'},        {"quot", '"'},      {"apos", '\''},
    {"nbsp", ' '},     {"ensp", ' '},      {"emsp", ' '},      {"thinsp", ' '},    {"shy", 0},
    {"zwnj", 0},       {"zwj", 0},         {"copy", 0xA9},     {"reg", 0xAE},      {"trade", 0x2122},
    {"hellip", 0x2026}, {"mdash", 0x2014}, {"ndash", 0x2013},  {"lsquo", 0x2018},  {"rsquo", 0x2019},
    {"ldquo", 0x201C}, {"rdquo", 0x201D},  {"laquo", 0xAB},    {"raquo", 0xBB},    {"bull", 0x2022},
    {"middot", 0xB7},  {"euro", 0x20AC},   {"pound", 0xA3},    {"yen", 0xA5},      {"cent", 0xA2},
    {"sect", 0xA7},    {"deg", 0xB0},      {"plusmn", 0xB1},   {"times", 0xD7},    {"divide", 0xF7},
    {"para", 0xB6},    {"iexcl", 0xA1},    {"iquest", 0xBF},   {"auml", 0xE4},     {"ouml", 0xF6},
    {"uuml", 0xFC},    {"Auml", 0xC4},     {"Ouml", 0xD6},     {"Uuml", 0xDC},     {"szlig", 0xDF},
    {"eacute", 0xE9},  {"egrave", 0xE8},   {"ecirc", 0xEA},    {"aacute", 0xE1},   {"agrave", 0xE0},
    {"acirc", 0xE2},   {"iacute", 0xED},   {"oacute", 0xF3},   {"uacute", 0xFA},   {"ccedil", 0xE7},
    {"ntilde", 0xF1},  {"aring", 0xE5},    {"oslash", 0xF8},   {"Eacute", 0xC9},   {"Ccedil", 0xC7},
};

// Elements whose content is not text.
constexpr std::string_view skipped[] = {"script", "style", "title", "template"};
// Elements that start a new paragraph, or a new line.
constexpr std::string_view paragraphs[] = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
                                           "blockquote", "pre", "hr", "dl"};
constexpr std::string_view lines[] = {"br", "div", "li", "tr", "dt", "dd", "section", "article", "header",
                                      "footer", "nav", "form", "address", "center", "caption", "body"};

template <std::size_t N>
bool listed(const std::string_view (&list)[N], std::string_view name) {
    for (auto n : list) {
        if (n == name) return true;
    }
    return false;
}

bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

class HtmlText {
public:
    HtmlText(std::string_view html, std::size_t max_bytes) : in_(html), max_(max_bytes) {}

    std::string run() {
        while (i_ < in_.size() && out_.size() < max_) {
            char c = in_[i_];
            if (c == '<') {
                tag();
            } else if (c == '&') {
                entity();
            } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f') {
                space_ = true;
                ++i_;
            } else {
                put(in_.substr(i_, 1));
                ++i_;
            }
        }
        out_.resize(utf8_prefix_length(out_, max_));
        return std::move(out_);
    }

private:
    void put(std::string_view text) {
        if (!out_.empty()) {
            if (breaks_ > 0) {
                out_.append(static_cast<std::size_t>(breaks_), '\n');
            } else if (space_) {
                out_.push_back(' ');
            }
        }
        breaks_ = 0;
        space_ = false;
        out_.append(text);
    }

    void line_break(int n) {
        if (n > breaks_) breaks_ = n;
    }

    // Skips to after the '>' that ends the tag starting at i_, stepping over quoted attribute values.
    void skip_tag() {
        char quote = 0;
        for (; i_ < in_.size(); ++i_) {
            char c = in_[i_];
            if (quote) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                ++i_;
                return;
            }
        }
    }

    void tag() {
        if (in_.substr(i_, 4) == "<!--") {
            std::size_t end = in_.find("-->", i_ + 4);
            i_ = end == std::string_view::npos ? in_.size() : end + 3;
            return;
        }
        std::size_t j = i_ + 1;
        bool closing = j < in_.size() && in_[j] == '/';
        if (closing) ++j;
        std::size_t name_start = j;
        while (j < in_.size() && is_alnum(in_[j])) ++j;
        bool markup = j > name_start || (j < in_.size() && (in_[j] == '!' || in_[j] == '?'));
        if (!markup) {  // "a < b": just text
            put("<");
            ++i_;
            return;
        }
        std::string name = to_lower_ascii(in_.substr(name_start, j - name_start));
        skip_tag();
        if (!closing && listed(skipped, name)) {
            skip_content(name);
        } else if (listed(paragraphs, name)) {
            line_break(2);
        } else if (listed(lines, name)) {
            line_break(1);
        } else if (name == "td" || name == "th") {
            space_ = true;
        }
    }

    // Skips everything up to and including the closing tag of `name` (ASCII case-insensitive).
    void skip_content(const std::string& name) {
        for (std::size_t k = in_.find("</", i_); k != std::string_view::npos; k = in_.find("</", k + 2)) {
            if (iequals(in_.substr(k + 2, name.size()), name)) {
                i_ = k;
                skip_tag();
                return;
            }
        }
        i_ = in_.size();
    }

    void entity() {
        std::size_t j = i_ + 1;
        char32_t cp = 0;
        bool found = false;
        if (j < in_.size() && in_[j] == '#') {
            ++j;
            bool hex = j < in_.size() && (in_[j] == 'x' || in_[j] == 'X');
            if (hex) ++j;
            std::size_t digits = 0;
            for (; j < in_.size() && digits < 8; ++j, ++digits) {
                char c = in_[j];
                int d = (c >= '0' && c <= '9') ? c - '0'
                        : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
                        : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
                if (d < 0) break;
                cp = cp * (hex ? 16 : 10) + static_cast<char32_t>(d);
            }
            found = digits > 0;
            if (cp == 0 || cp == 0xA0) cp = cp == 0 ? 0xFFFD : ' ';
        } else {
            std::size_t start = j;
            while (j < in_.size() && j - start < 10 && is_alnum(in_[j])) ++j;
            std::string_view name = in_.substr(start, j - start);
            for (const auto& e : entities) {
                if (e.name == name && j < in_.size() && in_[j] == ';') {
                    cp = e.code_point;
                    found = true;
                }
            }
        }
        if (!found) {
            put("&");
            ++i_;
            return;
        }
        if (j < in_.size() && in_[j] == ';') ++j;
        i_ = j;
        if (cp == ' ') {
            space_ = true;
        } else if (cp != 0) {
            std::string s;
            append_utf8(s, cp);
            put(s);
        }
    }

    std::string_view in_;
    std::size_t max_;
    std::size_t i_ = 0;
    std::string out_;
    bool space_ = false;
    int breaks_ = 0;
};

}  // namespace

std::string html_to_text(std::string_view html, std::size_t max_bytes) { return HtmlText(html, max_bytes).run(); }

}  // namespace mallard::storage::mime
