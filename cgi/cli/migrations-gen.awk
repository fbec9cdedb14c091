# migrations-gen.awk: turns sql/NNN_name.sql files into a C file that
# defines `migrations[]` and `nmigrations` for cli/migrate.c, so the
# binary carries its schema and needs no path at run time.
#   awk -f cgi/cli/migrations-gen.awk sql/*.sql > build/migrations.c
BEGIN {
	print "/* Generated from sql/ by cgi/cli/migrations-gen.awk. */"
	print "#include <stddef.h>"
	print "struct migration { int version; const char *name; const char *sql; };"
	print "extern const struct migration migrations[];"
	print "extern const size_t nmigrations;"
	print "const struct migration migrations[] = {"
	n = 0
}
FNR == 1 {
	if (n > 0)
		print "\t},"
	name = FILENAME
	sub(/.*\//, "", name)
	if (name !~ /^[0-9][0-9][0-9]_[a-z0-9_]+\.sql$/) {
		print "bad migration file name: " name > "/dev/stderr"
		exit 1
	}
	version = substr(name, 1, 3) + 0
	if (version <= last) {
		print "migrations out of order at " name > "/dev/stderr"
		exit 1
	}
	last = version
	printf "\t{ %d, \"%s\",\n", version, name
	n++
}
{
	line = $0
	gsub(/\\/, "\\\\", line)
	gsub(/"/, "\\\"", line)
	printf "\t    \"%s\\n\"\n", line
}
END {
	if (n > 0)
		print "\t},"
	print "};"
	print "const size_t nmigrations = " n ";"
}
