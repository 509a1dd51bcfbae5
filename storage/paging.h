// Cursor paging over items already in memory: what the Store's default listings (store.cpp) share, and the
// behaviour a backend's own paging must match — a window of `limit` items after the `after` key or before the
// `before` key, in the order `less` gives the keys.
#pragma once

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "storage/types.h"

namespace mallard::storage {

template <class T>
struct Keyed {
    std::string key;
    T item;
};

// Opaque ids in the order WildDuck's ObjectIds sort: decimal SQLite ids by value, equal-length hex by text.
inline bool id_less(const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
}

// A case-insensitive (ASCII) substring of one of `fields`; an empty query matches everything.
inline bool matches_query(std::string_view query, std::initializer_list<std::string_view> fields) {
    if (query.empty()) return true;
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    for (std::string_view field : fields) {
        auto it = std::search(field.begin(), field.end(), query.begin(), query.end(),
                              [&](char a, char b) { return lower(a) == lower(b); });
        if (it != field.end()) return true;
    }
    return false;
}

template <class T, class Less = std::less<std::string>>
Page<T> page_of(std::vector<Keyed<T>> items, const PageRequest& request, Less less = {}) {
    std::sort(items.begin(), items.end(), [&](const auto& a, const auto& b) { return less(a.key, b.key); });
    auto first = items.begin();
    auto last = items.end();
    const auto limit = static_cast<std::ptrdiff_t>(request.limit);
    auto key_less = [&](const Keyed<T>& k, const std::string& key) { return less(k.key, key); };
    auto less_key = [&](const std::string& key, const Keyed<T>& k) { return less(key, k.key); };
    if (request.after) {
        first = std::upper_bound(items.begin(), items.end(), *request.after, less_key);
        last = first + std::min(limit, items.end() - first);
    } else if (request.before) {
        last = std::lower_bound(items.begin(), items.end(), *request.before, key_less);
        first = last - std::min(limit, last - items.begin());
    } else {
        last = first + std::min(limit, items.end() - first);
    }
    Page<T> page;
    page.total = items.size();
    page.more_before = first != items.begin();
    page.more_after = last != items.end();
    for (auto it = first; it != last; ++it) {
        page.keys.push_back(std::move(it->key));
        page.items.push_back(std::move(it->item));
    }
    return page;
}

}  // namespace mallard::storage
