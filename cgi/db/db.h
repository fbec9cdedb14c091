/*
 * db.h: one MariaDB connection per worker, opened after fork().
 * Every statement is prepared once per connection, from the table in
 * db/stmts.h, and run with bound parameters. Results come back as text
 * cells in the caller's arena.
 */
#ifndef STAFFDESK_DB_H
#define STAFFDESK_DB_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "metrics.h"
#include "util.h"

struct conf;
struct db;

/* Rows of the multi-row statements of stmts.h. */
#define DEMO_ROWS	10		/* people per Q_DEMO_USERS */
#define DEMO_MEMBERS	(3 * DEMO_ROWS)	/* memberships per Q_DEMO_MEMBERS */
#define SEARCH_ROWS	40		/* words per Q_SEARCH_ADD */
#define ROSTER_ROWS	10		/* people, phones per Q_ROSTER_*_ADD */
#define ROSTER_MEMBER_ROWS	30		/* memberships per Q_ROSTER_MEMBERS_ADD */

#define COLS(...)
#define VIEW(...)
#define STMT(id, in, out, sql)	id,
enum stmt {
#include "db/stmts.h"
	STMT__MAX
};
#undef STMT
#undef VIEW

#define STMT(id, in, out, sql)
#define VIEW(id, ...)	id,
enum db_view {
#include "db/stmts.h"
	VIEW__MAX
};
#undef STMT
#undef VIEW

/* The database's part of the return rule at the top of util.h. */
enum db_err {
	DB_REFUSED = 2,	/* the first refusal code a caller's enum may use */
	DB_NONE = 1,	/* nothing matched (no row found, none changed) */
	DB_OK = 0,
	DB_ERR = -1,	/* the server is away or answered an error: 503 */
	DB_RETRY = -2,	/* deadlock, certification failure, lost link */
	DB_DUP = -3,	/* a unique key refused the row */
	DB_READONLY = -4,	/* the server takes no writes (read-only, a
				 * full disk): nothing was written, 503 */
};

/*
 * DB_T_UNSET is a parameter a struct q_*_in left out (designated
 * initializers zero what they do not name): db_exec/db_query refuse it,
 * so a forgotten parameter is an error, not a silent NULL.
 */
enum db_type { DB_T_UNSET, DB_T_NULL, DB_T_INT, DB_T_TEXT };

struct db_val {
	enum db_type	 type;
	int64_t		 i;
	const char	*s;
	size_t		 len;
};

#define DB_INT(v)	((struct db_val){ DB_T_INT, (int64_t)(v), NULL, 0 })
#define DB_NULL		((struct db_val){ DB_T_NULL, 0, NULL, 0 })
#define DB_BYTES(p, n)	((struct db_val){ DB_T_TEXT, 0, (p), (n) })
/* Text, or NULL when the pointer is NULL. */
static inline struct db_val
DB_TEXT(const char *p)
{
	return p != NULL ? DB_BYTES(p, strlen(p)) : DB_NULL;
}

/* Rows of text cells; cell(r, c) is NULL for SQL NULL. */
struct db_rows {
	size_t	  n, ncol;
	char	**cell;
	size_t	 *len;
};

#define DB_CELL(rs, r, c)	((rs)->cell[(r) * (rs)->ncol + (c)])

#define DB_TIMEOUT_CLI	3600	/* seconds: staffdesk-admin's read, write */

/*
 * A connection whose statements may take up to timeout seconds to read
 * or write (a worker: the config's db_timeout; staffdesk-admin's
 * migrations, reindex, import and demo take longer, so the CLI waits
 * DB_TIMEOUT_CLI). Connecting waits db_timeout. Not connecting yet is
 * not fatal: db_ping() and every query try again.
 */
struct db	*db_open(const struct conf *, unsigned int timeout);
/*
 * Starts a turn (a worker calls it before each request). Once a turn has
 * lasted db_timeout, a lost link is not reconnected until the next turn:
 * a stalled server (one that accepts but never answers) costs a request
 * one timeout, at most two (a connect begun just before the end), not
 * one per statement and retry. Without a turn (the CLI) every lost link
 * is reconnected.
 */
