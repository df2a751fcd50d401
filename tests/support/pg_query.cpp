#include "support/pg_query.h"

#include <libpq-fe.h>

#include <memory>

namespace signage::test {

std::pair<std::string, bool> pg_query(const std::string& conninfo, const std::string& sql) {
  const std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (conn == nullptr) return {"libpq: out of memory", false};
  if (PQstatus(conn.get()) != CONNECTION_OK) return {PQerrorMessage(conn.get()), false};
  const std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  const ExecStatusType status = res != nullptr ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY) {
    return {PQerrorMessage(conn.get()), false};
  }
  std::string out;
  for (int row = 0; row < PQntuples(res.get()); ++row) {
    if (row > 0) out += '\n';
    for (int col = 0; col < PQnfields(res.get()); ++col) {
      if (col > 0) out += '|';
      if (PQgetisnull(res.get(), row, col) == 0) out += PQgetvalue(res.get(), row, col);
    }
  }
  return {out, true};
}

}  // namespace signage::test
