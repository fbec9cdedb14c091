/*
 * observe.c: GET /metrics, the counters of metrics.h for a Prometheus
 * scraper.
 */
#include "cidr.h"
#include "conf.h"
#include "http.h"
#include "metrics.h"
#include "pages/pages.h"
#include "route.h"

/*
 * GET /metrics: 200 with the exposition (text format 0.0.4) to a client
 * whose address is in metrics_allow, else 403. The site's nginx refuses
 * other networks too; the app does not count on it (another front end,
 * a direct connection to the socket). A refusal is an answer, not an
 * error: its log line is at level info.
 */
void
page_metrics(struct req *r)
{
	struct metrics	 *m;
	const char	**routes;
	const char	 *text;
	size_t		  i, n = route_count(), len;

	if (!cidr_list_has(r->conf->metrics_allow, r->ip)) {
		http_text(r, 403, "The metrics are served only to the "
		    "networks in metrics_allow.\n");
		return;
	}
	m = arena_alloc(&r->arena, sizeof(*m));
	metrics_snapshot(m);
	routes = arena_alloc(&r->arena, n * sizeof(*routes));
	for (i = 0; i < n; i++)
		routes[i] = route_pattern(i);
	text = metrics_format(&r->arena, m, routes, n, &len);
	http_send(r, 200, "text/plain; version=0.0.4; charset=utf-8", text,
	    len, NULL);
}
