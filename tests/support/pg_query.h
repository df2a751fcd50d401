// One SQL statement (or several, `;`-separated: the last one's rows come back) run
// over libpq on a fresh connection, for tests that check what a PostgreSQL server
// holds. The answer reads as `psql -At` prints it: one line per row, columns joined
// by '|', NULL as nothing, booleans as t and f. A connection a statement (the
// server's own cost only, not a psql process of some 70 ms of CPU), so that a
// server stopped and started again between calls is no matter.
// Thread: any; no state is kept between calls.
#pragma once

#include <string>
#include <utility>

namespace signage::test {

// {the rows, true}, or {the server's or libpq's error message, false}.
// `conninfo`: a libpq connection string or URI.
std::pair<std::string, bool> pg_query(const std::string& conninfo, const std::string& sql);

}  // namespace signage::test
