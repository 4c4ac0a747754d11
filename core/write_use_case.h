// The one shape of core's write use cases, so that a service states only its own steps:
//
//   find    the object the write is about, or its 404 (or another refusal that comes before field errors,
//           such as "built-in definitions cannot be changed");
//   check   the field errors found before the transaction plus those that need the store: 400 with all;
//   change  the write's own refusals (409, 412), the writes, the activity and its history version.
//
// All three run inside one transaction and read only through it: a body never steps outside its
// transaction (a committed read there would miss the group's earlier writes, or wait on them).
// The 401/403 answers are http's; a client hears the others in exactly this order.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "core/catalog.h"

namespace jim::core {

// Runs `body` (Transaction& -> Result<T>) as one transaction and returns its value once committed, or the
// error that rolled it back (kUnavailable when the store could not write). A backend may run a body again
// after a transient failure: the value of the run that committed is the one returned.
template <class Body>
std::invoke_result_t<Body&, Transaction&> TransactValue(Catalog& catalog, Body&& body) {
  using Out = std::invoke_result_t<Body&, Transaction&>;
  std::optional<typename Out::value_type> value;
  Status st = catalog.Transact([&](Transaction& tx) -> Status {
    Out out = body(tx);
    if (!out.ok()) return std::move(out.error());
    value = std::move(out).value();
    return OkStatus();
  });
  if (!st) return std::move(st.error());
  return std::move(*value);
}

// For writes that have no object to find (creates): the target is Ok{}.
inline Result<Ok> NothingToFind(Transaction& /*tx*/) { return Ok{}; }

// find(tx) -> Result<Target>; check(tx, const Target&, FieldErrors& errors) appends the field errors that
// need the store to `errors` (a copy of `field_errors`); change(tx, Target&) -> Result<Out>.
template <class Find, class Check, class Change>
auto RunWriteUseCase(Catalog& catalog, Find&& find, const FieldErrors& field_errors, Check&& check,
                     Change&& change) {
  using Target = typename std::invoke_result_t<Find&, Transaction&>::value_type;
  using Out = std::invoke_result_t<Change&, Transaction&, Target&>;
  return TransactValue(catalog, [&](Transaction& tx) -> Out {
    auto target = find(tx);
    if (!target.ok()) return std::move(target.error());
    FieldErrors errors = field_errors;
    check(tx, std::as_const(*target), errors);
    if (!errors.empty()) return InvalidFields(std::move(errors));
    return change(tx, *target);
  });
}

// The same without field rules that need the store.
template <class Find, class Change>
auto RunWriteUseCase(Catalog& catalog, Find&& find, const FieldErrors& field_errors, Change&& change) {
  return RunWriteUseCase(catalog, find, field_errors, [](Transaction&, const auto&, FieldErrors&) {}, change);
}

// The same without field rules at all (deletes).
template <class Find, class Change>
auto RunWriteUseCase(Catalog& catalog, Find&& find, Change&& change) {
  return RunWriteUseCase(catalog, find, FieldErrors{}, change);
}

}  // namespace jim::core
