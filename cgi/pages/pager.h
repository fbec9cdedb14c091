/*
 * pager.h: keyset pages of the lists and of search: the after= or
 * before= cursor of a request, which rows to show, and the links to the
 * pages around (cursor.h encodes a row's place).
 */
#ifndef STAFFDESK_PAGER_H
#define STAFFDESK_PAGER_H

#include <stddef.h>

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

#endif
