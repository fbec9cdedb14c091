/*
 * db.c: see db.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>
#include <errmsg.h>
#include <mysqld_error.h>

#include "conf.h"
#include "db/db.h"
#include "log.h"

#define DB_CELL_INIT	256		/* first buffer per cell; grown on demand */
#define DB_LOCK_WAIT_MAX 50		/* seconds: InnoDB's default lock wait */
#define DB_PARAMS_MAX	128
#define DB_LOG_QUIET	10		/* seconds between two "cannot connect" */
#define DB_HOST_REST_MS	5000		/* a server that failed is tried last */

#define DB_SLOTS	(STMT__MAX + VIEW__MAX)	/* statements, then views */

#define VIEW(...)
#define STMT(id, in, out, sql)	sql,
static const char *const stmt_sql[STMT__MAX] = {
#include "db/stmts.h"
};
#undef STMT

#define STMT(id, in, out, sql)	#id,
static const char *const stmt_name[STMT__MAX] = {
#include "db/stmts.h"
};
#undef STMT
#undef VIEW

#define STMT(id, in, out, sql)
#define VIEW(id, ...)	#id,
static const char *const view_name[VIEW__MAX] = {
#include "db/stmts.h"
};
#undef STMT
#undef VIEW

/* A view's procedure, made once per process from its statements. */
struct view_proc {
	char		*create;	/* CREATE PROCEDURE ... */
	char		*call;		/* CALL name(?, ...) */
	unsigned int	 nparams;
};
static struct view_proc	view_proc[VIEW__MAX];
static struct arena	view_arena;	/* theirs, for the process's life */

static const char *
slot_name(unsigned int id)
{
	return id < STMT__MAX ? stmt_name[id] : id < DB_SLOTS ?
	    view_name[id - STMT__MAX] : "?";
}

struct db {
	const struct conf	*conf;
	MYSQL			*my;
	MYSQL_STMT		*stmt[DB_SLOTS];
	unsigned int		 timeout;	/* seconds to read or write */
	int64_t			 turn_ms;	/* db_turn(), monotonic; 0: none */
	int			 in_txn;
	int			 was_connected;	/* a connect now is a reconnect */
	enum met		 counts[DB_COUNT_MAX];	/* db_count() of the */
	size_t			 ncounts;		/* try running */
	int64_t			 failed_ms;	/* the last connect failure
						 * logged; 0: connected since */
	long			 failed_quiet;	/* ...and those not logged */
	size_t			 host;		/* conf->db_hosts[] connected to */
	/* Monotonic ms until which each of db_hosts is tried last. */
	int64_t			 rest_until[CONF_DB_HOSTS_MAX];
};

static int64_t
db_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
db_turn(struct db *db)
{
	db->turn_ms = db_now_ms();
}

/* 1 when this turn has waited db_timeout already: no new connection. */
static int
db_spent(const struct db *db)
{
	return db->turn_ms != 0 &&
	    db_now_ms() - db->turn_ms >= db->conf->db_timeout * 1000;
}

static void
db_disconnect(struct db *db)
{
	size_t	i;

	for (i = 0; i < DB_SLOTS; i++)
		if (db->stmt[i] != NULL) {
			mysql_stmt_close(db->stmt[i]);
			db->stmt[i] = NULL;
		}
	if (db->my != NULL) {
		mysql_close(db->my);
		db->my = NULL;
	}
}

/*
 * A connect that failed: logged at once, then once per DB_LOG_QUIET
 * seconds with the count of those in between. A server down under load
 * fails every request's connect: 16 connections of page views wrote
 * 5,000 lines in the 5 s MariaDB was stopped.
 */
static void
db_connect_failed(struct db *db, const char *why)
{
	int64_t	now = db_now_ms();

	if (db->failed_ms != 0 && now - db->failed_ms < DB_LOG_QUIET * 1000) {
		db->failed_quiet++;
		return;
	}
	if (db->failed_quiet > 0)
		log_msg(LOG_WARN, "db: connect: %s (and %ld times more in the "
		    "last %d s)", why, db->failed_quiet, DB_LOG_QUIET);
	else
		log_msg(LOG_WARN, "db: connect: %s", why);
	db->failed_ms = now;
	db->failed_quiet = 0;
}