void		 db_turn(struct db *);
void		 db_close(struct db *);
/* 0 when the server answers (reconnecting if needed), else DB_ERR. */
int		 db_ping(struct db *);

/* Runs a statement that returns no rows; *affected may be NULL. */
int	 db_exec(struct db *, enum stmt, const struct db_val *, size_t,
	    uint64_t *affected);
/* Runs a query; the rows live in the arena. */
int	 db_query(struct db *, struct arena *, enum stmt,
	    const struct db_val *, size_t, struct db_rows *);
/*
 * Views (VIEW in stmts.h): several statements in one round trip. A
 * MariaDB round trip costs more than a page's queries (system calls
 * under a hypervisor), so each page reads the session and its data at
 * once: as one prepared CALL of a procedure made from the statements'
 * own SQL, their parameters its arguments, each returning its rows as
 * a result set. The procedure's name carries a hash of its text, so a
 * build never calls another build's; staffdesk-admin migrate makes
 * them (db_views_make), SQL SECURITY INVOKER: it runs with the app
 * account's rights, which need EXECUTE. db_view() fills sets[0..n-1]
 * with the result sets of view v (what v_name() reads by name).
 */
int	 db_view(struct db *, struct arena *, enum db_view,
	    const struct db_val *, size_t, struct db_rows *sets, size_t n);
/* Makes the procedure of every view that is not there yet (migrate). */
int	 db_views_make(struct db *);
/*
 * Prepares every statement and view: DB_OK when each fits the schema
 * and has the parameters and columns stmts.h declares, else DB_ERR
 * (each misfit logged). staffdesk-admin migrate runs it after
 * migrating.
 */
int	 db_prepare_all(struct db *);
/* Raw SQL for migrations only (our own files, never request data). */
int	 db_exec_raw(struct db *, const char *sql);
uint64_t db_last_id(struct db *);

/*
 * Runs fn inside one transaction and commits; fn returns DB_OK or an
 * error, or a positive value to roll back and pass that value on (a
 * refusal that must leave nothing behind). Retried up to DB_TXN_TRIES
 * times on deadlock, lock wait timeout, Galera certification failure
 * (reported as a deadlock), a node not ready (1047) or a lost
 * connection (the next try may go to another server of db_host), after
 * a pause of db_backoff_ms(); not once the turn (db_turn) has lasted
 * db_timeout, and not when the link was lost during COMMIT itself (the
 * change may have been made: DB_ERR, not a second one).
 */
#define DB_TXN_TRIES	8
int	 db_txn(struct db *, int (*fn)(struct db *, void *), void *);
/*
 * Counts m (metrics.h) once the transaction running commits, or at once
 * outside one: a try rolled back or retried counts nothing, so an event
 * written in a transaction is counted exactly when it happened.
 */
#define DB_COUNT_MAX	8	/* counts one transaction may hold */
void	 db_count(struct db *, enum met);
/*
 * The pause before try tries + 1 (tries >= 1), in ms, given a random r:
 * DB_BACKOFF_MS doubled for each try after the first, at most
 * DB_BACKOFF_MAX_MS, then jittered to between half and one and a half
 * times that, so transactions that collided do not collide again in
 * step.
 */
#define DB_BACKOFF_MS		4
#define DB_BACKOFF_MAX_MS	64
unsigned int db_backoff_ms(int tries, uint32_t r);

/* The statement's name ("Q_SESS_LOAD"). */
const char *db_stmt_name(enum stmt);
/* EXPLAIN of a statement with these parameters (for make bench). */
int	 db_explain(struct db *, struct arena *, enum stmt,
	    const struct db_val *, size_t, struct db_rows *);

/* Integer of a cell, or dflt when NULL or not a number. */
int64_t	 db_int(const struct db_rows *, size_t r, size_t c, int64_t dflt);

/* The statements by name: q_name(), struct q_name_in, struct q_name_row. */
#include "db_stmts.h"

#endif
