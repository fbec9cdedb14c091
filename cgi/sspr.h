/*
 * sspr.h: the rules of self-service password reset (/reset,
 * pages/sspr.c), pure: who may use it, and which step a flow that has
 * passed a given step may take next. The flow's step lives in the
 * database (sspr_flows), never in the form.
 */
#ifndef STAFFDESK_SSPR_H
#define STAFFDESK_SSPR_H

#define SSPR_TTL_SECONDS	900	/* a flow lives 15 minutes */

/* What a flow has passed (sspr_flows.step). */
enum sspr_step {
	SSPR_NONE,	/* no flow */
	SSPR_NAMED,	/* step 1: the username of someone who may reset */
	SSPR_SENT,	/* step 2: a reset code was texted */
	SSPR_CODE_OK,	/* step 3: the texted code passed */
	SSPR_BOTH_OK,	/* and the authenticator app's code (role holders) */
	SSPR_WRITING,	/* the new password is on its way to the directory:
			   a second submit meanwhile is out of order */
	SSPR__MAX
};

/* What a visitor asks to do next. */
enum sspr_act {
	SSPR_SEND,	/* text a code (again) to the number picked */
	SSPR_CODE,	/* try the texted code */
	SSPR_TOTP,	/* try the app's code */
	SSPR_PASSWORD,	/* set the new password */
	SSPR_ACT__MAX
};

/* What step 1 knows of the person a username names. */
struct sspr_person {
	int	known;		/* the username exists */
	int	enabled;
	int	has_role;	/* holds any role: an administrator */
	int	has_totp;	/* a confirmed authenticator app */
	int	phones;		/* mobile and alternate mobile numbers */
};

/*
 * NULL when p may reset their password here (admins_on: the setting
 * sspr.admins); else the audit reason why not: "unknown_user",
 * "disabled", "no_phone", "role_holder" (sspr.admins off) or
 * "no_totp" (a role holder without the app: two methods are needed).
 */
const char	*sspr_refusal(const struct sspr_person *p, int admins_on);

/* 1 when a flow at step may do act for a person who (has_role) holds a role. */
int		 sspr_may(enum sspr_act act, enum sspr_step step, int has_role);

#endif
