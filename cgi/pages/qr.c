/*
 * qr.c: see qr.h.
 */
#include <stdio.h>
#include <string.h>

#include <qrencode.h>

#include "pages/qr.h"
#include "util.h"

#define QR_RUN_MAX	32	/* bytes of one "Mx yhnv1h-nz" */

char *
qr_svg_path(struct arena *a, const char *text, int *size)
{
	QRcode	*q;
	char	*out;
	size_t	 o = 0, cap;
	int	 x, y, run, n;

	if ((q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL)
		return NULL;
	cap = (size_t)q->width * (size_t)q->width * QR_RUN_MAX / 2 + 1;
	out = arena_alloc(a, cap);
	out[0] = '\0';
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x += run > 0 ? run : 1) {
			for (run = 0; x + run < q->width &&
			    (q->data[y * q->width + x + run] & 1); run++)
				continue;
			if (run == 0)
				continue;
			n = snprintf(out + o, cap - o, "M%d %dh%dv1h-%dz",
			    x + QR_QUIET, y + QR_QUIET, run, run);
			if (n < 0 || (size_t)n >= cap - o) {
				QRcode_free(q);
				return NULL;
			}
			o += (size_t)n;
		}
	*size = q->width + 2 * QR_QUIET;
	QRcode_free(q);
	return out;
}
