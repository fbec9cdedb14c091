/*
 * cli.h: bin/staffdesk-admin (run without arguments, it lists its
 * commands). Ids on stdout, errors on stderr; exit 0 done, 1 failed,
 * 2 usage. Each command that changes something is one transaction with
 * its cli.* audit row.
 */
#ifndef STAFFDESK_CLI_H
#define STAFFDESK_CLI_H

#include <stddef.h>

#include "util.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

#define OPT_MAX		12

struct conf;
struct db;

/* Options of one command: --name value (or a flag). */
struct opts {
	const char	*name[OPT_MAX];
	const char	*value[OPT_MAX];
	size_t		 n;
};

struct cli {
	const struct conf	*conf;
	struct db		*db;
	struct arena		 arena;
	const char		*os_user;
};

/*
 * A command: returns an exit code; args are the words after its name
 * that are not options; arg tells twin commands apart (enable/disable).
 */
struct cli_cmd {
	const char	*word1, *word2;
	const char	*usage;
	const char	*flags;		/* "--temporary --password-stdin" */
	int		(*run)(struct cli *, const struct opts *,
			    const char *const *args, int nargs, int arg);
	int		 arg;
};

const char	*opt(const struct opts *, const char *name);
int		 fail(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
/* Writes the cli.<action> audit row (inside the caller's transaction). */
int		 cli_audit(struct cli *, struct db *, const char *action,
		    const char *target_id, const char *target_name,
		    const char *details);
/* Migrations (migrate.c). */
int		 cli_migrate(struct cli *, const struct opts *,
		    const char *const *, int, int);
/* Rebuilds the search word table (migrate.c). */
int		 cli_reindex(struct cli *, const struct opts *,
		    const char *const *, int, int);
/* EXPLAIN of the My Staff statements (explain.c). */
int		 cli_explain(struct cli *, const struct opts *,
		    const char *const *, int, int);
/* The demo organisation (demo.c). */
int		 cli_demo(struct cli *, const struct opts *,
		    const char *const *, int, int);

#endif