/* A connect that succeeded: counted as a reconnect after the first. */
static void
db_connected(struct db *db)
{
	if (db->was_connected)
		metrics_count(MET_DB_RECONNECTS);
	db->was_connected = 1;
	if (db->failed_ms != 0)
		log_msg(LOG_INFO, "db: connected again (%ld failures since the "
		    "last line)", db->failed_quiet);
	db->failed_ms = 0;
	db->failed_quiet = 0;
}

/*
 * Whether the server may serve: a Galera node must be ready and synced
 * (wsrep_ready ON, wsrep_local_state 4). One that is joining, a donor
 * or cut off from the primary component would answer 1047 or block;
 * a server without Galera has neither variable and may serve.
 */
static int
db_ready(MYSQL *my)
{
	static const char	 q[] = "SHOW STATUS WHERE Variable_name IN "
				    "('wsrep_ready', 'wsrep_local_state')";
	MYSQL_RES		*res;
	MYSQL_ROW		 row;
	int			 ok = 1;

	if (mysql_real_query(my, q, sizeof(q) - 1) != 0 ||
	    (res = mysql_store_result(my)) == NULL)
		return 0;
	while ((row = mysql_fetch_row(res)) != NULL)
		if (row[0] != NULL && row[1] != NULL &&
		    ((strcmp(row[0], "wsrep_ready") == 0 &&
		    strcmp(row[1], "ON") != 0) ||
		    (strcmp(row[0], "wsrep_local_state") == 0 &&
		    strcmp(row[1], "4") != 0)))
			ok = 0;
	mysql_free_result(res);
	return ok;
}

/*
 * A connection to one server (host NULL: db_socket, or the client's
 * default), or NULL. With several servers listed, one that is not
 * ready (db_ready) is refused too.
 */
static MYSQL *
db_connect_one(struct db *db, const char *host, unsigned int port)
{
	const struct conf	*c = db->conf;
	unsigned int		 t = (unsigned int)c->db_timeout, lock;
	my_bool			 no = 0;
	char			 init[128], why[512];
	MYSQL			*my;

	if ((my = mysql_init(NULL)) == NULL)
		return NULL;
	mysql_optionsv(my, MYSQL_OPT_CONNECT_TIMEOUT, &t);
	mysql_optionsv(my, MYSQL_OPT_READ_TIMEOUT, &db->timeout);
	mysql_optionsv(my, MYSQL_OPT_WRITE_TIMEOUT, &db->timeout);
	mysql_optionsv(my, MYSQL_OPT_RECONNECT, &no);
	mysql_optionsv(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/*
	 * A lock waited for gives up (1205: the transaction is retried or
	 * answered 503) before the read timeout would drop the link and
	 * leave the server holding the waiter's locks until it noticed.
	 */
	lock = db->timeout > 1 ? db->timeout - 1 : 1;
	if (lock > DB_LOCK_WAIT_MAX)
		lock = DB_LOCK_WAIT_MAX;
	if (snprintf(init, sizeof(init), "SET time_zone = '+00:00', "
	    "tx_isolation = 'READ-COMMITTED', innodb_lock_wait_timeout = %u",
	    lock) >= (int)sizeof(init))
		abort();
	mysql_optionsv(my, MYSQL_INIT_COMMAND, init);
	if (mysql_real_connect(my, host, c->db_user, c->db_password,
	    c->db_name, port, c->db_socket, 0) == NULL) {
		if (host != NULL)
			(void)snprintf(why, sizeof(why), "to %s:%u: %s", host,
			    port ? port : 3306, mysql_error(my));
		else
			(void)snprintf(why, sizeof(why), "to %s: %s",
			    c->db_socket ? c->db_socket : "the default server",
			    mysql_error(my));
		db_connect_failed(db, why);
		mysql_close(my);
		return NULL;
	}
	if (c->db_nhosts > 1 && !db_ready(my)) {
		log_msg(LOG_WARN, "db: %s:%u is not a synced cluster node",
		    host, port);
		mysql_close(my);
		return NULL;
	}
	db_connected(db);
	return my;
}

/* Sets db_hosts[i] aside: for DB_HOST_REST_MS it is tried after the rest. */
static void
db_rest(struct db *db, size_t i)
{
	if (i < db->conf->db_nhosts)
		db->rest_until[i] = db_now_ms() + DB_HOST_REST_MS;
}

/*
 * Connects to db_socket, or to the first of db_hosts that answers and
 * may serve: in their order, those that failed in the last
 * DB_HOST_REST_MS after the others. Gives up once the turn is spent.
 */
static int
db_connect(struct db *db)
{
	const struct conf	*c = db->conf;
	const struct conf_db_host *h;
	size_t			 i, pass;
	int64_t			 now;

	db_disconnect(db);
	if (db_spent(db))
		return DB_ERR;	/* a stalled server: the turn gives up */
	if (c->db_socket != NULL || c->db_nhosts == 0) {
		db->my = db_connect_one(db, NULL, (unsigned)c->db_port);
		return db->my != NULL ? DB_OK : DB_ERR;
	}
	now = db_now_ms();
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < c->db_nhosts; i++) {
			if ((db->rest_until[i] > now) != (pass == 1))
				continue;
			if (db_spent(db))
				return DB_ERR;
			h = &c->db_hosts[i];
			db->my = db_connect_one(db, h->name, (unsigned)(h->port ?
			    h->port : c->db_port));
			if (db->my != NULL) {
				db->host = i;
				db->rest_until[i] = 0;
				if (i > 0)
					log_msg(LOG_INFO, "db: connected to "
					    "%s:%ld, server %zu of db_host",
					    h->name, h->port ? h->port :
					    c->db_port, i + 1);
				return DB_OK;
			}
			db_rest(db, i);
		}
	return DB_ERR;
}

