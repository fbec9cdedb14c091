# stmts-gen.awk: the typed face of cgi/db/stmts.h. Each statement there
# declares its parameters and its columns by name:
#
#   COLS(person, id, name, upn, phones:int)      a group of columns
#   STMT(Q_USER_BY_UPN, IN(upn), OUT(id, display_name), "SELECT ...")
#   STMT(Q_SEARCH_ADD, IN(kind, rows[SEARCH_ROWS](ref, name, word)), OUT(), ...)
#   STMT(Q_UNITS_BEFORE, IN(=Q_UNITS_AFTER), OUT(=Q_UNITS_AFTER), ...)
#
#   VIEW(V_UNIT, Q_SESS_LOAD, Q_SESS_ROLES, Q_MEMBERS_AFTER)
#
# A column is text (char *, NULL for SQL NULL), name:int (int64_t,
# 0 for NULL), name:bytes (char * and name_len) or name:GROUP (a
# struct of a COLS group, so one reader serves several statements). A
# parameter is a struct db_val; name[N](a, b) is N rows of them. A
# parameter's SQL type, which only a view's procedure declares (db.c),
# is text (utf8mb4, the tables' collation) unless it says name:ascii
# (compared with an ascii_bin column: as text, the column would be
# converted and its index not used) or name:int.
# IN(=Q_OTHER) and OUT(=Q_OTHER) take another statement's parameters or
# columns and their types, so one C path can run either (the two
# directions of a keyset page).
#
# For each statement this writes (with -v part=h) the types
#   struct q_name_in    { struct db_val upn; };
#   struct q_name_row   { char *id; char *display_name; };
#   struct q_name_rows  { size_t n; struct q_name_row *row; };
# and the function q_name(): db_query() or db_exec() with the parameters
# by name and the rows read into the structs (with -v part=c). Only the
# generated code knows positions; db.c checks at prepare time that the
# SQL has as many parameters and columns as declared (stmt_shape[]).
#
# A view runs statements declared above in one round trip, as one CALL
# of a procedure made from their SQL (db.h: views). For each it writes
#   struct v_name { struct q_a_in a_in; ...; struct q_a_rows a; ... };
#   int v_name(struct db *, struct arena *, struct v_name *);
# the caller fills the *_in members, v_name() the rows; and
# view_shape[] (its statements, in order) for db.c.
#
#   awk -v part=h -f cgi/db/stmts-gen.awk cgi/db/stmts.h > build/db_stmts.h
#   awk -v part=c -f cgi/db/stmts-gen.awk cgi/db/stmts.h > build/db_stmts.c

function fail(msg) {
	printf("%s:%d: %s\n", FILENAME, FNR, msg) > "/dev/stderr"
	failed = 1
	exit 1
}

# Splits s at commas outside parentheses into out[1..n]; returns n.
function split_top(s, out,    n, i, c, depth, cur) {
	n = 0
	depth = 0
	cur = ""
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "(")
			depth++
		else if (c == ")")
			depth--
		if (c == "," && depth == 0) {
			out[++n] = trim(cur)
			cur = ""
		} else
			cur = cur c
	}
	if (trim(cur) != "")
		out[++n] = trim(cur)
	return n
}

function trim(s) {
	gsub(/^[ \t\n]+|[ \t\n]+$/, "", s)
	return s
}

# "IN(a, b)" -> "a, b"; fails unless s is WORD(...).
function inner(s, word,    t) {
	t = trim(s)
	if (index(t, word "(") != 1 || substr(t, length(t)) != ")")
		fail("expected " word "(...), got '" t "'")
	return substr(t, length(word) + 2, length(t) - length(word) - 2)
}

function lower(s) {
	return tolower(s)
}

# Appends the C fields of column spec `col` (with prefix for a group
# member) to the row struct text, and the reader lines to rd; returns
# the number of SQL columns it takes.
function column(col, ind, target, pos,    name, type, k, g, n, taken) {
	name = col
	type = "text"
	if ((k = index(col, ":")) > 0) {
		name = substr(col, 1, k - 1)
		type = substr(col, k + 1)
	}
	if (name !~ /^[a-z][a-z0-9_]*$/)
		fail("bad column name '" name "'")
	if (type == "text") {
		fields = fields ind "char\t\t*" name ";\n"
		reads = reads "\t\to->" target name " = DB_CELL(&rs, i, " pos ");\n"
		return 1
	}
	if (type == "int") {
		fields = fields ind "int64_t\t\t " name ";\n"
		reads = reads "\t\to->" target name " = db_int(&rs, i, " pos ", 0);\n"
		return 1
	}
	if (type == "bytes") {
		fields = fields ind "char\t\t*" name ";\n" ind "size_t\t\t " name "_len;\n"
		reads = reads "\t\to->" target name " = DB_CELL(&rs, i, " pos ");\n"
		reads = reads "\t\to->" target name "_len = rs.len[i * rs.ncol + " pos "];\n"
		return 1
	}
	if (!(type in group))
		fail("unknown column type '" type "' (int, bytes or a COLS group)")
	fields = fields ind "struct db_" type "\t " name ";\n"
	n = split(group[type], g, SUBSEP)
	taken = 0
	for (k = 1; k <= n; k++)
		taken += gcolumn(g[k], target name ".", pos + taken)
	return taken
}

