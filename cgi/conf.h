/*
 * conf.h: the configuration file (README: Configuration), parsed once at
 * start-up. Unknown keys and bad values are errors naming file:line.
 */
#ifndef STAFFDESK_CONF_H
#define STAFFDESK_CONF_H

#define CONF_DEFAULT_PATH	"/etc/staffdesk/staffdesk.conf"
#define CONF_LINE_MAX		1024
#define CONF_KEY_BYTES		32
#define CONF_OTP_INFO		"staffdesk otp-hmac v1"	/* HKDF info */

enum log_level { LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG__MAX };

struct conf {
	char		*db_socket;
	char		*db_host;
	long		 db_port;
	char		*db_user;
	char		*db_password;
	char		*db_name;
	char		*listen;
	long		 socket_mode;
	long		 workers;
	long		 max_requests;
	char		*templates;
	char		*base_url;
	long		 cookie_secure;	/* -1: derived from base_url */
	char		*data_key_file;
	char		*sms_command;
	char		*sms_log;
	long		 log_level;
	unsigned char	 data_key[CONF_KEY_BYTES];	/* seals secrets */
	unsigned char	 otp_key[CONF_KEY_BYTES];	/* HMACs one-time
							   codes: HKDF of
							   data_key */
};

/*
 * Parses text as the file fname into c (defaults first), then reads the
 * data key. Returns 0, or -1 with "file:line: reason" in err.
 */
int	 conf_parse(struct conf *c, const char *text, const char *fname,
	    char *err, size_t errsz);
/* Reads and parses the file at path (or STAFFDESK_CONF, or the default). */
int	 conf_load(struct conf *c, const char *path, char *err, size_t errsz);
/* The path conf_load uses when given NULL. */
const char *conf_path(void);
void	 conf_free(struct conf *);

#endif