struct db *
db_open(const struct conf *c, unsigned int timeout)
{
	struct db	*db = xcalloc(1, sizeof(*db));

	db->conf = c;
	db->timeout = timeout;
	if (db_connect(db) != DB_OK) {
		/* Not fatal: db_ping and every query try again. */
		log_msg(LOG_WARN, "db: not connected yet");
	}
	return db;
}

void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	db_disconnect(db);
	free(db);
}

static int
db_lost(unsigned int e)
{
	return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	    e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
	    e == ER_CONNECTION_KILLED || e == CR_COMMANDS_OUT_OF_SYNC;
}

/*
 * 1 when e says the server takes no writes: read_only (1290), a
 * read-only mode or transaction (1836, 1792), InnoDB started read-only
 * (1874), a full disk (1021) or table space (1114). A retry cannot
 * help.
 */
static int
db_readonly(unsigned int e)
{
	return e == ER_OPTION_PREVENTS_STATEMENT || e == ER_READ_ONLY_MODE ||
	    e == ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION ||
	    e == ER_INNODB_READ_ONLY || e == ER_DISK_FULL ||
	    e == ER_RECORD_FILE_FULL;
}

/*
 * Maps a server error to a db_err, dropping the link when it is lost or
 * its server may not serve: 1047 (ER_UNKNOWN_COM_ERROR, "WSREP has not
 * yet prepared node for application use") is a Galera node out of the
 * primary component or not synced yet, so the next connection goes to
 * another server of db_host. A deadlock is also how Galera reports a
 * certification failure (another node committed a conflicting change
 * first): the transaction is retried, on the same link.
 */
static int
db_fail(struct db *db, unsigned int e, const char *what, unsigned int id)
{
	if (e == ER_DUP_ENTRY)
		return DB_DUP;
	if (e == ER_LOCK_DEADLOCK)
		return DB_RETRY;
	/*
	 * A node out of the primary component answers a prepared
	 * statement with a lock wait timeout, at once (the text protocol
	 * gets 1047): with another server to go to, a lock wait timeout
	 * asks whether this one may still serve.
	 */
	if (e == ER_LOCK_WAIT_TIMEOUT && (db->conf->db_nhosts < 2 ||
	    db->my == NULL || db_ready(db->my)))
		return DB_RETRY;
	log_msg(LOG_WARN, "db: %s %s: error %u", what, slot_name(id), e);
	if (db_readonly(e))
		return DB_READONLY;
	if (db_lost(e) || e == ER_UNKNOWN_COM_ERROR ||
	    e == ER_LOCK_WAIT_TIMEOUT) {
		db_rest(db, db->host);
		db_disconnect(db);
		return DB_RETRY;
	}
	return DB_ERR;
}

