# burrow — see README.md. `make` builds ./burrow; `make check` runs every test.
# On a machine without make or the libraries: ./dev TARGET (see ./dev).
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CC ?= cc
BUILD ?= build
VERSION := 0.1.0

PKGS := slirp libcap yajl tdb libarchive libcurl libcrypto libseccomp zlib
WARN := -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wshadow -Wvla -Werror
# Debian package that provides each pkg-config module (for the error message).
pkg_deb_slirp := libslirp-dev
pkg_deb_libcap := libcap-dev
pkg_deb_yajl := libyajl-dev
pkg_deb_tdb := libtdb-dev
pkg_deb_libarchive := libarchive-dev
pkg_deb_libcurl := libcurl4-openssl-dev
pkg_deb_libcrypto := libssl-dev
pkg_deb_libseccomp := libseccomp-dev
pkg_deb_zlib := zlib1g-dev
pkg_deb_cmocka := libcmocka-dev

# The libraries are checked when this make compiles something. Targets that
# install them first (deps, then a sub-make for the build) or compile nothing
# must run on a machine that has none yet: `./dev check` on a fresh Debian.
NO_COMPILE_GOALS := deps demo check bench asan fmt fmt-check includes-check bools-check clean help
COMPILE_GOALS := $(if $(MAKECMDGOALS),$(filter-out $(NO_COMPILE_GOALS),$(MAKECMDGOALS)),all)
ifneq ($(COMPILE_GOALS),)
ifeq ($(shell command -v pkg-config),)
$(error pkg-config is missing (Debian package pkg-config); `./dev` (as root) installs it and the libraries)
endif
# what version shows: the commit built and its time (SOURCE_DATE_EPOCH wins),
# recompiled into cmd/version.o when they change
GIT_COMMIT := $(shell git rev-parse HEAD 2>/dev/null)
BUILT := $(or $(SOURCE_DATE_EPOCH),$(shell git log -1 --format=%ct 2>/dev/null),0)
VERSION_STAMP := $(BUILD)/version.stamp
$(shell mkdir -p $(BUILD) && echo '$(GIT_COMMIT) $(BUILT)' | cmp -s - $(VERSION_STAMP) || echo '$(GIT_COMMIT) $(BUILT)' >$(VERSION_STAMP))
MISSING := $(strip $(foreach p,$(PKGS),$(if $(shell pkg-config --exists $(p) 2>/dev/null && echo y),,$(p))))
ifneq ($(MISSING),)
$(error missing libraries: $(foreach p,$(MISSING),$(p) (Debian package $(pkg_deb_$(p)))); `./dev` (as root) installs them, or install them yourself)
endif
endif

# Opened with dlopen on first use, not linked (see lib/dl.h): only their headers.
DL_PKGS := slirp libarchive libcrypto zlib libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(filter-out $(DL_PKGS),$(PKGS)) 2>/dev/null)
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) -I. -D_GNU_SOURCE -DBURROW_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
# DEV_LDFLAGS=-Wl,--unresolved-symbols=ignore-all links while other modules are being written (never in CI)
# -z now: every symbol bound at start, so a long-lived monitor does not
# touch the dynamic linker and the libraries' symbol tables again (their
# pages stay out of its RSS after mem_trim)
LDLIBS := $(PKG_LIBS) -Wl,-z,now $(EXTRA_LDFLAGS) $(DEV_LDFLAGS)

