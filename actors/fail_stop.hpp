// An actor that holds money in memory (reservations, holds) must not die and be reloaded
// while a commit it took part in may still land: its reloaded state could miss that
// commit. So an exception escaping such an actor stops the process, and the restart
// rebuilds every actor from the database. Include only from .cpp files.
#pragma once

#include "domain/log.hpp"

#include <caf/all.hpp>

#include <cstdlib>
#include <exception>

namespace settle {

template <class Self>
void stop_process_on_exception(Self* self, const char* actor) {
  self->set_exception_handler([actor](std::exception_ptr& error) -> caf::error {
    const char* what = "an unknown exception";
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& exception) {
      what = exception.what();
    } catch (...) {
    }
    log_line(log_level::error, "an actor failed; stopping", {{"actor", actor}, {"error", what}});
    std::abort();
  });
}

} // namespace settle