# A group member: only its reader (the struct is written once).
function gcolumn(col, target, pos,    name, type, k) {
	name = col
	type = "text"
	if ((k = index(col, ":")) > 0) {
		name = substr(col, 1, k - 1)
		type = substr(col, k + 1)
	}
	if (type == "int")
		reads = reads "\t\to->" target name " = db_int(&rs, i, " pos ", 0);\n"
	else if (type == "text")
		reads = reads "\t\to->" target name " = DB_CELL(&rs, i, " pos ");\n"
	else
		fail("a COLS group holds text and int columns only")
	return 1
}

function do_cols(text,    body, item, n, i, name, members) {
	body = inner(text, "COLS")
	n = split_top(body, item)
	name = item[1]
	if (name !~ /^[a-z][a-z0-9_]*$/ || n < 2)
		fail("COLS(name, column, ...) expected")
	members = ""
	gfields = ""
	for (i = 2; i <= n; i++) {
		members = members (i > 2 ? SUBSEP : "") item[i]
		if (item[i] ~ /:int$/)
			gfields = gfields "\tint64_t\t\t " substr(item[i], 1, length(item[i]) - 4) ";\n"
		else if (item[i] ~ /^[a-z][a-z0-9_]*$/)
			gfields = gfields "\tchar\t\t*" item[i] ";\n"
		else
			fail("bad group column '" item[i] "'")
	}
	group[name] = members
	if (part == "h")
		printf("struct db_%s {\n%s};\n\n", name, gfields)
}