/* With several servers, one that answers must also still be synced. */
int
db_ping(struct db *db)
{
	if (db->my != NULL && mysql_ping(db->my) == 0 &&
	    (db->conf->db_nhosts < 2 || db_ready(db->my)))
		return DB_OK;
	if (db->my != NULL)
		db_rest(db, db->host);
	return db_connect(db);
}

/* A parameter's SQL type in a view's procedure (stmt_shape's types). */
static const char *
view_type(char t)
{
	return t == 'a' ? "VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin" :
	    t == 'i' ? "BIGINT" :
	    "VARCHAR(1024) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci";
}

/*
 * Appends sql to body with each ? (outside quotes) replaced by the
 * procedure's next argument, sd_p<n>; returns the new count, or -1
 * when the statement has not the number of parameters declared.
 */
static int
view_body(struct arena *a, const char **body, const char *sql, int n,
    unsigned int want)
{
	const char	*p, *run = sql;
	char		 quote = 0;
	unsigned int	 got = 0;

	for (p = sql; *p != '\0'; p++) {
		if (quote != 0) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"' || *p == '`')
			quote = *p;
		else if (*p == '?') {
			*body = arena_printf(a, "%s%.*ssd_p%d", *body,
			    (int)(p - run), run, ++n);
			run = p + 1;
			got++;
		}
	}
	*body = arena_printf(a, "%s%s;\n", *body, run);
	return got == want ? n : -1;
}

/*
 * View v's procedure: its arguments the statements' parameters in
 * order, its body their SQL, its name "sd_" and the view's, with the
 * first 16 hex digits of the SHA-256 of the rest. Made on first use;
 * the texts live as long as the process.
 */
static const struct view_proc *
view_make(unsigned int v)
{
	struct view_proc	*vp = &view_proc[v];
	const struct view_shape	*vs = &view_shape[v];
	const char		*args = "", *body = "";
	char			*text, hash[65], *lname;
	const char		*t;
	unsigned int		 i, k;
	int			 n = 0;

	if (vp->call != NULL)
		return vp;
	for (i = 0; i < vs->n; i++) {
		for (t = stmt_shape[vs->stmt[i]].types; *t != '\0'; t++)
			args = arena_printf(&view_arena, "%s%sIN sd_p%u %s",
			    args, *args ? ", " : "", ++vp->nparams,
			    view_type(*t));
		if ((n = view_body(&view_arena, &body, stmt_sql[vs->stmt[i]], n,
		    stmt_shape[vs->stmt[i]].nparams)) == -1) {
			log_msg(LOG_ERR, "db: %s: %s has a ? that is no "
			    "parameter", view_name[v],
			    stmt_name[vs->stmt[i]]);
			abort();
		}
	}
	text = arena_printf(&view_arena, "(%s) READS SQL DATA SQL SECURITY "
	    "INVOKER BEGIN\n%sEND", args, body);
	sha256_hex(text, strlen(text), hash);
	lname = arena_strdup(&view_arena, view_name[v]);
	for (k = 0; lname[k] != '\0'; k++)
		lname[k] = (char)tolower((unsigned char)lname[k]);
	vp->create = arena_printf(&view_arena, "CREATE PROCEDURE IF NOT "
	    "EXISTS sd_%s_%.16s %s", lname + 2, hash, text);
	vp->call = arena_printf(&view_arena, "CALL sd_%s_%.16s(", lname + 2,
	    hash);
	for (i = 0; i < vp->nparams; i++)
		vp->call = arena_printf(&view_arena, "%s%s?", vp->call,
		    i ? ", " : "");
	vp->call = arena_printf(&view_arena, "%s)", vp->call);
	return vp;
}

