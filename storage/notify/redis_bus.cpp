// RedisBus: see redis_bus.h. hiredis 0.14's async API, attached to a core::Reactor through its ev hooks.
//
// hiredis rules this file follows (DEPENDENCIES.md): a context is freed by hiredis itself after a failed
// connect (onConnect with an error) and after a disconnect (onDisconnect), so every path that loses a
// connection first forgets the context (link.ctx = nullptr) and never touches it again; callbacks compare
// the context they get with link.ctx to ignore a context that is already forgotten. A new connection is only
// ever opened from a timer, never inside a hiredis callback.
#include "storage/notify/redis_bus.h"

#include <arpa/inet.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <atomic>
#include <future>
#include <random>
#include <utility>

#include "core/log.h"
#include "storage/notify/backoff.h"
#include "storage/notify/redis_payload.h"

namespace mallard::storage::notify {

namespace {

// Announcements queued in hiredis's output buffer beyond this (Redis accepts the connection but doesn't
// read) are dropped, and a resync is sent once the buffer drains, rather than letting memory grow.
constexpr std::size_t max_unsent_bytes = 1 << 20;

void arm_after(core::Reactor& loop, core::Timer& timer, std::chrono::milliseconds span) {
    timer.when = core::Clock::now() + span;
    loop.arm(timer);
}

}  // namespace

struct RedisBus::Impl {
    enum class Role { publisher, subscriber };

    // One hiredis connection, its fd watch, its timers and its backoff.
    struct Link {
        Link(Impl* o, Role r, const RedisBusOptions& options)
            : owner(o), role(r), backoff(options.reconnect_initial, options.reconnect_max) {}
        Impl* owner;
        Role role;
        redisAsyncContext* ctx = nullptr;
        core::FdWatch watch;
        core::Timer retry;     // the next attempt
        core::Timer deadline;  // the current attempt must be ready by then
        Backoff backoff;
        bool ready = false;        // publisher: connected; subscriber: subscribed
        bool ever_ready = false;
        bool down_logged = false;  // one warning per outage
        const char* name() const { return role == Role::publisher ? "publishing" : "subscribing"; }
    };

    Impl(Bus& b, core::Reactor& l, RedisBusOptions o)
        : bus(b),
          loop(l),
          options(std::move(o)),
          instance(new_instance_id()),
          publisher(this, Role::publisher, options),
          subscriber(this, Role::subscriber, options),
          random(std::random_device{}()) {
        for (Link* link : {&publisher, &subscriber}) {
            link->retry.context = link;
            link->retry.fire = [](core::Timer& t) {
                auto* self = static_cast<Link*>(t.context);
                self->owner->connect(*self);
            };
            link->deadline.context = link;
            link->deadline.fire = [](core::Timer& t) {
                auto* self = static_cast<Link*>(t.context);
                auto limit = std::to_string(self->owner->options.connect_timeout.count());
                self->owner->drop(*self, "not ready within " + limit + " ms");
            };
        }
        outage_timer.context = this;
        outage_timer.fire = [](core::Timer& t) {
            auto* self = static_cast<Impl*>(t.context);
            self->bus.resync_local();
            arm_after(self->loop, self->outage_timer, self->options.outage_poll);
        };
    }

    Bus& bus;
    core::Reactor& loop;
    const RedisBusOptions options;
    const std::string instance;
    Link publisher;
    Link subscriber;
    core::Timer outage_timer;  // armed while the subscription is down
    std::mt19937 random;
    std::atomic<bool> stopped{true};      // publish() posts nothing unless started and not stopped
    std::atomic<bool> is_subscribed{false};
    bool closing = false;                 // loop side: stop() has run
    bool dropped = false;                 // an announcement was not sent: publish a resync when possible

    std::string where() const { return options.host + ":" + std::to_string(options.port); }

    // ---- on the loop ----

    void begin() {
        MLOG(info) << "redis: instance " << instance << " connecting to " << where() << ", channel "
                   << options.channel;
        if (!outage_timer.armed()) arm_after(loop, outage_timer, options.outage_poll);
        connect(publisher);
        connect(subscriber);
    }

    void connect(Link& link) {
        if (closing || link.ctx) return;
        // Non-blocking: with an IP address hiredis neither resolves nor waits for the handshake.
        redisAsyncContext* ac = redisAsyncConnect(options.host.c_str(), options.port);
        if (!ac) {
            failed(link, "out of memory");
            return;
        }
        if (ac->err) {
            std::string why = ac->errstr;
            redisAsyncFree(ac);
            failed(link, why);
            return;
        }
        redisEnableKeepAlive(&ac->c);
        ac->data = &link;
        link.ctx = ac;
        link.watch.start(ac->c.fd, on_ready, &link);
        ac->ev.data = &link;
        ac->ev.addRead = [](void* p) { static_cast<Link*>(p)->watch.want_read(true); };
        ac->ev.delRead = [](void* p) { static_cast<Link*>(p)->watch.want_read(false); };
        ac->ev.addWrite = [](void* p) { static_cast<Link*>(p)->watch.want_write(true); };
        ac->ev.delWrite = [](void* p) { static_cast<Link*>(p)->watch.want_write(false); };
        ac->ev.cleanup = [](void* p) { static_cast<Link*>(p)->watch.stop(); };
        // Setting the connect callback asks for the first write event: the moment the connect completes.
        redisAsyncSetConnectCallback(ac, on_connect);
        redisAsyncSetDisconnectCallback(ac, on_disconnect);
        arm_after(loop, link.deadline, options.connect_timeout);
    }