function do_stmt(text,    args, n, id, fn, ins, outs, item, ni, no, i, m, arr, sub_, k, np, pos, ncols, sig) {
	sub(/^STMT\(/, "", text)
	n = split_top(text, args)
	if (n < 3)
		fail("STMT(ID, IN(...), OUT(...), \"sql\") expected")
	id = args[1]
	if (id !~ /^Q_[A-Z0-9_]+$/)
		fail("bad statement name '" id "'")
	fn = lower(id)
	ins_text = trim(inner(args[2], "IN"))
	outs_text = trim(inner(args[3], "OUT"))
	# IN(=Q_OTHER) / OUT(=Q_OTHER): the same parameters / columns, and
	# types, as another statement (the two directions of a keyset page)
	in_of = fn
	out_of = fn
	if (ins_text ~ /^=/) {
		in_of = lower(substr(ins_text, 2))
		if (!(in_of in known_in))
			fail("IN(" ins_text "): no such statement above")
		ins_text = known_in[in_of]
	}
	if (outs_text ~ /^=/) {
		out_of = lower(substr(outs_text, 2))
		if (!(out_of in known_out))
			fail("OUT(" outs_text "): no such statement above")
		outs_text = known_out[out_of]
	}
	known_in[fn] = ins_text
	known_out[fn] = outs_text
	ni = split_top(ins_text, ins)
	no = split_top(outs_text, outs)

	# the parameters
	infields = ""
	ptypes = ""
	for (i = 1; i <= ni; i++) {
		if (match(ins[i], /^[a-z][a-z0-9_]*\[[A-Z0-9_]+\]\(/)) {
			arr = substr(ins[i], 1, index(ins[i], "[") - 1)
			k = substr(ins[i], index(ins[i], "[") + 1)
			k = substr(k, 1, index(k, "]") - 1)
			sub_ = substr(ins[i], index(ins[i], "(") + 1)
			sub_ = substr(sub_, 1, length(sub_) - 1)
			infields = infields "\tstruct {\n\t\tstruct db_val\t " sub_ ";\n\t} " arr "[" k "];\n"
			ptypes = ptypes "["	# rows: no view takes them
		} else if (ins[i] ~ /^[a-z][a-z0-9_]*(:(ascii|int))?$/) {
			k = index(ins[i], ":")
			infields = infields "\tstruct db_val\t " (k ? substr(ins[i], 1, k - 1) : ins[i]) ";\n"
			ptypes = ptypes (k ? substr(ins[i], k + 1, 1) : "t")
		} else
			fail("bad parameter '" ins[i] "'")
	}
	fields = ""
	reads = ""
	ncols = 0
	for (i = 1; i <= no; i++)
		ncols += column(outs[i], "\t", "", ncols)

	nstmt++
	stmt_id[nstmt] = id
	stmt_ni[nstmt] = ni
	stmt_cols[nstmt] = ncols
	stmt_fn[nstmt] = in_of
	stmt_types[nstmt] = ptypes
	st_in[fn] = ni > 0 ? in_of : ""
	st_out[fn] = no > 0 ? out_of : ""
	st_types[fn] = ptypes

	if (part == "h") {
		printf("/* %s */\n", id)
		if (ni > 0 && in_of == fn)
			printf("struct %s_in {\n%s};\n", fn, infields)
		if (no > 0 && out_of == fn) {
			printf("struct %s_row {\n%s};\n", fn, fields)
			printf("struct %s_rows {\n\tsize_t\t\t\t n;\n\tstruct %s_row\t*row;\n};\n", fn, fn)
		}
	}
	sig = "struct db *db"
	if (no > 0)
		sig = sig ", struct arena *a"
	if (ni > 0)
		sig = sig ", const struct " in_of "_in *in"
	if (no > 0)
		sig = sig ", struct " out_of "_rows *out"
	else
		sig = sig ", uint64_t *affected"
	if (part == "h") {
		printf("int\t%s(%s);\n\n", fn, sig)
		return
	}
	np = ni > 0 ? "(const struct db_val *)in, sizeof(*in) / sizeof(struct db_val)" : "NULL, 0"
	if (no == 0) {
		printf("int\n%s(%s)\n{\n", fn, sig)
		printf("\treturn db_exec(db, %s, %s, affected);\n}\n\n", id, np)
		return
	}
	# the rows' reader, which a view shares
	printf("static void\nread_%s(struct arena *a, struct db_rows rs, struct %s_rows *out)\n{\n", fn, out_of)
	printf("\tsize_t\t i;\n\n\tout->n = 0;\n\tout->row = NULL;\n")
	printf("\tif (rs.n == 0)\n\t\treturn;\n")
	printf("\tout->row = arena_alloc(a, rs.n * sizeof(*out->row));\n")
	printf("\tfor (i = 0; i < rs.n; i++) {\n\t\tstruct %s_row\t*o = &out->row[i];\n\n%s\t}\n", out_of, reads)
	printf("\tout->n = rs.n;\n}\n\n")
	printf("int\n%s(%s)\n{\n", fn, sig)
	printf("\tstruct db_rows\t rs;\n\tint\t\t rc;\n\n")
	printf("\tout->n = 0;\n\tout->row = NULL;\n")
	printf("\tif ((rc = db_query(db, a, %s, %s, &rs)) != DB_OK)\n\t\treturn rc;\n", id, np)
	printf("\tread_%s(a, rs, out);\n\treturn DB_OK;\n}\n\n", fn)
}

# VIEW(V_NAME, Q_A, Q_B, ...): see the top. VIEW(V_NAME, =V_OTHER, ...)
# fills V_OTHER's struct (its members' names): statements of the same
# parameters and columns, one by one (the two directions of a page).
function do_view(text,    body, item, n, i, j, fn, vfn, sname, short, first, nparams) {
	body = inner(text, "VIEW")
	n = split_top(body, item)
	if (item[1] !~ /^V_[A-Z0-9_]+$/ || n < 2)
		fail("VIEW(V_NAME, Q_STATEMENT, ...) expected")
	vfn = lower(item[1])
	sname = vfn
	first = 2
	if (item[2] ~ /^=V_[A-Z0-9_]+$/) {
		sname = lower(substr(item[2], 2))
		if (!(sname in view_size))
			fail("VIEW: no view " substr(item[2], 2) " above")
		first = 3
	}
	if (n - first + 1 > VIEW_STMTS_MAX)
		fail("a view runs at most " VIEW_STMTS_MAX " statements")
	if (sname != vfn && n - first + 1 != view_size[sname])
		fail("VIEW: " item[1] " and " sname " differ in statements")
	nview++
	view_id[nview] = item[1]
	view_list[nview] = ""
	view_n[nview] = n - first + 1
	view_size[vfn] = view_n[nview]
	fields = ""
	rowfields = ""
	copies = ""
	reads = ""
	nparams = 0
	for (i = first; i <= n; i++) {
		fn = lower(item[i])
		j = i - first
		if (!(fn in st_out))
			fail("VIEW: no statement " item[i] " above")
		if (st_out[fn] == "")
			fail("VIEW: " item[i] " returns no rows")
		if (index(st_types[fn], "[") > 0)
			fail("VIEW: " item[i] " takes rows of parameters")
		if (sname == vfn) {
			view_short[vfn, j] = substr(fn, 3)
			view_in[vfn, j] = st_in[fn]
			view_out[vfn, j] = st_out[fn]
		} else if (view_in[sname, j] != st_in[fn] ||
		    view_out[sname, j] != st_out[fn])
			fail("VIEW: " item[i] " is not like " sname "'s statement " j + 1)
		short = view_short[sname, j]
		view_list[nview] = view_list[nview] (j > 0 ? ", " : "") item[i]
		if (st_in[fn] != "") {
			fields = fields "\tstruct " st_in[fn] "_in\t " short "_in;\n"
			copies = copies "\tmemcpy(p + k, &v->" short "_in, sizeof(v->" short "_in));\n"
			copies = copies "\tk += sizeof(v->" short "_in) / sizeof(struct db_val);\n"
			nparams += length(st_types[fn])
		}
		rowfields = rowfields "\tstruct " st_out[fn] "_rows\t " short ";\n"
		reads = reads "\tread_" fn "(a, rs[" j "], &v->" short ");\n"
	}
	if (part == "h") {
		if (sname == vfn)
			printf("/* %s */\nstruct %s {\n%s%s};\n", item[1], vfn, fields, rowfields)
		printf("int\t%s(struct db *db, struct arena *a, struct %s *v);\n\n", vfn, sname)
		return
	}
	printf("int\n%s(struct db *db, struct arena *a, struct %s *v)\n{\n", vfn, sname)
	printf("\tstruct db_val\t p[%d];\n\tstruct db_rows\t rs[%d];\n", nparams > 0 ? nparams : 1, n - first + 1)
	printf("\tsize_t\t\t k = 0;\n\tint\t\t rc;\n\n%s", copies)
	printf("\tif ((rc = db_view(db, a, %s, p, k, rs, %d)) != DB_OK)\n\t\treturn rc;\n", item[1], n - first + 1)
	printf("%s\treturn DB_OK;\n}\n\n", reads)
}

BEGIN {
	VIEW_STMTS_MAX = 6
	if (part != "h" && part != "c")
		fail("-v part=h or -v part=c")
	print "/* Generated from cgi/db/stmts.h by cgi/db/stmts-gen.awk. */"
	if (part == "h") {
		print "#ifndef STAFFDESK_DB_STMTS_H"
		print "#define STAFFDESK_DB_STMTS_H"
		print ""
		print "#include \"db/db.h\""
		print ""
	} else {
		print "#include <stddef.h>"
		print "#include <stdint.h>"
		print "#include <string.h>"
		print ""
		print "#include \"db/db.h\""
		print ""
	}
}

# A declaration runs from COLS( or STMT( to the first string literal (a
# statement's SQL) or the closing parenthesis (a group).
collecting {
	buf = buf " " $0
}
!collecting && /^(COLS|STMT|VIEW)\(/ {
	collecting = 1
	buf = $0
}
collecting {
	if (buf ~ /^VIEW\(/) {
		if (gsub(/\(/, "(", buf) == gsub(/\)/, ")", buf)) {
			do_view(buf)
			collecting = 0
		}
	} else if (buf ~ /^COLS\(/) {
		if (buf ~ /\)[ \t]*$/) {
			do_cols(buf)
			collecting = 0
		}
	} else if (index(buf, "\"") > 0) {
		do_stmt(substr(buf, 1, index(buf, "\"") - 1))
		collecting = 0
	} else if (gsub(/\(/, "(", buf) == gsub(/\)/, ")", buf)) {
		do_stmt(buf)		# SQL from a macro without a string
		collecting = 0
	}
}

END {
	if (failed)
		exit 1
	if (collecting)
		fail("a declaration does not end")
	if (part == "h") {
		print "/* What each statement's SQL must have: checked when it is prepared. */"
		print "struct stmt_shape {\n\tunsigned int\tnparams, ncols;\n\tconst char\t*types;\t/* a view's: t text, a ascii, i int */\n};"
		print "extern const struct stmt_shape stmt_shape[STMT__MAX];"
		print "/* The statements of each view, in order. */"
		print "#define VIEW_STMTS_MAX\t" VIEW_STMTS_MAX
		print "struct view_shape {\n\tunsigned int\tn;\n\tenum stmt\tstmt[VIEW_STMTS_MAX];\n};"
		print "extern const struct view_shape view_shape[VIEW__MAX];"
		print ""
		print "#endif"
		exit 0
	}
	print "const struct stmt_shape stmt_shape[STMT__MAX] = {"
	for (i = 1; i <= nstmt; i++)
		printf("\t[%s] = { %s, %d, \"%s\" },\n", stmt_id[i], stmt_ni[i] > 0 ? "sizeof(struct " stmt_fn[i] "_in) / sizeof(struct db_val)" : "0", stmt_cols[i], stmt_types[i])
	print "};"
	print "const struct view_shape view_shape[VIEW__MAX] = {"
	for (i = 1; i <= nview; i++)
		printf("\t[%s] = { %d, { %s } },\n", view_id[i], view_n[i], view_list[i])
	print "};"
}