/*
 * Slot id: statement id (< STMT__MAX) or view id - STMT__MAX, with its
 * SQL and the parameters and columns it must have once prepared (a
 * CALL has no columns before it runs).
 */
static const char *
slot_sql(unsigned int id)
{
	return id < STMT__MAX ? stmt_sql[id] :
	    view_make(id - STMT__MAX)->call;
}

static void
slot_shape(unsigned int id, unsigned int *nparams, unsigned int *ncols)
{
	*nparams = id < STMT__MAX ? stmt_shape[id].nparams :
	    view_make(id - STMT__MAX)->nparams;
	*ncols = id < STMT__MAX ? stmt_shape[id].ncols : 0;
}

static MYSQL_STMT *
db_prepare(struct db *db, unsigned int id, int *err)
{
	MYSQL_STMT	*st;
	const char	*sql = slot_sql(id);
	unsigned int	 np, nc;

	if (db->my == NULL && (db->in_txn || db_connect(db) != DB_OK)) {
		*err = db->in_txn ? DB_RETRY : DB_ERR;
		return NULL;
	}
	if (db->stmt[id] != NULL)
		return db->stmt[id];
	if ((st = mysql_stmt_init(db->my)) == NULL) {
		*err = DB_ERR;
		return NULL;
	}
	if (mysql_stmt_prepare(st, sql, strlen(sql))) {
		if (mysql_stmt_errno(st) == ER_SP_DOES_NOT_EXIST)
			log_msg(LOG_ERR, "db: %s: no procedure %s yet: run "
			    "staffdesk-admin migrate", slot_name(id), sql);
		*err = db_fail(db, mysql_stmt_errno(st), "prepare", id);
		if (*err == DB_DUP)
			*err = DB_ERR;
		mysql_stmt_close(st);
		return NULL;
	}
	slot_shape(id, &np, &nc);
	if (mysql_stmt_param_count(st) != np ||
	    mysql_stmt_field_count(st) != nc) {
		log_msg(LOG_ERR, "db: %s has %lu parameters and %u columns, "
		    "stmts.h declares %u and %u", slot_name(id),
		    mysql_stmt_param_count(st), mysql_stmt_field_count(st),
		    np, nc);
		*err = DB_ERR;
		mysql_stmt_close(st);
		return NULL;
	}
	return db->stmt[id] = st;
}

int
db_prepare_all(struct db *db)
{
	unsigned int	id;
	int		err, rc = DB_OK;

	for (id = 0; id < DB_SLOTS; id++)
		if (db_prepare(db, id, &err) == NULL)
			rc = DB_ERR;
	return rc;
}

