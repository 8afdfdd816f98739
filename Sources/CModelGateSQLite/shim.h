#ifndef CMODELGATE_SQLITE_SHIM_H
#define CMODELGATE_SQLITE_SHIM_H
// The system SQLite 3 (libsqlite3-dev), the store of the control plane.
#include <sqlite3.h>
#endif
