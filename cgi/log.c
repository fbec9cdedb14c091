/*
 * log.c: see log.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char	*log_prog = "staffdesk";
static int		 log_level = LOG_INFO;

void
log_init(const char *prog, int level)
{
	log_prog = prog;
	log_level = level;
}

void
log_msg(int level, const char *fmt, ...)
{
	static const char *const names[LOG__MAX] =
	    { "error", "warn", "info", "debug" };
	char		 line[1024], *p;
	struct tm	 tm;
	time_t		 t = time(NULL);
	va_list		 ap;
	int		 n;

	if (level > log_level || level < 0 || level >= LOG__MAX)
		return;
	gmtime_r(&t, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02dZ %s[%d] "
	    "%s: ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, log_prog, (int)getpid(), names[level]);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One line per event: no CR/LF from the arguments survives. */
	for (p = line; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(stderr, "%s\n", line);
}
