# stmts-gen.awk: the typed face of cgi/db/stmts.h. Each statement there
# declares its parameters and its columns by name:
#
#   COLS(person, id, name, upn, phones:int)      a group of columns
#   STMT(Q_USER_BY_UPN, IN(upn), OUT(id, display_name), "SELECT ...")
#   STMT(Q_SEARCH_ADD, IN(kind, rows[SEARCH_ROWS](ref, name, word)), OUT(), ...)
#   STMT(Q_UNITS_BEFORE, IN(=Q_UNITS_AFTER), OUT(=Q_UNITS_AFTER), ...)
#
# A column is text (char *, NULL for SQL NULL), name:int (int64_t,
# 0 for NULL), name:bytes (char * and name_len) or name:GROUP (a
# struct of a COLS group, so one reader serves several statements). A
# parameter is a struct db_val; name[N](a, b) is N rows of them.
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
	for (i = 1; i <= ni; i++) {
		if (match(ins[i], /^[a-z][a-z0-9_]*\[[A-Z0-9_]+\]\(/)) {
			arr = substr(ins[i], 1, index(ins[i], "[") - 1)
			k = substr(ins[i], index(ins[i], "[") + 1)
			k = substr(k, 1, index(k, "]") - 1)
			sub_ = substr(ins[i], index(ins[i], "(") + 1)
			sub_ = substr(sub_, 1, length(sub_) - 1)
			infields = infields "\tstruct {\n\t\tstruct db_val\t " sub_ ";\n\t} " arr "[" k "];\n"
		} else if (ins[i] ~ /^[a-z][a-z0-9_]*$/)
			infields = infields "\tstruct db_val\t " ins[i] ";\n"
		else
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
	printf("int\n%s(%s)\n{\n", fn, sig)
	if (no == 0) {
		printf("\treturn db_exec(db, %s, %s, affected);\n}\n\n", id, np)
		return
	}
	printf("\tstruct db_rows\t rs;\n\tsize_t\t\t i;\n\tint\t\t rc;\n\n")
	printf("\tout->n = 0;\n\tout->row = NULL;\n")
	printf("\tif ((rc = db_query(db, a, %s, %s, &rs)) != DB_OK)\n\t\treturn rc;\n", id, np)
	printf("\tif (rs.n == 0)\n\t\treturn DB_OK;\n")
	printf("\tout->row = arena_alloc(a, rs.n * sizeof(*out->row));\n")
	printf("\tfor (i = 0; i < rs.n; i++) {\n\t\tstruct %s_row\t*o = &out->row[i];\n\n%s\t}\n", out_of, reads)
	printf("\tout->n = rs.n;\n\treturn DB_OK;\n}\n\n")
}

BEGIN {
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
!collecting && /^(COLS|STMT)\(/ {
	collecting = 1
	buf = $0
}
collecting {
	if (buf ~ /^COLS\(/) {
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
		print "struct stmt_shape {\n\tunsigned int\tnparams, ncols;\n};"
		print "extern const struct stmt_shape stmt_shape[STMT__MAX];"
		print ""
		print "#endif"
		exit 0
	}
	print "const struct stmt_shape stmt_shape[STMT__MAX] = {"
	for (i = 1; i <= nstmt; i++)
		printf("\t[%s] = { %s, %d },\n", stmt_id[i], stmt_ni[i] > 0 ? "sizeof(struct " stmt_fn[i] "_in) / sizeof(struct db_val)" : "0", stmt_cols[i])
	print "};"
}