/* Binds p to st and executes it; st is left ready to fetch. */
static int
db_execute(struct db *db, MYSQL_STMT *st, unsigned int id,
    const struct db_val *p, size_t np)
{
	MYSQL_BIND	 b[DB_PARAMS_MAX];
	long long	 ints[DB_PARAMS_MAX];
	unsigned long	 lens[DB_PARAMS_MAX];
	size_t		 i;

	if (np > DB_PARAMS_MAX || mysql_stmt_param_count(st) != np) {
		log_msg(LOG_ERR, "db: %s wants %lu parameters, got %zu",
		    slot_name(id), mysql_stmt_param_count(st), np);
		return DB_ERR;
	}
	memset(b, 0, sizeof(b[0]) * (np ? np : 1));
	for (i = 0; i < np; i++) {
		switch (p[i].type) {
		case DB_T_UNSET:
			log_msg(LOG_ERR, "db: %s: parameter %zu was not set",
			    slot_name(id), i + 1);
			return DB_ERR;
		case DB_T_NULL:
			b[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		case DB_T_INT:
			ints[i] = p[i].i;
			b[i].buffer_type = MYSQL_TYPE_LONGLONG;
			b[i].buffer = &ints[i];
			break;
		case DB_T_TEXT:
			lens[i] = p[i].len;
			b[i].buffer_type = MYSQL_TYPE_STRING;
			b[i].buffer = (void *)(uintptr_t)p[i].s;
			b[i].buffer_length = p[i].len;
			b[i].length = &lens[i];
			break;
		}
	}
	if ((np && mysql_stmt_bind_param(st, b)) || mysql_stmt_execute(st))
		return db_fail(db, mysql_stmt_errno(st), "execute", id);
	return DB_OK;
}

/*
 * Prepares (once per connection) and executes statement id; on a lost
 * link outside a transaction it reconnects and tries once more.
 */
static int
db_run(struct db *db, unsigned int id, const struct db_val *p, size_t np,
    MYSQL_STMT **out)
{
	MYSQL_STMT	*st;
	int		 err = DB_ERR, tries;

	for (tries = 0; tries < 2; tries++) {
		if ((st = db_prepare(db, id, &err)) == NULL) {
			if (err == DB_RETRY && !db->in_txn)
				continue;
			return err;
		}
		if ((err = db_execute(db, st, id, p, np)) == DB_OK) {
			*out = st;
			return DB_OK;
		}
		if (err == DB_RETRY && db->my == NULL && !db->in_txn)
			continue;
		if (db->stmt[id] != NULL)
			mysql_stmt_reset(st);
		return err;
	}
	return err == DB_RETRY ? DB_ERR : err;
}

int
db_exec(struct db *db, enum stmt id, const struct db_val *p, size_t np,
    uint64_t *affected)
{
	MYSQL_STMT	*st;
	int		 rc;

	if ((rc = db_run(db, id, p, np, &st)) != DB_OK)
		return rc;
	if (affected != NULL)
		*affected = mysql_stmt_affected_rows(st);
	return DB_OK;
}

uint64_t
db_last_id(struct db *db)
{
	return db->my != NULL ? mysql_insert_id(db->my) : 0;
}

/*
 * Fetches every row of st's current result set into rs (cells in the
 * arena); db_fetch() below then frees the result, db_view() goes on to
 * the next.
 */
static int
db_fetch_set(struct db *db, MYSQL_STMT *st, unsigned int id,
    struct arena *a, struct db_rows *rs)
{
	MYSQL_RES	*meta;
	MYSQL_BIND	*b = NULL;
	unsigned long	*lens = NULL;
	my_bool		*nulls = NULL;
	char		**bufs = NULL;
	size_t		 ncol, c, cap = 0, n = 0;
	int		 rc, f;

	memset(rs, 0, sizeof(*rs));
	if ((meta = mysql_stmt_result_metadata(st)) == NULL)
		return DB_OK;
	ncol = mysql_num_fields(meta);
	mysql_free_result(meta);
	b = xcalloc(ncol, sizeof(*b));
	lens = xcalloc(ncol, sizeof(*lens));
	nulls = xcalloc(ncol, sizeof(*nulls));
	bufs = xcalloc(ncol, sizeof(*bufs));
	for (c = 0; c < ncol; c++) {
		bufs[c] = xmalloc(DB_CELL_INIT);
		b[c].buffer_type = MYSQL_TYPE_STRING;
		b[c].buffer = bufs[c];
		b[c].buffer_length = DB_CELL_INIT;
		b[c].length = &lens[c];
		b[c].is_null = &nulls[c];
	}
	rs->ncol = ncol;
	rc = DB_OK;
	if (mysql_stmt_bind_result(st, b)) {
		rc = db_fail(db, mysql_stmt_errno(st), "bind", id);
		goto out;
	}
	while ((f = mysql_stmt_fetch(st)) == 0 || f == MYSQL_DATA_TRUNCATED) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			rs->cell = realloc(rs->cell, cap * ncol *
			    sizeof(*rs->cell));
			rs->len = realloc(rs->len, cap * ncol *
			    sizeof(*rs->len));
			if (rs->cell == NULL || rs->len == NULL)
				abort();
		}
		for (c = 0; c < ncol; c++) {
			char	**cell = &rs->cell[n * ncol + c];

			rs->len[n * ncol + c] = lens[c];
			if (nulls[c]) {
				*cell = NULL;
				continue;
			}
			*cell = arena_alloc(a, lens[c] + 1);
			if (lens[c] <= DB_CELL_INIT)
				memcpy(*cell, bufs[c], lens[c]);
			else {
				MYSQL_BIND	 one;

				memset(&one, 0, sizeof(one));
				one.buffer_type = MYSQL_TYPE_STRING;
				one.buffer = *cell;
				one.buffer_length = lens[c];
				if (mysql_stmt_fetch_column(st, &one,
				    (unsigned)c, 0)) {
					rc = DB_ERR;
					goto out;
				}
			}
			(*cell)[lens[c]] = '\0';
		}
		n++;
	}
	if (f != MYSQL_NO_DATA)
		rc = db_fail(db, mysql_stmt_errno(st), "fetch", id);
