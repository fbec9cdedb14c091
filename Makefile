# staffdesk: see README.md. `make run` to try it, `make test` to check it.

PREFIX     ?= /usr/local
DESTDIR    ?=
SYSCONFDIR ?= /etc
# systemd looks in $(PREFIX)/lib/systemd/system for /usr/local too.
UNITDIR    ?= $(PREFIX)/lib/systemd/system
VAR        ?= $(CURDIR)/var
PORT       ?= 8080
SANITIZE   ?=
COMMON_PASSWORDS ?= /usr/share/john/password.lst

CC         ?= cc
CXX        ?= c++
PKGS        = libctemplate libmariadb libargon2 libcrypto libqrencode \
              libutf8proc pwquality
WARN        = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
              -Wmissing-prototypes -Wwrite-strings -Wformat=2
CFLAGS     ?= -O2 -g
CFLAGS     += -std=gnu11 $(WARN) -iquote cgi -iquote build -D_FORTIFY_SOURCE=2 \
              -fstack-protector-strong $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CXXFLAGS   ?= -O2 -g
CXXFLAGS   += -std=c++17 -Wall -Wextra -Werror -Icgi \
              $(shell pkg-config --cflags libctemplate 2>/dev/null)
LDLIBS      = -lfcgi -lcsv $(shell pkg-config --libs $(PKGS) 2>/dev/null) \
              -lphonenumber -lldap -llber
ifneq ($(SANITIZE),)
# ASan replaces what _FORTIFY_SOURCE checks (and the two confuse gcc).
# A finding stops the process, so the tests fail instead of a log line.
CFLAGS     += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
              -fno-omit-frame-pointer -U_FORTIFY_SOURCE
CXXFLAGS   += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all \
              -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=$(SANITIZE)
endif

# Debian packages the build, `make run` and `make test` need.
DEB_PKGS    = build-essential pkg-config libfcgi-dev libctemplate-dev \
              libmariadb-dev mariadb-server mariadb-client libargon2-dev \
              libssl-dev libcmocka-dev libqrencode-dev libphonenumber-dev \
              nginx-light \
              john-data curl python3 w3m lynx tmux tidy wrk valgrind rsync \
              chromium libcsv-dev libldap-dev slapd ldap-utils libutf8proc-dev \
              libpwquality-dev cracklib-runtime systemd libseccomp2 openssl galera-4

# CORE: what the CLI and the web share (no FastCGI, no request); WEB:
# the request, the session, the route table and the pages.
CORE_SRC    = cgi/util.c cgi/conf.c cgi/log.c cgi/metrics.c cgi/settings.c cgi/cidr.c \
              cgi/authz.c cgi/csv.c cgi/details.c cgi/cursor.c cgi/search.c cgi/phone.c cgi/sms.c \
              cgi/writeback.c cgi/directory.c cgi/dirmap.c cgi/auth/onprem.c cgi/location.c cgi/sspr.c \
              cgi/csvread.c cgi/roster.c \
              cgi/db/db.c cgi/db/audit.c cgi/db/mfa.c cgi/db/roles.c cgi/db/users.c \
              cgi/auth/totp.c cgi/auth/password.c cgi/auth/crypt.c \
              cgi/auth/codes.c cgi/auth/otp.c cgi/db/otp.c build/common.c build/db_stmts.c
WEB_SRC     = cgi/http.c cgi/session.c cgi/keys.c cgi/route.c cgi/admit.c \
              cgi/pages/page.c \
              cgi/pages/signin.c cgi/pages/account.c cgi/pages/qr.c \
              cgi/pages/pager.c cgi/pages/lists.c \
              cgi/pages/person.c cgi/pages/actions.c cgi/pages/admin.c \
              cgi/pages/console.c cgi/pages/settings.c cgi/pages/locations.c \
              cgi/pages/roles.c cgi/pages/textcode.c \
              cgi/pages/sspr.c cgi/pages/observe.c
CLI_SRC     = cgi/cli/admin.c cgi/cli/users.c cgi/cli/units.c \
              cgi/cli/settings.c cgi/cli/migrate.c cgi/cli/demo.c \
              cgi/cli/explain.c cgi/cli/sms.c cgi/cli/import.c cgi/cli/sync.c \
              cgi/cli/setupdb.c \
              build/migrations.c
