/*
 * pager.c: see pager.h (the contracts are there).
 */
#include <string.h>

#include "cursor.h"
#include "http.h"
#include "keys.h"
#include "pages/pager.h"
#include "pages/pages.h"
#include "tpl.h"

const char *
page_cursor_read(struct req *r, const char **keys, size_t nkeys,
    const char **id, int *back)
{
	const char	*c = r->in[K_AFTER].text;
	size_t		 i;

	*back = 0;
	for (i = 0; i < nkeys; i++)
		keys[i] = "";
	*id = MIN_UUID;
	if (r->in[K_AFTER].text != NULL && r->in[K_BEFORE].text != NULL)
		return "A page link cannot go both ways.";
	if (r->in[K_BEFORE].text != NULL) {
		c = r->in[K_BEFORE].text;
		*back = 1;
	}
	if (c != NULL && cursor_decode(&r->arena, c, keys, nkeys, id) == -1)
		return "This page link is damaged. Go back to the first page "
		    "and try again.";
	return NULL;
}

int
page_cursor(struct req *r, const char **keys, size_t nkeys, const char **id,
    int *back)
{
	const char	*why = page_cursor_read(r, keys, nkeys, id, back);

	if (why == NULL)
		return 0;
	page_error(r, 400, why);
	return r->status;
}

/* The cursor of a row: its sort keys (nkeys of them) and its id. */
static char *
row_cursor(struct req *r, const struct row_key *k, size_t nkeys)
{
	return cursor_encode(&r->arena, k->keys, nkeys, k->id);
}

size_t
page_order(size_t nrows, int back, size_t *order)
{
	size_t	n = nrows > LIST_PAGE ? LIST_PAGE : nrows, i;

	for (i = 0; i < n; i++)
		order[i] = back ? n - 1 - i : i;
	return n;
}

void
page_links(struct req *r, struct tpl *t, const char *base, size_t nrows,
    size_t n, size_t nkeys, int back, const struct row_key *first,
    const struct row_key *last)
{
	int	more = nrows > LIST_PAGE, paged = r->in[K_AFTER].text != NULL;

	if (n == 0)
		return;
	if (nkeys > 1 && paged) {
		/* Search pages go forward only: back is to the first page. */
		tpl_show(t, "FIRST");
		tpl_set(t, "FIRST_URL", arena_strndup(&r->arena, base,
		    strlen(base) - 1));
	} else if ((back && more) || (!back && paged)) {
		tpl_show(t, "PREV");
		tpl_set(t, "PREV_URL", arena_printf(&r->arena, "%sbefore=%s",
		    base, row_cursor(r, first, nkeys)));
	}
	if (back || more) {
		tpl_show(t, "NEXT");
		tpl_set(t, "NEXT_URL", arena_printf(&r->arena, "%safter=%s",
		    base, row_cursor(r, last, nkeys)));
	}
}

int
page_id_cursor(struct req *r, int64_t *edge, int *back)
{
	*back = 0;
	*edge = INT64_MAX;
	if (r->in[K_AUDIT_BEFORE].text != NULL &&
	    r->in[K_AUDIT_AFTER].text != NULL) {
		page_error(r, 400, "A page link cannot go both ways.");
		return r->status;
	}
	if (r->in[K_AUDIT_AFTER].text != NULL) {
		*edge = r->in[K_AUDIT_AFTER].i;
		*back = 1;
	} else if (r->in[K_AUDIT_BEFORE].text != NULL)
		*edge = r->in[K_AUDIT_BEFORE].i;
	return 0;
}

void
page_id_links(struct req *r, struct tpl *t, const char *base, size_t per,
    size_t nrows, size_t n, int back, int64_t first, int64_t last)
{
	int	more = nrows > per, paged = r->in[K_AUDIT_BEFORE].text != NULL;

	if (paged || back) {
		tpl_show(t, "FIRST");
		tpl_set(t, "FIRST_URL", arena_strndup(&r->arena, base,
		    strlen(base) - 1));
	}
	if (n == 0)
		return;
	if ((back && more) || (!back && paged)) {
		tpl_show(t, "PREV");
		tpl_set(t, "PREV_URL", arena_printf(&r->arena, "%safter=%lld",
		    base, (long long)first));
	}
	if (back || more) {
		tpl_show(t, "NEXT");
		tpl_set(t, "NEXT_URL", arena_printf(&r->arena, "%sbefore=%lld",
		    base, (long long)last));
	}
}