out:
	/* Move the row arrays into the arena so the caller frees nothing. */
	if (n > 0) {
		char	**cells = arena_alloc(a, n * ncol * sizeof(*cells));
		size_t	 *ls = arena_alloc(a, n * ncol * sizeof(*ls));

		memcpy(cells, rs->cell, n * ncol * sizeof(*cells));
		memcpy(ls, rs->len, n * ncol * sizeof(*ls));
		free(rs->cell);
		free(rs->len);
		rs->cell = cells;
		rs->len = ls;
	}
	rs->n = rc == DB_OK ? n : 0;
	for (c = 0; c < ncol; c++)
		free(bufs[c]);
	free(bufs);
	free(nulls);
	free(lens);
	free(b);
	return rc;
}

static int
db_fetch(struct db *db, MYSQL_STMT *st, unsigned int id, struct arena *a,
    struct db_rows *rs)
{
	int	rc = db_fetch_set(db, st, id, a, rs);

	if (db->my != NULL)
		mysql_stmt_free_result(st);
	return rc;
}

int
db_query(struct db *db, struct arena *a, enum stmt id,
    const struct db_val *p, size_t np, struct db_rows *rs)
{
	MYSQL_STMT	*st;
	int		 rc;

	memset(rs, 0, sizeof(*rs));
	if ((rc = db_run(db, id, p, np, &st)) != DB_OK)
		return rc;
	return db_fetch(db, st, id, a, rs);
}

int
db_view(struct db *db, struct arena *a, enum db_view v,
    const struct db_val *p, size_t np, struct db_rows *sets, size_t n)
{
	MYSQL_STMT	*st;
	unsigned int	 id = STMT__MAX + v;
	size_t		 i;
	int		 rc, more;

	memset(sets, 0, n * sizeof(*sets));
	if ((rc = db_run(db, id, p, np, &st)) != DB_OK)
		return rc;
	/* Every result set is read, then the CALL's own status. */
	for (i = 0, more = 0; i < n && more == 0; i++) {
		if ((rc = db_fetch_set(db, st, id, a, &sets[i])) != DB_OK)
			break;
		more = mysql_stmt_next_result(st);
	}
	while (more == 0)
		more = mysql_stmt_next_result(st);
	if (rc == DB_OK && (more > 0 || i < n))
		rc = more > 0 ? db_fail(db, mysql_stmt_errno(st), "result", id) :
		    DB_ERR;
	if (db->my != NULL)
		mysql_stmt_free_result(st);
	return rc;
}

int
db_views_make(struct db *db)
{
	unsigned int	v;
	int		rc;

	for (v = 0; v < VIEW__MAX; v++)
		if ((rc = db_exec_raw(db, view_make(v)->create)) != DB_OK)
			return rc;
	return DB_OK;
}

int
db_exec_raw(struct db *db, const char *sql)
{
	if (db->my == NULL && db_connect(db) != DB_OK)
		return DB_ERR;
	if (mysql_real_query(db->my, sql, strlen(sql))) {
		log_msg(LOG_ERR, "db: %s", mysql_error(db->my));
		return DB_ERR;
	}
	return DB_OK;
}

static int
db_plain(struct db *db, const char *sql)
{
	if (db->my == NULL && db_connect(db) != DB_OK)
		return DB_ERR;
	if (mysql_real_query(db->my, sql, strlen(sql)))
		return db_fail(db, mysql_errno(db->my), sql, DB_SLOTS);
	return DB_OK;
}

void
db_count(struct db *db, enum met m)
{
	if (!db->in_txn)
		metrics_count(m);
	else if (db->ncounts < DB_COUNT_MAX)
		db->counts[db->ncounts++] = m;
}

unsigned int
db_backoff_ms(int tries, uint32_t r)
{
	unsigned int	base = DB_BACKOFF_MS;

	while (tries-- > 1 && base < DB_BACKOFF_MAX_MS)
		base *= 2;
	if (base > DB_BACKOFF_MAX_MS)
		base = DB_BACKOFF_MAX_MS;
	return base / 2 + r % (base + 1);
}

/* Waits before try number tries + 1, unless that outlasts the turn. */
static void
db_pause(struct db *db, int tries)
{
	unsigned int	ms = db_backoff_ms(tries, arc4random());
	struct timespec	ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	if (db->turn_ms != 0 && db_now_ms() + ms - db->turn_ms >=
	    db->conf->db_timeout * 1000)
		return;		/* db_spent() ends it next anyway */
	nanosleep(&ts, NULL);
}

int
db_txn(struct db *db, int (*fn)(struct db *, void *), void *arg)
{
	size_t	i;
	int	rc = DB_ERR, tries;

	for (tries = 0; tries < DB_TXN_TRIES; tries++) {
		if (tries > 0) {
			metrics_count(MET_DB_TXN_RETRIES);
			db_pause(db, tries);
		}
		db->ncounts = 0;
		if ((rc = db_plain(db, "START TRANSACTION")) != DB_OK) {
			if (rc == DB_RETRY)
				continue;
			return rc;
		}
		db->in_txn = 1;
		rc = fn(db, arg);
		db->in_txn = 0;
		if (rc == DB_OK && db->my == NULL)
			rc = DB_RETRY;	/* the link went under fn: nothing kept */
		if (rc == DB_OK) {
			if ((rc = db_plain(db, "COMMIT")) == DB_OK) {
				for (i = 0; i < db->ncounts; i++)
					metrics_count(db->counts[i]);
				return DB_OK;
			}
			/*
			 * The link went during COMMIT: the server (or, in a
			 * cluster, the other nodes) may have committed it.
			 * Trying again could do it twice: 503 instead. A
			 * certification failure keeps the link: retried.
			 */
			if (rc == DB_RETRY && db->my == NULL) {
				log_msg(LOG_WARN, "db: the link was lost "
				    "during COMMIT: not retried, as it may "
				    "have committed");
				return DB_ERR;
			}
		}
		if (db->my != NULL)
			(void)db_plain(db, "ROLLBACK");
		if (rc != DB_RETRY)
			return rc;
		if (db_spent(db)) {
			tries++;
			break;	/* the turn has waited enough: 503 */
		}
	}
	log_msg(LOG_WARN, "db: transaction gave up after %d tries", tries);
	metrics_count(MET_DB_TXN_GAVE_UP);
	return DB_ERR;
}

int64_t
db_int(const struct db_rows *rs, size_t r, size_t c, int64_t dflt)
{
	int64_t	v;

	if (r >= rs->n || DB_CELL(rs, r, c) == NULL ||
	    parse_int64(DB_CELL(rs, r, c), INT64_MIN, INT64_MAX, &v) == -1)
		return dflt;
	return v;
}

const char *
db_stmt_name(enum stmt id)
{
	return slot_name(id);
}

int
db_explain(struct db *db, struct arena *a, enum stmt id,
    const struct db_val *p, size_t np, struct db_rows *rs)
{
	char		*sql = arena_printf(a, "EXPLAIN %s", stmt_sql[id]);
	MYSQL_STMT	*st;
	int		 rc = DB_ERR;

	memset(rs, 0, sizeof(*rs));
	if ((db->my == NULL && db_connect(db) != DB_OK) ||
	    (st = mysql_stmt_init(db->my)) == NULL)
		return DB_ERR;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) == 0 &&
	    (rc = db_execute(db, st, id, p, np)) == DB_OK)
		rc = db_fetch(db, st, id, a, rs);
	else if (rc == DB_ERR)
		log_msg(LOG_ERR, "explain %s: %s", db_stmt_name(id),
		    mysql_stmt_error(st));
	mysql_stmt_close(st);
	return rc;
}