UNIT_TESTS  = tests/unit/test_auth.c tests/unit/test_core.c \
              tests/unit/test_authz.c tests/unit/test_lists.c \
              tests/unit/test_actions.c tests/unit/test_route.c \
              tests/unit/test_csv.c tests/unit/test_locations.c \
              tests/unit/test_sms.c tests/unit/test_otp.c \
              tests/unit/test_sspr.c tests/unit/test_directory.c \
              tests/unit/test_roster.c tests/unit/test_observe.c \
              tests/unit/test_admit.c

CORE_OBJ    = $(CORE_SRC:%.c=build/%.o) build/cgi/phonelib.o
WEB_OBJ     = $(WEB_SRC:%.c=build/%.o) build/cgi/tpl.o
CLI_OBJ     = $(CLI_SRC:%.c=build/%.o)
HEADERS     = $(wildcard cgi/*.h cgi/*/*.h) build/db_stmts.h

all: bin/staffdesk.fcgi bin/staffdesk-admin

bin/staffdesk.fcgi: build/cgi/main.o $(WEB_OBJ) $(CORE_OBJ)
	@mkdir -p bin
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bin/staffdesk-admin: $(CLI_OBJ) $(CORE_OBJ)
	@mkdir -p bin
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

UNIT_BINS   = $(UNIT_TESTS:tests/unit/%.c=bin/%)

bin/test_%: build/tests/unit/test_%.o $(WEB_OBJ) $(CORE_OBJ)
	@mkdir -p bin
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

# make bench's bound of sign-ins: argon2id hashes a second.
bin/hashrate: build/tests/bench/hashrate.o $(CORE_OBJ)
	@mkdir -p bin
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The fuzz harnesses in a plain build: replays tests/fuzz/corpus.
FUZZ_TARGETS ?= request conf cursor phone csv ldapmap
FUZZ_HARNESS = tests/fuzz/fuzz.c $(FUZZ_TARGETS:%=tests/fuzz/fuzz_%.c)
bin/fuzz_replay: build/tests/fuzz/replay.o $(FUZZ_HARNESS:%.c=build/%.o) \
    $(WEB_OBJ) $(CORE_OBJ)
	@mkdir -p bin
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Objects remember the SANITIZE they were built with: a change rebuilds.
build/.sanitize: FORCE
	@mkdir -p build
	@echo '$(SANITIZE)' | cmp -s - $@ || echo '$(SANITIZE)' > $@

build/%.o: %.c $(HEADERS) build/.sanitize
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

build/build/%.o: build/%.c build/.sanitize
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

build/cgi/%.o: cgi/%.cc $(HEADERS) build/.sanitize
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -c -o $@ $<

build/common.c: cgi/auth/common-gen.awk
	@mkdir -p build
	@test -r $(COMMON_PASSWORDS) || { echo "$(COMMON_PASSWORDS) is missing: make deps (Debian package john-data)"; exit 1; }
	LC_ALL=C awk -v stage=normalise -f cgi/auth/common-gen.awk $(COMMON_PASSWORDS) | \
	    LC_ALL=C sort -u | LC_ALL=C awk -f cgi/auth/common-gen.awk > $@.tmp
	mv $@.tmp $@

# The typed statements: structs and q_*() functions from cgi/db/stmts.h.
build/db_stmts.h: cgi/db/stmts-gen.awk cgi/db/stmts.h
	@mkdir -p build
	awk -v part=h -f cgi/db/stmts-gen.awk cgi/db/stmts.h > $@.tmp
	mv $@.tmp $@

build/db_stmts.c: cgi/db/stmts-gen.awk cgi/db/stmts.h build/db_stmts.h
	@mkdir -p build
	awk -v part=c -f cgi/db/stmts-gen.awk cgi/db/stmts.h > $@.tmp
	mv $@.tmp $@

