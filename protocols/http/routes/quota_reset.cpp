// Quota recalculation — WildDuck's recalculateQuota and recalculateQuotaAllUsers (lib/api/users.js): the
// user's storage counter set again to the sum of its messages' sizes (Store::recalculate_quota, summed by
// the database in the same write as the set), for a counter that drifted. Normally never needed.
//
// POST /users/:user/quota/reset  → {success, storageUsed, previousStorageUsed}; a user token for its own user
//                                  (updateOwn), root for anyone.
// POST /quota/reset              → {success, task}; root only (updateAny). WildDuck queues a background task
//                                  and answers its id; here every user is recounted before the answer (one short
//                                  write per user), so the task named is already done.
#include <cstdio>
#include <random>

#include "core/log.h"
#include "protocols/http/routes/api_routes.h"
#include "protocols/http/routes/route_support.h"

namespace mallard::http::routes {

namespace {

core::Task<Response> reset_user_quota(Call& call) {
    auto user = co_await load_user(call, call.input.string("user").value_or(""));
    if (!user) co_return store_error(user.error(), Resource::user);
    auto recount = co_await call.store().recalculate_quota(user->id);
    if (!recount) co_return store_error(recount.error(), Resource::user);
    MLOG(info) << "quota reset for " << user->username << ": " << recount->previous << " -> " << recount->current;
    co_return success({{"storageUsed", recount->current}, {"previousStorageUsed", recount->previous}});
}

// A task id shaped like WildDuck's (an ObjectId: 24 hex digits).
std::string task_id() {
    std::random_device device;
    char out[25];
    std::snprintf(out, sizeof out, "%08x%08x%08x", device(), device(), device());
    return std::string(out, 24);
}

core::Task<Response> reset_all_quotas(Call& call) {
    if (call.principal.role != Role::root)
        co_return error_response(403, "MissingPrivileges", "Not enough privileges");
    auto recounted = co_await call.store().recalculate_all_quotas();
    if (!recounted) co_return store_error(recounted.error(), Resource::user);
    MLOG(info) << "quota reset for all users: " << *recounted << " recounted";
    co_return success({{"task", task_id()}});
}

}  // namespace

void add_quota_reset_routes(RouteTable& table) {
    table.add({"POST", "/users/:user/quota/reset", reset_user_quota});
    table.add({"POST", "/quota/reset", reset_all_quotas});
}

}  // namespace mallard::http::routes
