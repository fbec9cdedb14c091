/*
 * sms.c: see sms.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "sms.h"

#define SMS_COMMAND_SECONDS	10

/* Appends "NUMBER<TAB>MESSAGE\n" (message on one line) in one write. */
static int
sms_log(const char *path, const char *number, const char *text)
{
	char	line[SMS_MAX + 64], *p;
	int	fd, n;

	n = snprintf(line, sizeof(line), "%s\t%s\n", number, text);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	for (p = line + strlen(number) + 1; p < line + n - 1; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1) {
		log_msg(LOG_ERR, "sms_log %s: %s", path, strerror(errno));
		return -1;
	}
	if (write(fd, line, (size_t)n) != n) {
		log_msg(LOG_ERR, "sms_log %s: short write", path);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Runs cmd NUMBER with the text on stdin; 0 when it exits 0 in time. */
static int
sms_command(const char *cmd, const char *number, const char *text)
{
	int	fds[2], status, waited;
	pid_t	pid;
	size_t	len = strlen(text);

	if (pipe(fds) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		/* Not the worker's database and FastCGI connections. */
		closefrom(STDERR_FILENO + 1);
		execl(cmd, cmd, number, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	if (write(fds[1], text, len) != (ssize_t)len)
		log_msg(LOG_WARN, "sms_command: could not write the message");
	close(fds[1]);
	for (waited = 0; waited < SMS_COMMAND_SECONDS * 10; waited++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) && WEXITSTATUS(status) == 0 ?
			    0 : -1;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	log_msg(LOG_WARN, "sms_command took longer than %d s; killed",
	    SMS_COMMAND_SECONDS);
	return -1;
}

int
sms_deliver(const struct conf *c, const char *number, const char *text)
{
	if (strlen(text) > SMS_MAX)
		return -1;
	if (c->sms_command != NULL)
		return sms_command(c->sms_command, number, text);
	if (c->sms_log != NULL)
		return sms_log(c->sms_log, number, text);
	log_msg(LOG_WARN, "no sms_command or sms_log configured");
	return -1;
}
