// The route tests' fixture: a real store (test/storage/store_fixture.h), a Context with every route, and call()
// to run one request through dispatch() as a loopback root caller.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "protocols/http/dispatch.h"
#include "protocols/http/session.h"
#include "test/storage/store_fixture.h"

namespace mallard::http::test {

using nlohmann::json;

class HttpRoutes : public storage::test::StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        Options o;
        o.hostname = "mail.example.com";
        o.default_quota_bytes = 1000;
        context_ = make_context(o, store(), pool_);
    }

    struct Answer {
        int status;
        json body;
        std::string raw;  // the body as sent (attachments, message.eml)
        std::vector<std::pair<std::string, std::string>> headers;
    };
    Answer call(std::string method, std::string target, json body = nullptr, std::string token = {}) {
        Request r;
        r.method = std::move(method);
        r.target = target;
        std::size_t q = target.find('?');
        r.path = target.substr(0, q);
        if (q != std::string::npos) r.query = target.substr(q + 1);
        if (!token.empty()) r.headers.emplace_back("x-access-token", token);
        if (!body.is_null()) {
            r.body = body.dump();
            r.headers.emplace_back("content-type", "application/json");
        }
        Response response = run(dispatch(*context_, r, true));
        json parsed;
        bool is_json = false;
        for (const auto& [name, value] : response.headers)
            if (name == "Content-Type" && value.rfind("application/json", 0) == 0) is_json = true;
        if (is_json && !response.body.empty()) parsed = json::parse(response.body);
        return {response.status, parsed, response.body, response.headers};
    }
    std::string create(std::string name) {
        // A pre-hashed password keeps argon2 out of the test's time.
        Answer a = call("POST", "/users", {{"username", name}, {"password", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA"},
                                           {"hashedPassword", true}});
        EXPECT_EQ(a.status, 200) << a.body.dump();
        return a.body["id"];
    }

    std::shared_ptr<Context> context_;
};

}  // namespace mallard::http::test