build/migrations.c: cgi/cli/migrations-gen.awk $(sort $(wildcard sql/*.sql))
	@mkdir -p build
	awk -f cgi/cli/migrations-gen.awk $(sort $(wildcard sql/*.sql)) > $@.tmp
	mv $@.tmp $@

# The stylesheet under a name carrying a hash of its content
# (build/static/style.0123456789ab.css), which nginx lets browsers keep
# for a year, and build/static.h naming it for the pages (page_new()). It
# runs every time, but rewrites static.h only when the hash changed.
build/static.h: FORCE
	@mkdir -p build/static
	@h=$$(sha256sum static/style.css | cut -c1-12) && \
	if [ ! -f build/static/style.$$h.css ]; then \
	    rm -f build/static/style.*.css && \
	    cp static/style.css build/static/style.$$h.css.tmp && \
	    mv build/static/style.$$h.css.tmp build/static/style.$$h.css; \
	fi && \
	printf '#define STATIC_STYLE_CSS "/static/style.%s.css"\n' $$h | \
	    cmp -s - $@ || \
	    printf '#define STATIC_STYLE_CSS "/static/style.%s.css"\n' $$h > $@

build/cgi/pages/page.o build/fuzz/cgi/pages/page.o: build/static.h

# Installs the Debian packages that are missing (skipped when all are there).
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
	    echo "installing:" $$missing; \
	    if [ "$$(id -u)" -ne 0 ]; then echo "run as root, or: apt-get install" $$missing; exit 1; fi; \
	    (apt-get update -qq || true) && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

run: deps all
	VAR=$(VAR) PORT=$(PORT) tests/stack.sh run

stop:
	VAR=$(VAR) tests/stack.sh stop

# The runner's own test, the unit tests, the fuzz corpus replayed, then
# the black-box suite against a throwaway stack (tests/run.sh).
test: deps
	$(MAKE) all $(UNIT_BINS) bin/fuzz_replay
	tests/run.sh tests/run-test.sh $(UNIT_BINS) bin/fuzz_replay \
	    tests/valgrind.sh

# Two app hosts on a 3-node Galera cluster, and the suite that kills
# parts of it under load (tests/cluster.sh test; several minutes, so
# not part of `make test`). CLUSTER_PORT..+33 must be free.
CLUSTER_PORT ?= 19450
cluster-test: deps all
	PORT=$(CLUSTER_PORT) tests/cluster.sh test

unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do $$t || exit 1; done

bench: deps all bin/hashrate
	tests/bench.sh

# The README's three screenshots, from the last browser suite's run.
shots:
	@for n in location profile-saved reset-done; do \
	    cp tests/browser/out/$$n-1024x768.png tests/browser/shots/$$n.png || exit 1; \
	done

# Each unit binary and the fuzz replay under valgrind (also a part of
# `make test`).
valgrind: $(UNIT_BINS) bin/fuzz_replay
	tests/valgrind.sh

# Small realistic bugs put into a scratch copy one at a time; each must be
# caught by the tests it names (slow: not part of `make test`).
mutants: deps
	tests/mutants.sh

# libFuzzer runs, one binary a harness (bin/fuzz_TARGET), FUZZ_SECONDS
# each from the seeds in tests/fuzz/corpus/TARGET; what they find goes
# to build/fuzz-corpus/TARGET. FUZZ_TARGETS=csv runs one.
FUZZ_SECONDS ?= 30
FUZZ_SRC    = $(filter-out build/%,$(CORE_SRC)) $(WEB_SRC) build/common.c \
              build/db_stmts.c tests/fuzz/fuzz.c
FUZZ_FLAGS  = -g -O1 -fsanitize=fuzzer-no-link,address,undefined
FUZZ_OBJ    = $(FUZZ_SRC:%.c=build/fuzz/%.o) build/fuzz/tpl.o \
              build/fuzz/phonelib.o

build/fuzz/%.o: %.c $(HEADERS) tests/fuzz/fuzz.h
	@mkdir -p $(dir $@)
	clang -std=gnu11 $(FUZZ_FLAGS) -iquote cgi -iquote build \
	    $(shell pkg-config --cflags libmariadb libutf8proc) -c -o $@ $<

build/fuzz/%.o: cgi/%.cc $(HEADERS)
	@mkdir -p $(dir $@)
	clang++ -std=c++17 $(FUZZ_FLAGS) -Icgi \
	    $(shell pkg-config --cflags libctemplate) -c -o $@ $<

build/fuzz/entry-%.o: tests/fuzz/entry.c tests/fuzz/fuzz.h
	@mkdir -p $(dir $@)
	clang -std=gnu11 $(FUZZ_FLAGS) -DFUZZ_TARGET=fuzz_$* -c -o $@ $<

bin/fuzz_%: $(FUZZ_OBJ) build/fuzz/tests/fuzz/fuzz_%.o build/fuzz/entry-%.o
	@mkdir -p bin
	clang++ -fsanitize=fuzzer,address,undefined -o $@ $^ $(LDLIBS)

fuzz: $(FUZZ_TARGETS:%=bin/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p build/fuzz-corpus/$$t && \
	    echo "fuzz_$$t: $(FUZZ_SECONDS) s" && \
	    bin/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	        -print_final_stats=1 build/fuzz-corpus/$$t \
	        tests/fuzz/corpus/$$t || exit 1; \
	done

# The files of a deployment (README: Deploy on Debian). The nginx site,
# the units and the example config are filled in from nginx/ with the
# paths of PREFIX and SYSCONFDIR; the config is written once (0640, group
# staffdesk when that group exists and the group can be set), never over
# an existing one.
UNITS       = staffdesk.service staffdesk-sms-flush.service \
              staffdesk-sms-flush.timer
SUBST       = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/staffdesk/templates \
	    $(DESTDIR)$(PREFIX)/share/staffdesk/static $(DESTDIR)$(PREFIX)/share/staffdesk/nginx \
	    $(DESTDIR)$(PREFIX)/share/staffdesk/sql $(DESTDIR)$(PREFIX)/share/doc/staffdesk \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/staffdesk
	install -m 755 bin/staffdesk.fcgi bin/staffdesk-admin $(DESTDIR)$(PREFIX)/bin
	install -m 644 templates/*.tpl $(DESTDIR)$(PREFIX)/share/staffdesk/templates
	install -m 644 static/* build/static/* $(DESTDIR)$(PREFIX)/share/staffdesk/static
	install -m 644 nginx/fastcgi.conf nginx/headers.conf $(DESTDIR)$(PREFIX)/share/staffdesk/nginx
	$(SUBST) nginx/staffdesk.conf.in > $(DESTDIR)$(PREFIX)/share/staffdesk/nginx/staffdesk.conf.tmp
	chmod 644 $(DESTDIR)$(PREFIX)/share/staffdesk/nginx/staffdesk.conf.tmp
	mv $(DESTDIR)$(PREFIX)/share/staffdesk/nginx/staffdesk.conf.tmp \
	    $(DESTDIR)$(PREFIX)/share/staffdesk/nginx/staffdesk.conf
	install -m 644 sql/*.sql $(DESTDIR)$(PREFIX)/share/staffdesk/sql
	install -m 644 README.md $(DESTDIR)$(PREFIX)/share/doc/staffdesk
	for u in $(UNITS); do \
	    $(SUBST) nginx/systemd/$$u.in > $(DESTDIR)$(UNITDIR)/$$u.tmp && \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$$u.tmp && \
	    mv $(DESTDIR)$(UNITDIR)/$$u.tmp $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	done
	@conf=$(DESTDIR)$(SYSCONFDIR)/staffdesk/staffdesk.conf; \
	if [ -e "$$conf" ]; then \
	    echo "kept $$conf (the example is nginx/staffdesk-app.conf.in)"; \
	else \
	    (umask 077 && $(SUBST) nginx/staffdesk-app.conf.in > "$$conf.tmp") && \
	    chmod 640 "$$conf.tmp" && \
	    if getent group staffdesk >/dev/null; then \
	        chgrp staffdesk "$$conf.tmp" 2>/dev/null || \
	            echo "note: $$conf: cannot set group staffdesk (not root?)"; \
	    fi && \
	    mv "$$conf.tmp" "$$conf" && echo "wrote $$conf: edit it"; \
	fi

clean:
	rm -rf build bin

.PHONY: all deps run stop test cluster-test unit bench shots valgrind fuzz mutants install clean FORCE
.SECONDARY:
