/*
 * qr.h: a QR code (libqrencode) as SVG path data, so the enrolment page
 * draws it inline: no JavaScript, no image request.
 */
#ifndef STAFFDESK_QR_H
#define STAFFDESK_QR_H

struct arena;

#define QR_QUIET	4	/* modules of white border, ISO 18004 */

/*
 * Path data ("M4 4h3v1h-3z...") of the dark modules of text, and the
 * side of the square in modules (border included) in *size; NULL when
 * text cannot be encoded.
 */
char	*qr_svg_path(struct arena *, const char *text, int *size);

#endif