    static void on_ready(void* context, bool readable, bool writable) {
        auto& link = *static_cast<Link*>(context);
        redisAsyncContext* ac = link.ctx;
        if (!ac) return;
        if (readable) redisAsyncHandleRead(ac);
        if (writable && link.ctx == ac) redisAsyncHandleWrite(ac);  // not if the read lost the connection
    }

    static void on_connect(const redisAsyncContext* c, int status) {
        auto* ac = const_cast<redisAsyncContext*>(c);
        auto& link = *static_cast<Link*>(ac->data);
        Impl& self = *link.owner;
        if (link.ctx != ac) return;
        if (status != REDIS_OK) {
            link.ctx = nullptr;  // hiredis frees it when this returns
            self.failed(link, ac->errstr);
            return;
        }
        const std::string& password = self.options.password;
        if (!password.empty()) redisAsyncCommand(ac, on_auth, &link, "AUTH %b", password.data(), password.size());
        if (link.role == Role::subscriber) {
            const std::string& channel = self.options.channel;
            redisAsyncCommand(ac, on_subscribed, &link, "SUBSCRIBE %b", channel.data(), channel.size());
        } else {
            // Commands sent now queue behind AUTH; a refused AUTH drops the connection (on_auth).
            self.now_ready(link);
        }
    }

    static void on_disconnect(const redisAsyncContext* c, int) {
        auto* ac = const_cast<redisAsyncContext*>(c);
        auto& link = *static_cast<Link*>(ac->data);
        if (link.ctx != ac) return;  // we dropped it ourselves
        link.ctx = nullptr;          // hiredis frees it when this returns
        link.owner->failed(link, ac->err ? ac->errstr : "connection closed");
    }

    static void on_auth(redisAsyncContext* ac, void* r, void* context) {
        auto& link = *static_cast<Link*>(context);
        auto* reply = static_cast<redisReply*>(r);
        if (!reply || link.ctx != ac || reply->type != REDIS_REPLY_ERROR) return;
        link.owner->drop(link, std::string("AUTH refused: ") + reply->str);
    }

    // Both the SUBSCRIBE confirmation and every message on the channel: ["subscribe"|"message", channel, x].
    static void on_subscribed(redisAsyncContext* ac, void* r, void* context) {
        auto& link = *static_cast<Link*>(context);
        auto* reply = static_cast<redisReply*>(r);
        if (!reply || link.ctx != ac) return;  // no reply: the context is being freed
        Impl& self = *link.owner;
        if (reply->type == REDIS_REPLY_ERROR) {
            self.drop(link, std::string("SUBSCRIBE refused: ") + reply->str);
            return;
        }
        if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) return;
        const redisReply* kind = reply->element[0];
        const redisReply* payload = reply->element[2];
        if (kind->type != REDIS_REPLY_STRING) return;
        std::string_view what(kind->str, kind->len);
        if (what == "subscribe") {
            self.now_ready(link);
        } else if (what == "message" && payload->type == REDIS_REPLY_STRING) {
            self.receive(std::string_view(payload->str, payload->len));
        }
    }

    void now_ready(Link& link) {
        loop.disarm(link.deadline);
        const bool after_outage = link.ever_ready || link.down_logged;
        const std::string attempts =
            link.down_logged ? " after " + std::to_string(link.backoff.failures()) + " retries" : "";
        if (!link.ever_ready)
            MLOG(info) << "redis: " << (link.role == Role::publisher ? "publishing on " : "subscribed to ")
                       << options.channel << " at " << where() << attempts;
        else if (link.down_logged)
            MLOG(info) << "redis: " << link.name() << " connection to " << where() << " restored" << attempts;
        link.ready = true;
        link.ever_ready = true;
        link.down_logged = false;
        link.backoff.reset();
        if (link.role == Role::publisher) {
            // What went out just before the connection broke may never have reached Redis; and the other
            // instances may have missed what this one did while it couldn't publish.
            if (after_outage) dropped = true;
            flush_resync();
        } else {
            is_subscribed.store(true, std::memory_order_release);
            loop.disarm(outage_timer);
            // Whatever was announced while unsubscribed is in the journals: every watcher reads its own.
            bus.resync_local();
        }
    }

