// The user actor serializes everything that changes a user: updates, deletion and the
// opening of its accounts. It waits for each commit before taking the next message
// (`await`), so an account cannot be opened for a user that a concurrent request is
// deleting, and a deletion counts the open accounts after every opening has committed.
#include "actors/user.hpp"

#include "domain/clock.hpp"

#include <caf/all.hpp>

namespace settle {
namespace {

struct user_state {
  user_record record;
  ledger_writer_actor writer;
  storage_reader_actor reader;
  std::shared_ptr<const response_renderer> renderer;
  persistence::shard_fence fence; // the lease this actor runs under
  static inline const char* name = "user";
};

using user_pointer = user_actor::stateful_pointer<user_state>;

bool is_visible(const user_state& state, const requester& who) {
  return !state.record.deleted && who.may_see(state.record.tenant);
}

// Commits `writes`, then applies `change` to the state and delivers what it returns.
template <class Result, class Change>
caf::result<Result> commit_then(user_pointer self, const requester& who,
                                persistence::write_set writes, Change change) {
  auto promise = self->make_response_promise<Result>();
  writes.deadline = who.deadline;
  writes.fences.push_back(self->state.fence);
  self->request(self->state.writer, caf::infinite, commit_atom::value, std::move(writes))
    .await([self, promise, change](bool) mutable { promise.deliver(change(self->state)); },
           [promise](caf::error& error) mutable { promise.deliver(std::move(error)); });
  return promise;
}

caf::result<user_record> update(user_pointer self, const requester& who,
                                const user_changes& changes) {
  if (!is_visible(self->state, who)) {
    return make_settle_error(settle_errc::not_found, "no such user");
  }
  user_record updated = self->state.record;
  if (changes.has_name) {
    updated.name = changes.name;
  }
  if (changes.has_email) {
    updated.email = changes.email;
  }
  persistence::write_set writes;
  writes.users_updated.push_back(updated);
  writes.events.push_back(persistence::make_event("user.updated", {updated.tenant.value},
                                                  {updated.id.value},
                                                  self->state.renderer->user(updated)));
  return commit_then<user_record>(self, who, std::move(writes), [updated](user_state& state) {
    state.record = updated;
    return updated;
  });
}

caf::result<user_record> remove(user_pointer self, const requester& who) {
  if (!is_visible(self->state, who)) {
    return make_settle_error(settle_errc::not_found, "no such user");
  }
  auto promise = self->make_response_promise<user_record>();
  self->request(self->state.reader, caf::infinite, count_atom::value, self->state.record.id.value)
    .await(
      [self, promise, deadline = who.deadline](std::int64_t open_accounts) mutable {
        if (open_accounts > 0) {
          promise.deliver(make_settle_error(settle_errc::user_has_open_accounts,
                                            "close the user's accounts before deleting it"));
          return;
        }
        user_record deleted = self->state.record;
        deleted.deleted = true;
        persistence::write_set writes;
        writes.deadline = deadline;
        writes.fences.push_back(self->state.fence);
        writes.users_updated.push_back(deleted);
        writes.events.push_back(persistence::make_event(
          "user.deleted", {deleted.tenant.value}, {deleted.id.value},
          self->state.renderer->deleted_user(deleted)));
        self->request(self->state.writer, caf::infinite, commit_atom::value, std::move(writes))
          .await(
            [self, promise, deleted](bool) mutable {
              self->state.record = deleted;
              promise.deliver(deleted);
            },
            [promise](caf::error& error) mutable { promise.deliver(std::move(error)); });
      },
      [promise](caf::error& error) mutable { promise.deliver(std::move(error)); });
  return promise;
}

caf::result<account_record> open_account(user_pointer self, const requester& who,
                                         account_record account, persistence::write_set writes) {
  if (!is_visible(self->state, who)) {
    return make_settle_error(settle_errc::not_found, "no such user", "user_id");
  }
  account.tenant = self->state.record.tenant;
  writes.accounts_inserted.push_back(account);
  writes.events.push_back(persistence::make_event("account.created", {account.tenant.value},
                                                  {account.id.value, account.user_id.value},
                                                  self->state.renderer->account(account)));
  return commit_then<account_record>(self, who, std::move(writes),
                                     [account](user_state&) { return account; });
}

user_actor::behavior_type user(user_pointer self, user_record record, ledger_writer_actor writer,
                               storage_reader_actor reader,
                               std::shared_ptr<const response_renderer> renderer,
                               persistence::shard_fence fence) {
  self->state.record = std::move(record);
  self->state.fence = fence;
  self->state.writer = std::move(writer);
  self->state.reader = std::move(reader);
  self->state.renderer = std::move(renderer);
  return {
    [self](caf::get_atom, const requester& who) -> caf::result<user_record> {
      if (!is_visible(self->state, who)) {
        return make_settle_error(settle_errc::not_found, "no such user");
      }
      return self->state.record;
    },
    [self](update_atom, const requester& who, const user_changes& changes) {
      return update(self, who, changes);
    },
    [self](delete_atom, const requester& who) { return remove(self, who); },
    [self](open_atom, const requester& who, account_record& account,
           persistence::write_set& writes) {
      return open_account(self, who, std::move(account), std::move(writes));
    },
    [self](passivate_atom) { self->quit(); },
    [self](retire_atom) { self->quit(); },
  };
}

} // namespace

user_actor spawn_user(caf::actor_system& system, user_record record, ledger_writer_actor writer,
                      storage_reader_actor reader,
                      std::shared_ptr<const response_renderer> renderer,
                      persistence::shard_fence fence) {
  return system.spawn(user, std::move(record), std::move(writer), std::move(reader),
                      std::move(renderer), fence);
}

} // namespace settle
