/*
 * tpl.h: the C face of ctemplate. Every template starts with
 * {{%AUTOESCAPE context="HTML"}}, so every value set here is escaped
 * for where it lands; there is no unescaped setter.
 */
#ifndef STAFFDESK_TPL_H
#define STAFFDESK_TPL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tpl;

/*
 * The folder templates are read from; also registers x-otpauth-url
 * (tpl.cc), the one modifier of staffdesk's own. Call once per worker,
 * before any template loads.
 */
void		 tpl_root(const char *dir);
/* Loads (and so checks) a template now; 0 or -1. */
int		 tpl_load(const char *file);

struct tpl	*tpl_new(void);
void		 tpl_free(struct tpl *);	/* only what tpl_new returned */
void		 tpl_set(struct tpl *, const char *key, const char *value);
/* A value seen by t's template and every section and include of it. */
void		 tpl_set_global(struct tpl *, const char *key, const char *value);
void		 tpl_set_int(struct tpl *, const char *key, long long);
void		 tpl_show(struct tpl *, const char *section);
/* Shows a section in t's template and every section and include of it. */
void		 tpl_show_global(struct tpl *, const char *section);
/* A new repetition of a section; it belongs to the parent. */
struct tpl	*tpl_section(struct tpl *, const char *section);
/* The dictionary of an {{>include}} rendered from file. */
struct tpl	*tpl_include(struct tpl *, const char *name, const char *file);
/*
 * Expands file with t into a malloc'd string (*out, *len): 0, or -1
 * when the template is missing or broken.
 */
int		 tpl_expand(const char *file, struct tpl *, char **out,
		    size_t *len);

#ifdef __cplusplus
}
#endif

#endif