    // After an attempt failed or an established connection was lost; link.ctx is already forgotten.
    void failed(Link& link, const std::string& why) {
        loop.disarm(link.deadline);
        const bool was_ready = link.ready;
        link.ready = false;
        if (link.role == Role::subscriber) {
            is_subscribed.store(false, std::memory_order_release);
            if (!closing && !outage_timer.armed()) arm_after(loop, outage_timer, options.outage_poll);
        }
        if (closing) return;
        if (!link.down_logged) {
            std::string meanwhile;
            if (link.role == Role::subscriber)
                meanwhile = "; meanwhile sessions read their journals every " +
                            std::to_string(options.outage_poll.count()) + " ms";
            MLOG(warn) << "redis: " << (was_ready ? "lost the " : "cannot open the ") << link.name()
                       << " connection to " << where() << ": " << why << "; retrying, at most every "
                       << options.reconnect_max.count() << " ms" << meanwhile;
            link.down_logged = true;
        } else {
            MLOG(debug) << "redis: " << link.name() << " connection attempt failed: " << why;
        }
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        arm_after(loop, link.retry, Backoff::jittered(link.backoff.next(), unit(random)));
    }

    // Gives up on the link's current connection (timeout, refused AUTH) and schedules the next attempt.
    void drop(Link& link, const std::string& why) {
        redisAsyncContext* ac = link.ctx;
        if (!ac) return;
        link.ctx = nullptr;
        failed(link, why);
        redisAsyncFree(ac);  // from inside a hiredis callback, hiredis frees it when the callback returns
    }

    bool can_send() const {
        return publisher.ready && publisher.ctx && sdslen(publisher.ctx->c.obuf) < max_unsent_bytes;
    }

    void send(const std::string& payload) {
        const std::string& channel = options.channel;
        redisAsyncCommand(publisher.ctx, nullptr, nullptr, "PUBLISH %b %b", channel.data(), channel.size(),
                          payload.data(), payload.size());
    }

    void flush_resync() {
        if (!dropped || !can_send()) return;
        send(encode_resync(instance));
        dropped = false;
    }

    void publish_here(const MailboxChange& change) {
        if (closing) return;
        if (!can_send()) {
            dropped = true;
            return;
        }
        flush_resync();
        send(encode_change(instance, change));
    }

    void publish_session_here(const SessionEvent& event) {
        if (closing) return;
        if (!can_send()) {
            MLOG(warn) << "redis: cannot tell the other instances to end the sessions of user " << event.user
                       << (event.asp.empty() ? "" : " opened with application password " + event.asp)
                       << ": the publishing connection is down; those sessions stay until they end";
            return;
        }
        send(encode_session(instance, event));
    }

    void receive(std::string_view payload) {
        auto message = decode_remote_message(payload);
        if (!message) {
            MLOG(debug) << "redis: ignored a message not understood: " << payload.substr(0, 80);
            return;
        }
        if (message->instance == instance) return;  // its watchers heard it through the in-process bus
        if (message->kind == RemoteMessage::Kind::resync) bus.resync_local();
        else if (message->kind == RemoteMessage::Kind::session) bus.end_sessions_local(std::move(message->session));
        else bus.publish_local(std::move(message->change));
    }

    void close_here() {
        closing = true;
        loop.disarm(outage_timer);
        for (Link* link : {&publisher, &subscriber}) {
            loop.disarm(link->retry);
            loop.disarm(link->deadline);
            link->ready = false;
            if (redisAsyncContext* ac = std::exchange(link->ctx, nullptr)) redisAsyncFree(ac);
        }
        is_subscribed.store(false, std::memory_order_release);
    }
};

RedisBus::RedisBus(Bus& bus, core::Reactor& loop, RedisBusOptions options)
    : impl_(std::make_unique<Impl>(bus, loop, std::move(options))) {}

RedisBus::~RedisBus() = default;

void RedisBus::start() {
    impl_->stopped.store(false, std::memory_order_release);
    impl_->bus.set_remote(this);
    Impl* impl = impl_.get();
    impl_->loop.post([impl] { impl->begin(); });
}

void RedisBus::stop() {
    if (impl_->stopped.exchange(true, std::memory_order_acq_rel)) return;
    impl_->bus.set_remote(nullptr);
    std::promise<void> closed;
    Impl* impl = impl_.get();
    impl_->loop.post([impl, &closed] {
        impl->close_here();
        closed.set_value();
    });
    closed.get_future().wait();
}

void RedisBus::publish(const MailboxChange& change) {
    Impl* impl = impl_.get();
    if (impl->stopped.load(std::memory_order_acquire)) return;
    if (core::Reactor::current() == &impl->loop) {
        impl->publish_here(change);
        return;
    }
    impl->loop.post([impl, change] { impl->publish_here(change); });
}

void RedisBus::publish(const SessionEvent& event) {
    Impl* impl = impl_.get();
    if (impl->stopped.load(std::memory_order_acquire)) return;
    if (core::Reactor::current() == &impl->loop) {
        impl->publish_session_here(event);
        return;
    }
    impl->loop.post([impl, event] { impl->publish_session_here(event); });
}

const std::string& RedisBus::instance() const { return impl_->instance; }

bool RedisBus::subscribed() const { return impl_->is_subscribed.load(std::memory_order_acquire); }

bool RedisBus::is_ip_address(const std::string& host) {
    unsigned char buffer[sizeof(in6_addr)];
    return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

}  // namespace mallard::storage::notify
