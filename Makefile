# ward — build, test, demo.  See README.md.
#
#   make            bin/wardd and bin/ward
#   make deps       install the Debian packages the build and tests need
#   make check      every test (unit + e2e); ends with "N passed, N failed"
#   make demo       start a hub with the demo scenario
#   make bench      the benchmarks in tests/bench/
#   make fuzz       libFuzzer targets in tests/fuzz/ (clang)
#   make SANITIZE=1 ...   build with ASan + UBSan
#   make V=1 ...          show the compiler's command lines

CC      ?= cc
PKGS    := libwebsockets jansson libsodium sqlite3 zlib yaml-0.1 libpcre2-8 libmaxminddb openssl librabbitmq libzstd
CFLAGS  ?= -O2 -g
# The hub is in wings (hub/ingest/, hub/rules/, ...): every wing's folder
# is on the include path, so a header is named by its file alone.
HUB_DIRS := hub $(patsubst %/,%,$(sort $(dir $(wildcard hub/*/*.c hub/*/*.h))))
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
           -Iproto $(addprefix -I,$(HUB_DIRS)) -Iconsole \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
# Where wardd finds its default rule pack (no install step yet: the tree).
RULESDIR ?= $(CURDIR)/share/rules
CFLAGS  += -DWARD_RULES_DIR='"$(RULESDIR)"'
# ... and its default decoders and plugins (share/parsers, share/plugins).
SHAREDIR ?= $(CURDIR)/share
CFLAGS  += -DWARD_SHARE_DIR='"$(SHAREDIR)"'
CURSES  := -lncursesw

# Quiet by default: one line a file; V=1 shows the commands.
ifeq ($(V),1)
Q       :=
say      = @true
else
Q       := @
say      = @printf '  %-6s %s\n' $(1) $(2)
endif

ifeq ($(SANITIZE),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
B       := build/san
else
B       := build/rel
endif

PROTO_SRC   := $(wildcard proto/*.c)
HUB_SRC     := $(filter-out hub/main.c,$(wildcard hub/*.c hub/*/*.c))
CONSOLE_SRC := $(filter-out console/main.c,$(wildcard console/*.c))
PROTO_OBJ   := $(PROTO_SRC:%.c=$(B)/%.o)
HUB_OBJ     := $(HUB_SRC:%.c=$(B)/%.o)
CONSOLE_OBJ := $(CONSOLE_SRC:%.c=$(B)/%.o)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

# Binaries are linked per variant in $(B) and copied to bin/, so bin/
# always holds the variant last asked for (plain or SANITIZE=1).
all: $(B)/wardd $(B)/ward
	@mkdir -p bin
	@cp -f $(B)/wardd $(B)/ward bin/

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(B)/libwardproto.a: $(PROTO_OBJ)
	@rm -f $@; ar rcs $@ $^

$(B)/libwardhub.a: $(HUB_OBJ)
	@rm -f $@; ar rcs $@ $^

$(B)/libwardconsole.a: $(CONSOLE_OBJ)
	@rm -f $@; ar rcs $@ $^

$(B)/wardd: $(B)/hub/main.o $(B)/libwardhub.a $(B)/libwardproto.a
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/ward: $(B)/console/main.o $(B)/libwardconsole.a $(B)/libwardproto.a
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CURSES)

# Unit tests link against everything but the mains.
$(B)/tests/%: tests/unit/%.c $(B)/libwardhub.a $(B)/libwardconsole.a $(B)/libwardproto.a
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(B)/libwardhub.a $(B)/libwardconsole.a $(B)/libwardproto.a \
		$(LDFLAGS) $(LDLIBS) $(CURSES) -lcmocka

unit: $(UNIT_BIN)

# Load generators and benchmark programs (tests/bench/*.c, one main each).
BENCH_SRC   := $(wildcard tests/bench/*.c)
BENCH_BIN   := $(BENCH_SRC:tests/bench/%.c=$(B)/bench/%)
$(B)/bench/%: tests/bench/%.c $(B)/libwardhub.a $(B)/libwardproto.a
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(B)/libwardhub.a $(B)/libwardproto.a \
		$(LDFLAGS) $(LDLIBS)
tools: $(BENCH_BIN)

# make install [PREFIX=/usr/local] [DESTDIR=]: the binaries built again
# to find their rules, decoders and plugins under PREFIX/share/ward, the
# man pages, and the systemd unit.
PREFIX  ?= /usr/local
IB      := build/install
install:
	@$(MAKE) --no-print-directory B=$(IB) SHAREDIR=$(PREFIX)/share/ward \
		RULESDIR=$(PREFIX)/share/ward/rules $(IB)/wardd $(IB)/ward
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/ward \
		$(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 755 $(IB)/wardd $(IB)/ward $(DESTDIR)$(PREFIX)/bin/
	cp -R share/rules share/parsers share/plugins share/mappings share/actions \
		$(DESTDIR)$(PREFIX)/share/ward/
	for s in 1 5 7 8; do \
		ls man/*.$$s >/dev/null 2>&1 || continue; \
		install -d $(DESTDIR)$(PREFIX)/share/man/man$$s; \
		install -m 644 man/*.$$s $(DESTDIR)$(PREFIX)/share/man/man$$s/; \
	done
	sed 's|@BINDIR@|$(PREFIX)/bin|g' share/systemd/wardd.service \
		>$(DESTDIR)$(PREFIX)/lib/systemd/system/wardd.service
	chmod 644 $(DESTDIR)$(PREFIX)/lib/systemd/system/wardd.service

deps:
	@sh tests/deps.sh

check: deps
	@$(MAKE) --no-print-directory all unit tools
	@B=$(B) sh tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@sh share/demo/run.sh

bench: deps
	@$(MAKE) --no-print-directory all tools
	@B=$(B) sh tests/bench/run.sh $(BENCH)

FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)
build/fuzz/%: tests/fuzz/%.c $(PROTO_SRC) $(HUB_SRC)
	@mkdir -p $(dir $@)
	clang -g -O1 -std=c11 -D_GNU_SOURCE -Iproto $(addprefix -I,$(HUB_DIRS)) -fsanitize=fuzzer,address,undefined \
		-DWARD_RULES_DIR='"$(RULESDIR)"' -DWARD_SHARE_DIR='"$(SHAREDIR)"' \
		-o $@ $< $(PROTO_SRC) $(HUB_SRC) $(LDLIBS)
fuzz: $(FUZZ_BIN)

lint-man:
	mandoc -Tlint -Wwarning man/*.[0-9]

clean:
	rm -rf build bin

bin/wardd bin/ward: all

.PHONY: install all unit tools deps check demo bench fuzz clean lint-man
-include $(shell find build -name '*.d' -type f 2>/dev/null)