LIB_DIRS := lib state userns netns overlay image runtime container
LIB_SRCS := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
CMD_SRCS := $(wildcard cmd/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS := $(CMD_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)
HELPER_SRCS := $(wildcard tests/helpers/*.c)
HELPER_BINS := $(HELPER_SRCS:%.c=$(BUILD)/%)

BIN ?= burrow
# the container init of run --init, found beside the binary
INIT_BIN := $(dir $(BIN))burrow-init
.PHONY: all deps demo check check-asan unit integration bench install asan fmt fmt-check includes-check bools-check clean help


all: $(BIN)

$(BIN): $(CMD_OBJS) $(BUILD)/libburrow.a $(INIT_BIN)
	@echo "  CCLD    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $(CMD_OBJS) $(BUILD)/libburrow.a $(LDLIBS)

$(BUILD)/libburrow.a: $(LIB_OBJS)
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# cmd/ pieces other than main.c, for unit tests of parsers and formatters
$(BUILD)/libcmd.a: $(filter-out $(BUILD)/cmd/main.o,$(CMD_OBJS))
	@rm -f $@
	@ar rcs $@ $^

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libcmd.a $(BUILD)/libburrow.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(ALL_CFLAGS) $$(pkg-config --cflags cmocka) -o $@ $< $(BUILD)/libcmd.a $(BUILD)/libburrow.a $(LDLIBS) $$(pkg-config --libs cmocka $(DL_PKGS))

$(BUILD)/tests/helpers/%: tests/helpers/%.c $(BUILD)/libburrow.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libburrow.a $(LDLIBS)

# static, so that a test can copy it into any image or --rootfs tree
$(BUILD)/tests/helpers/sysprobe: tests/helpers/sysprobe.c
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@ (static)"
	@$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -O2 -static -o $@ $<

$(BUILD)/tests/helpers/netpeer: tests/helpers/netpeer.c
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@ (static)"
	@$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -O2 -static -o $@ $<

$(BUILD)/tests/helpers/netbench: tests/helpers/netbench.c
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@ (static)"
	@$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -O2 -static -o $@ $<

$(BUILD)/tests/helpers/sdnotify: tests/helpers/sdnotify.c
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@ (static)"
	@$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -O2 -static -o $@ $<

$(BUILD)/tests/helpers/swapper: tests/helpers/swapper.c
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@ (static)"
	@$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -O2 -static -o $@ $<

# static: it runs inside any image, which may have no libc or a different one
$(INIT_BIN): init/burrow-init.c
	@echo "  CCLD    $@ (static)"
	@$(CC) -std=gnu11 $(WARN) -D_GNU_SOURCE -O2 -static -o $@ $<

$(BUILD)/cmd/version.o: $(VERSION_STAMP)
$(BUILD)/cmd/version.o: ALL_CFLAGS += -DBURROW_GIT_COMMIT='"$(GIT_COMMIT)"' -DBURROW_BUILT=$(BUILT)LL

-include $(LIB_OBJS:.o=.d) $(CMD_OBJS:.o=.d)

# Installs the Debian packages the build and the tests need (as root only).
deps:
	@tools/deps.sh

demo: deps
	@$(MAKE) --no-print-directory burrow
	@tools/demo.sh

unit: $(UNIT_BINS)
	@tools/run-unit.sh $(UNIT_BINS)

integration: burrow $(HELPER_BINS)
	@tools/run-integration.sh

check: deps
	@$(MAKE) --no-print-directory burrow $(UNIT_BINS) $(HELPER_BINS)
	@tools/check.sh $(UNIT_BINS)

bench: deps
	@$(MAKE) --no-print-directory burrow $(BUILD)/tests/helpers/slirp-drive $(BUILD)/tests/helpers/netbench
	@tools/bench.sh

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" EXTRA_LDFLAGS="-fsanitize=address,undefined" BIN=build/asan/burrow build/asan/burrow

# the integration suites against the sanitizer build
check-asan: asan $(HELPER_BINS)
	@BURROW_BIN=build/asan/burrow tools/run-integration.sh

install: burrow
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 burrow $(DESTDIR)$(BINDIR)/burrow
	install -m 0755 burrow-init $(DESTDIR)$(BINDIR)/burrow-init
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/

FMT_SRCS = $(shell git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]')
fmt:
	clang-format -i $(FMT_SRCS)

fmt-check:
	@clang-format --dry-run --Werror $(FMT_SRCS)

# includes point down DESIGN.md's table of folders
includes-check:
	@tools/check-includes.sh

# every boolean flag's case reads ctx->flag_on (--squash=false is no
# squash); --self-test: on the tree, then with `= true` planted in verbs
bools-check:
	@tools/check-bools.py --self-test

clean:
	rm -rf build burrow burrow-init

help:
	@echo "targets: all deps demo check unit integration bench install asan check-asan fmt fmt-check includes-check bools-check clean"
	@echo "on a machine without make or the libraries: ./dev TARGET (as root: installs them first)"
