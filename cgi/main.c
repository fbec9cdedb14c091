/*
 * main.c: bin/staffdesk.fcgi, a prefork FastCGI master. The master
 * reads the config, binds the socket, forks the workers and keeps
 * their number up; each worker is single-threaded
 * and owns one MariaDB connection opened after fork().
 *
 * Signals: SIGTERM/SIGINT stop the workers and remove the socket;
 * SIGHUP re-reads the config and replaces the workers (new templates)
 * while the listening socket, and so every queued connection, stays.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/crypto.h>

#include "admit.h"
#include "auth/password.h"
#include "conf.h"
#include "db/db.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "pages/pages.h"
#include "route.h"
#include "session.h"
#include "sms.h"
#include "tpl.h"

#define HASH_IDLE_MS	200	/* idle, a worker gives argon2's memory back */

/* The queue nginx's connections wait in: at 256, a burst of 2,000
 * sign-ins had 1,356 connect()s refused (EAGAIN), each a 502. The
 * kernel caps it at net.core.somaxconn (4096 since Linux 5.4). */
#define LISTEN_BACKLOG	SOMAXCONN
#define WORKERS_MAX	256
#define RESPAWN_PAUSE	1	/* seconds between respawns of a crashing worker */
#define LOG_METHOD_MAX	16	/* bytes of a logged method */
#define LOG_ADDR_MAX	64	/* ... of an address (IPv6: 45) */
static volatile sig_atomic_t	got_term, got_hup, got_chld;
static sigset_t			unblocked;	/* the mask before main blocked */
/* A worker's listening socket, and /dev/null to put in its place. */
static int			worker_fd = -1, worker_null = -1;

static void
on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

/*
 * A worker's SIGTERM. Inside accept() it interrupts the call (no
 * SA_RESTART); just before it, the flag alone would be missed and the
 * worker would wait for one more request (after a SIGHUP, served with
 * the old config). Putting /dev/null in place of the socket makes that
 * accept() fail at once. During a request, the worker stops after it.
 */
static void
on_worker_term(int sig)
{
	(void)sig;
	got_term = 1;
	if (worker_fd != -1 && worker_null != -1)
		(void)dup2(worker_null, worker_fd);
}

static void
catch(int sig, void (*handler)(int), int restart)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = restart ? SA_RESTART : 0;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* A request parameter, or "" when nginx did not pass it. */
static const char *
param(FCGX_Request *fr, const char *name)
{
	const char	*v = FCGX_GetParam(name, fr->envp);

	return v != NULL ? v : "";
}

/* The User-Agent, cut at HTTP_UA_MAX bytes on a character boundary. */
static const char *
user_agent(struct req *r, const char *ua)
{
	size_t	n = strlen(ua);

	if (n > HTTP_UA_MAX) {
		n = HTTP_UA_MAX;
		while (n > 0 && ((unsigned char)ua[n] & 0xc0) == 0x80)
			n--;
	}
	if (!utf8_text_valid(ua, n, 0))
		return "(unreadable)";
	return arena_strndup(&r->arena, ua, n);
}

/*
 * An answer given before the dispatcher runs (a bad cookie, body or
 * length): the route is looked up all the same, so that the log line
 * and /metrics name it.
 */
static void
refuse(struct req *r, const char *path, int status, const char *why)
{
	(void)route_find(r, path);
	page_error(r, status, why);
}

/*
 * Answers the request. Returns 1 when it came with a body left unread
 * (an answer given before it was read), 0 otherwise.
 */
static int
serve(struct req *r, FCGX_Request *fr)
{
	const char	*method = param(fr, "REQUEST_METHOD");
	const char	*path = param(fr, "DOCUMENT_URI");
	const char	*cookies = param(fr, "HTTP_COOKIE"), *why = NULL;
	const char	*clen = param(fr, "CONTENT_LENGTH");
	char		*body = NULL;
	int64_t		 len = 0;
	int		 n, got = 0, unread = strcmp(clen, "") != 0 &&
			    strcmp(clen, "0") != 0;

	r->out = fr->out;
	r->ip = param(fr, "REMOTE_ADDR");
	r->ua = user_agent(r, param(fr, "HTTP_USER_AGENT"));
	if (*path == '\0')
		path = param(fr, "SCRIPT_NAME");
	if (strlen(path) > HTTP_PATH_MAX || !utf8_text_valid(path,
	    strlen(path), 0)) {
		page_error(r, 400, "The address is too long or malformed.");
		return unread;
	}
	if (http_parse_cookies(r, cookies, sess_cookie_names(
	    r->conf->cookie_secure), &why) != 0) {
		refuse(r, path, 400, why);
		return unread;
	}
	if (*clen != '\0' && parse_int64(clen, 0, INT64_MAX, &len) == -1) {
		refuse(r, path, 400, "The Content-Length header is malformed.");
		return unread;
	}
	if (len > HTTP_BODY_MAX) {
		refuse(r, path, 413, "The form sent is too large.");
		return unread;
	}
	if (len > 0) {
		body = arena_alloc(&r->arena, (size_t)len + 1);
		while (got < len && (n = FCGX_GetStr(body + got,
		    (int)(len - got), fr->in)) > 0)
			got += n;
		if (got != len) {
			refuse(r, path, 400, "The request body ended early.");
			return 0;	/* nothing more will come */
		}
		body[len] = '\0';
	}
	route_dispatch(r, method, path, param(fr, "QUERY_STRING"),
	    FCGX_GetParam("CONTENT_TYPE", fr->envp), body, (size_t)len);
	return 0;
}

/*
 * Ends a request whose streamed body was cut short (http_stream_cut) so
 * that the client cannot take it for a whole one. A plain close would
 * not do: with fastcgi_keep_conn off, nginx reads the end of the
 * connection as the end of the answer and ends the chunked body
 * cleanly. A record of FastCGI version 0 (there is none) makes nginx
 * give up on the upstream, and with the head already sent it breaks off
 * the client's connection: curl says "transfer closed with outstanding
 * read data remaining", a browser that the download failed.
 */
static void
drop(FCGX_Request *fr)
{
	static const unsigned char	not_fastcgi[8];	/* version 0 */

	(void)FCGX_FFlush(fr->out);
	if (write(fr->ipcFd, not_fastcgi, sizeof(not_fastcgi)) == -1)
		log_msg(LOG_WARN, "dropping a cut answer: %s", strerror(errno));
	FCGX_Free(fr, 1);
}

/* Loads every page template of c into this process: 0, or -1 (logged). */
static int
load_templates(const struct conf *c)
{
	size_t	i;

	tpl_root(c->templates);
	for (i = 0; page_templates[i] != NULL; i++)
		if (tpl_load(page_templates[i]) == -1) {
			log_msg(LOG_ERR, "template %s/%s cannot be loaded",
			    c->templates, page_templates[i]);
			return -1;
		}
	return 0;
}

/*
 * 0 when c's templates all load, else -1 (logged). Tried in a child, so
 * the master's template cache stays empty and every worker reads the
 * files itself: a reload must not stop working workers for ones that
 * cannot start.
 */
static int
templates_ok(const struct conf *c)
{
	pid_t	pid;
	int	status;

	if ((pid = fork()) == -1) {
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		_exit(load_templates(c) == 0 ? 0 : 2);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/*
 * The request's id: nginx's $request_id (the REQUEST_ID parameter, 32
 * lower-case hex digits) when it passed one, so that nginx's own logs
 * can carry the same id; else one of our own from the RNG. It goes out
 * as X-Request-Id, into every log line of the request and into the
 * details of its audit rows.
 */
static void
request_id(struct req *r, const char *given)
{
	unsigned char	raw[LOG_ID_LEN / 2];
	size_t		n;

	n = given != NULL ? strspn(given, "0123456789abcdef") : 0;
	if (n == LOG_ID_LEN && given[n] == '\0') {
		memcpy(r->request_id, given, LOG_ID_LEN + 1);
		return;
	}
	random_bytes(raw, sizeof(raw));
	hex_encode(raw, sizeof(raw), r->request_id);
}

static int64_t
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * The request's line (log.h): the route's pattern, never the path asked
 * for, so a person's id is not in it and clients cannot grow the set of
 * values. A 500 is an error, a 503 (the database) a warning, any other
 * answer, refusals included, info.
 */
static void
log_request(const struct req *r, const char *method, const char *ip,
    int64_t us)
{
	struct log_line	l;
	int		level = r->status == 503 ? LOG_WARN :
			    r->status >= 500 ? LOG_ERR : LOG_INFO;

	if (!log_enabled(level))
		return;
	log_begin(&l, level);
	log_kv(&l, "method", method);
	log_kv(&l, "route", route_label(r->route));
	log_kv_int(&l, "status", r->status);
	log_kv_int(&l, "duration_us", (long long)us);
	log_kv(&l, "ip", ip);
	if (r->cut)
		log_kv(&l, "stream", "cut");
	log_end(&l);
}

/*
 * How long a request waited before this worker took it, in ms: now less
 * when nginx passed it on (REQUEST_START, its $msec: seconds with three
 * decimals); -1 when not said or not a time (admit.h).
 */
static int64_t
queue_wait_ms(const char *start)
{
	struct timespec	ts;
	long long	sec;
	int		ms, end = 0;
	int64_t		now, then;

	if (start == NULL || sscanf(start, "%lld.%3d%n", &sec, &ms,
	    &end) != 2 || start[end] != '\0' || sec <= 0 || sec > 1LL << 40 ||
	    ms < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	then = (int64_t)sec * 1000 + ms;
	return now > then ? now - then : 0;
}

/*
 * argon2id's PW_ARGON2_M_KIB (19 MiB) stay in a worker's heap once
 * freed: glibc keeps what was freed at its top. A worker that holds them
 * gives them back after a request that hashed nothing, or once idle
 * (hash_memory_idle): a burst of sign-ins keeps them, as faulting 19 MiB
 * in again costs more than the hash (here 43 hashes/s kept, 11.5 given
 * back after each), and a worker serving pages, or idle, holds only its
 * own memory. *hashes: pw_spent()'s count at the last request.
 */
static void
hash_memory_give(int *held)
{
	(void)malloc_trim(0);
	*held = 0;
}

static void
hash_memory_after(uint64_t *hashes, int *held)
{
	uint64_t	n, ns;

	pw_spent(&n, &ns);
	if (n != *hashes)
		*held = 1;
	else if (*held)
		hash_memory_give(held);
	*hashes = n;
}

/*
 * Before a worker waits for its next request: one that still holds
 * argon2id's memory (a burst of sign-ins just ended) gives it back once
 * nothing has come for HASH_IDLE_MS.
 */
static void
hash_memory_idle(int fd, int *held)
{
	struct pollfd	p = { .fd = fd, .events = POLLIN };

	if (*held && poll(&p, 1, HASH_IDLE_MS) == 0)
		hash_memory_give(held);
}

/* The worker: never returns. */
static void
worker(const struct conf *c, int fd)
{
	FCGX_Request	 fr;
	struct req	 r;
	long		 served = 0;
	struct db	*db;
	char		 method[LOG_METHOD_MAX], ip[LOG_ADDR_MAX];
	int64_t		 t0, us;
	uint64_t	 hashes = 0;
	int		 unread, held = 0;

	signal(SIGHUP, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	if ((worker_null = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		_exit(2);
	worker_fd = fd;
	catch(SIGTERM, on_worker_term, 0);	/* no SA_RESTART: accept() returns EINTR */
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
	if (load_templates(c) == -1 || page_signin_init() == -1)
		_exit(2);
	db = db_open(c, (unsigned int)c->db_timeout);
	if (FCGX_InitRequest(&fr, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		_exit(2);
	admit_worker(fd);
	for (;;) {
		hash_memory_idle(fd, &held);
		if (got_term || FCGX_Accept_r(&fr) < 0)
			break;
		t0 = mono_us();
		memset(&r, 0, sizeof(r));
		r.conf = c;
		r.db = db;
		request_id(&r, FCGX_GetParam("REQUEST_ID", fr.envp));
		r.waited_ms = queue_wait_ms(FCGX_GetParam("REQUEST_START",
		    fr.envp));
		log_request_id(r.request_id);
		/* The parameters go with the request: kept for its line. */
		(void)snprintf(method, sizeof(method), "%s",
		    param(&fr, "REQUEST_METHOD"));
		(void)snprintf(ip, sizeof(ip), "%s", param(&fr, "REMOTE_ADDR"));
		db_turn(db);
		unread = serve(&r, &fr);
		admit_done();
		/*
		 * libfcgi closes by reading what nginx still sends until it
		 * closes too (up to 2 s): the worker waits on nginx's event
		 * loop after every answer. The answer is in nginx's queue
		 * already (a unix socket), so a plain close loses nothing
		 * and, in a flood of sign-ins, answered 25% more requests a
		 * second; only a body left unread, which nginx may still be
		 * writing, wants libfcgi's close.
		 */
		if (!unread)
			(void)FCGX_Detach(&fr);
		if (r.cut)
			drop(&fr);
		else
			FCGX_Finish_r(&fr);
		us = mono_us() - t0;
		metrics_request(route_index(r.route), r.status, us);
		log_request(&r, method, ip, us);
		/* A text whose page was answered without waiting for it. */
		if (r.sms_after != 0)
			(void)sms_send(db, c, r.sms_after);
		log_request_id(NULL);
		arena_reset(&r.arena);
		hash_memory_after(&hashes, &held);
		if (c->max_requests > 0 && ++served >= c->max_requests)
			break;
	}
	db_close(db);
	_exit(0);
}

static pid_t
spawn(const struct conf *c, int fd)
{
	pid_t	pid = fork();

	if (pid == 0)
		worker(c, fd);
	if (pid == -1)
		log_msg(LOG_ERR, "fork: %s", strerror(errno));
	else
		metrics_workers(1);
	return pid;
}

static void
stop_all(pid_t *pids, long n)
{
	long	i;

	for (i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
}

static int
bind_socket(const struct conf *c)
{
	int	fd;

	(void)unlink(c->listen);
	if ((fd = FCGX_OpenSocket(c->listen, LISTEN_BACKLOG)) < 0) {
		log_msg(LOG_ERR, "cannot listen on %s", c->listen);
		return -1;
	}
	if (chmod(c->listen, (mode_t)c->socket_mode) == -1) {
		log_msg(LOG_ERR, "chmod %s: %s", c->listen, strerror(errno));
		close(fd);
		return -1;
	}
	(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

static void
usage(void)
{
	fputs("usage: staffdesk.fcgi [--check] [-c staffdesk.conf]\n", stderr);
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct conf	 c, next;
	const char	*path = NULL;
	char		 err[512];
	pid_t		 pids[WORKERS_MAX], pid;
	sigset_t	 block;
	long		 i, nworkers;
	int		 check = 0, fd, status;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0)
			check = 1;
		else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			path = argv[++i];
		else
			usage();
	}
	if (conf_load(&c, path, err, sizeof(err)) == -1) {
		fprintf(stderr, "staffdesk.fcgi: %s\n", err);
		conf_free(&c);
		return 1;
	}
	log_init("staffdesk.fcgi", (int)c.log_level);
	if (templates_ok(&c) == -1) {
		fprintf(stderr, "staffdesk.fcgi: %s: the templates in %s do "
		    "not load\n", path ? path : conf_path(), c.templates);
		conf_free(&c);
		return 1;
	}
	if (pw_policy_ready() != 0) {
		fprintf(stderr, "staffdesk.fcgi: the password policy refuses "
		    "every password: is cracklib's dictionary installed "
		    "(Debian package cracklib-runtime)?\n");
		conf_free(&c);
		return 1;
	}
	if (c.sms_log != NULL)
		log_msg(LOG_WARN, "sms_log is set: every text, codes and "
		    "temporary passwords included, is kept in clear in %s; "
		    "use it for tests and demos, sms_command in production",
		    c.sms_log);
	if (check) {
		printf("%s: ok\n", path ? path : conf_path());
		conf_free(&c);
		return 0;
	}
	if (FCGX_Init() != 0 || (fd = bind_socket(&c)) == -1 ||
	    admit_init(c.workers) == -1)
		return 1;
	/* Before any fork: every worker shares the counters. */
	(void)metrics_map();
	signal(SIGPIPE, SIG_IGN);
	catch(SIGTERM, on_signal, 1);
	catch(SIGINT, on_signal, 1);
	catch(SIGHUP, on_signal, 1);
	catch(SIGCHLD, on_signal, 1);
	/* Signals arrive only inside sigsuspend(): no wake-up is lost. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	nworkers = c.workers;
	for (i = 0; i < nworkers; i++)
		pids[i] = spawn(&c, fd);
	log_msg(LOG_INFO, "listening on %s with %ld workers", c.listen,
	    nworkers);
	while (!got_term) {
		if (!got_hup && !got_chld)
			sigsuspend(&unblocked);
		if (got_hup) {
			got_hup = 0;
			if (conf_load(&next, path, err, sizeof(err)) == -1) {
				log_msg(LOG_ERR, "reload refused: %s", err);
				conf_free(&next);
			} else if (templates_ok(&next) == -1) {
				log_msg(LOG_ERR, "reload refused: the templates "
				    "in %s do not load", next.templates);
				conf_free(&next);
			} else {
				/* Old workers finish their request; new ones
				 * take the queue from the same socket. */
				stop_all(pids, nworkers);
				conf_free(&c);
				c = next;
				nworkers = c.workers;
				admit_workers(nworkers);
				for (i = 0; i < nworkers; i++)
					pids[i] = spawn(&c, fd);
				log_msg(LOG_INFO, "reloaded: %ld workers",
				    nworkers);
			}
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			metrics_workers(-1);
			admit_reap(pid);
			for (i = 0; i < nworkers; i++)
				if (pids[i] == pid)
					break;
			if (i == nworkers || got_term)
				continue;	/* an old generation's */
			if (WIFSIGNALED(status)) {
				log_msg(LOG_WARN, "worker %d died of signal %d",
				    (int)pid, WTERMSIG(status));
				metrics_count(MET_RESTART_SIGNAL);
			} else if (WEXITSTATUS(status) != 0) {
				log_msg(LOG_WARN, "worker %d exited %d",
				    (int)pid, WEXITSTATUS(status));
				metrics_count(MET_RESTART_EXIT);
				sleep(RESPAWN_PAUSE);
			} else
				metrics_count(MET_RESTART_RECYCLED);
			pids[i] = spawn(&c, fd);
		}
		got_chld = 0;
	}
	stop_all(pids, nworkers);
	sigprocmask(SIG_SETMASK, &unblocked, NULL);
	while (wait(NULL) > 0 || errno == EINTR)
		continue;
	(void)unlink(c.listen);
	close(fd);
	log_msg(LOG_INFO, "stopped");
	conf_free(&c);
	return 0;
}
