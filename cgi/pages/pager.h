/*
 * pager.h: keyset pages of the lists and of search: the after= or
 * before= cursor of a request, which rows to show, and the links to the
 * pages around (cursor.h encodes a row's place).
 */
#ifndef STAFFDESK_PAGER_H
#define STAFFDESK_PAGER_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

#define LIST_PAGE	50	/* rows a page; a query asks one more */
#define MIN_UUID	"00000000-0000-0000-0000-000000000000"

struct req;
struct tpl;

/* Where a row of a keyset page stands: its sort texts and its id. */
struct row_key {
	const char	*keys[CURSOR_KEYS_MAX];
	const char	*id;
};

/*
 * The after/before cursor of the request, of nkeys sort keys (all ""
 * and the lowest id on the first page): 0, or 400 after its page.
 * *back: the page runs backwards (before=).
 */
int	 page_cursor(struct req *, const char **keys, size_t nkeys,
	    const char **id, int *back);
/* The same without the page: NULL, or why the link is refused. */
const char *page_cursor_read(struct req *, const char **keys, size_t nkeys,
	    const char **id, int *back);
/*
 * The rows of a keyset page to show: nrows came back for LIST_PAGE + 1
 * asked, in reverse order when back. Fills order[] with the rows to
 * show, in display order; returns how many.
 */
size_t	 page_order(size_t nrows, int back, size_t *order);
/*
 * Sets the NEXT and PREV links (or FIRST, for search) of a page that
 * shows n of nrows rows, first and last being the keys of the first and
 * the last row shown; base ends in '?' or '&'.
 */
void	 page_links(struct req *, struct tpl *, const char *base,
	    size_t nrows, size_t n, size_t nkeys, int back,
	    const struct row_key *first, const struct row_key *last);

/*
 * Keyset pages of rows numbered by an id that only grows (the audit
 * log), newest first, per rows a page: ?before=ID shows the rows older
 * than ID (the next page), ?after=ID the ones newer (the previous
 * page). Rows that arrive while someone pages sit above the first page
 * and never shift one: no row is shown twice or skipped.
 *
 * page_id_cursor: the id to start from (INT64_MAX on the first page)
 * and *back (1: after=, the rows come oldest first): 0, or 400 after
 * its page when both are sent.
 */
int	 page_id_cursor(struct req *, int64_t *edge, int *back);
/*
 * Sets NEXT (before=), PREV (after=) and FIRST (the newest page, on
 * any page reached by a link) of a page that shows n of nrows rows
 * fetched for per + 1 asked; first and last are the ids of the first
 * and the last row shown; base ends in '?' or '&'.
 */
void	 page_id_links(struct req *, struct tpl *, const char *base,
	    size_t per, size_t nrows, size_t n, int back, int64_t first,
	    int64_t last);

#endif
