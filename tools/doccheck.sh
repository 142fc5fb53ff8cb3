#!/bin/bash
# The man pages against the binary (make check's "docs"): every verb of
# `burrow --help` and every subcommand of a family (image, volume, secret,
# system, container) has a man page; every long option the code accepts is
# in its page as an OPTIONS entry (a .TP or .IP tag) and in its --help; every
# option a page's entries name is one the code accepts; every burrow page a
# page refers to, NAME(N), exists. Prints one line per gap and exits 1 when
# there is one.
#
# What the code accepts comes from the code itself: tools/doccheck-optdump.c,
# preloaded, prints the option table the verb hands getopt_long and exits
# before the verb does anything (each command runs with --help, which does
# nothing, should the table not be seen).
#
# Usage: tools/doccheck.sh [BURROW [MANDIR]]   (default ./burrow, man/)
#        tools/doccheck.sh --self-test         the check fails on planted gaps
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/burrow-doccheck.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ "${1:-}" = --self-test ]; then
	# a page without an option entry, a SEE ALSO to no page, a page gone:
	# each must be named, and the untouched pages must pass
	bin=${2:-$top/burrow}
	"$0" "$bin" "$top/man" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
	bad=0
	plant() { # what, sed script on FILE, FILE, line the check must print
		rm -rf "$tmp/man" && cp -r "$top/man" "$tmp/man"
		sed -i "$2" "$tmp/man/$3"
		if "$0" "$bin" "$tmp/man" >"$tmp/out" 2>&1 || ! grep -qF -- "$4" "$tmp/out"; then
			echo "doccheck --self-test: $1 went unnoticed (wanted '$4'):"
			cat "$tmp/out"
			bad=1
		fi
	}
	plant "a missing option" '/^\.BR \\-i ", " \\-\\-ignore/s/ignore/ignor/' burrow-stop.1 \
		"stop: --ignore is not in burrow-stop.1"
	plant "an option the code does not accept" '/^\.BR \\-i ", " \\-\\-ignore/s/ignore/ignor/' burrow-stop.1 \
		"burrow-stop.1: --ignor is no option of"
	plant "a SEE ALSO to no page" 's/^\.BR burrow-kill (1),/.BR burrow-kil (1),/' burrow-stop.1 \
		"burrow-stop.1: refers to burrow-kil(1), which is no page"
	rm -rf "$tmp/man" && cp -r "$top/man" "$tmp/man" && rm "$tmp/man/burrow-pause.1"
	if "$0" "$bin" "$tmp/man" >"$tmp/out" 2>&1 || ! grep -qF "pause: no man page" "$tmp/out"; then
		echo "doccheck --self-test: a verb without a page went unnoticed:"
		cat "$tmp/out"
		bad=1
	fi
	[ $bad -eq 0 ] && echo "doccheck --self-test: every planted gap was found"
	exit $bad
fi

bin=$(realpath "${1:-$top/burrow}")
man=${2:-$top/man}
cc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -O2 -shared -fPIC -o "$tmp/optdump.so" \
	"$top/tools/doccheck-optdump.c" -ldl || exit 1
# burrow with a storage of its own, in case a command did something
b() { "$bin" --root "$tmp/root" --runroot "$tmp/run" "$@" </dev/null 2>&1; }
opts() { LD_PRELOAD=$tmp/optdump.so b "$@" --help | sed -n 's/^opt //p' | sort -u; }

# the options a page's entries name: tags (the line after .TP or .TQ, an
# .IP line) that begin with an option, outside TROUBLESHOOTING (whose tags
# are messages); a page whose OPTIONS say "Every option of burrow X(1)"
# has X's too
page_opts() { # page
	awk '/^\.SH/ { skip = $0 ~ /TROUBLESHOOTING|EXAMPLES|SEE ALSO/ }
		!skip && (tag || /^\.IP /) && /^\.(B|BR|BI|IP) +"?(\\fB)?(\\-|-)/ { print }
		{ tag = $1 == ".TP" || $1 == ".TQ" }' "$1" |
		grep -oE '(\\-|-){2}[a-z0-9]([a-z0-9]|\\-|-)*' | sed 's/\\//g; s/^--//'
	local see
	see=$(sed -n 's/^Every option of \\fBburrow \([a-z]*\)\\fR(1).*/burrow-\1.1/p' "$1" | head -1)
	[ -z "$see" ] || [ ! -f "$man/$see" ] || page_opts "$man/$see"
}

# commands: the verbs, and for each family its subcommands (the lines of
# its help that start with two spaces and a name)
b --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p' >"$tmp/verbs"
[ -s "$tmp/verbs" ] || { echo "doccheck: '$bin --help' lists no commands"; exit 1; }
fail=0
gap() { echo "$*"; fail=1; }
: >"$tmp/cmds"
while read -r v; do
	echo "$v" >>"$tmp/cmds"
	b "$v" --help | head -1 | grep -q ' SUBCOMMAND' || continue
	b "$v" --help | sed -n 's/^  \([a-z][a-z-]*\)[ ,].*/\1/p' | sed "s/^/$v /" >>"$tmp/cmds"
done <"$tmp/verbs"

page_of() { # cmd usage-words: the first page of "A B", then of the usage's words, less the last until one is there
	local words name
	name=burrow-$(echo "$1" | tr ' ' '-').1
	[ -f "$man/$name" ] && { echo "$name"; return; }
	for words in "$2" "$1"; do
		set -- $words
		while [ $# -gt 0 ]; do
			name=burrow-$(echo "$*" | tr ' ' '-').1
			[ -f "$man/$name" ] && { echo "$name"; return; }
			set -- "${@:1:$(($# - 1))}"
		done
	done
}

# each command's page: burrow-A-B.1 for "A B", else that of the words its
# usage line begins with ("Usage: burrow images [OPTIONS]" for image ls),
# less the last word until there is one
: >"$tmp/pageopts"
while read -r cmd; do
	usage=$(b $cmd --help | sed -n '1s/^Usage: burrow //p' | awk '{ for (i = 1; i <= NF && $i ~ /^[a-z][a-z-]*$/; i++) printf "%s ", $i }')
	# a family's subcommand that is a verb of its own (container ps) was seen as that verb
	case $cmd in *" "*) [ "${usage%% *}" = "${cmd%% *}" ] || continue ;; esac
	page=$(page_of "$cmd" "$usage")
	if [ -z "$page" ]; then
		gap "$cmd: no man page (burrow-$(echo "$cmd" | tr ' ' '-').1)"
		continue
	fi
	help=$(b $cmd --help)
	page_opts "$man/$page" | sort -u >"$tmp/documented"
	for o in $(opts $cmd); do
		echo "$page $o" >>"$tmp/pageopts"
		grep -qx -- "$o" "$tmp/documented" || gap "$cmd: --$o is not in $page"
		grep -qE -- "--$o([^a-z0-9-]|$)" <<<"$help" || gap "$cmd: --$o is not in its --help"
	done
done <"$tmp/cmds"

# options a page documents that no command of the page accepts (burrow.1:
# the global options)
page_opts "$man/burrow.1" | sort -u >"$tmp/documented"
help=$(b --help)
for o in $(DOCCHECK_GLOBAL=1 LD_PRELOAD=$tmp/optdump.so b | sed -n 's/^opt //p' | sort -u); do
	echo "burrow.1 $o" >>"$tmp/pageopts"
	grep -qx -- "$o" "$tmp/documented" || gap "burrow: global option --$o is not in burrow.1"
	grep -qE -- "--$o([^a-z0-9-]|$)" <<<"$help" || gap "burrow: global option --$o is not in its --help"
done
for f in "$man"/*.[1-9]; do
	p=${f##*/}
	grep -q "^$p " "$tmp/pageopts" || [ "$p" = burrow.1 ] || continue
	for o in $(page_opts "$f" | sort -u); do
		grep -qx -- "$p $o" "$tmp/pageopts" ||
			gap "$p: --$o is no option of the commands it documents"
	done
done

# every burrow page a page names exists: "burrow-x (1)" and "burrow-x\fR(1)"
for f in "$man"/*.[1-9] "$top/README.md"; do
	for ref in $(grep -oE 'burrow(-[a-z]+)*(\.conf)?( |\\fR)?\([1-9]\)' "$f" | sed 's/\\fR//; s/ //' | sort -u); do
		name=${ref%(*} sec=${ref#*(}
		sec=${sec%)}
		[ -f "$man/$name.$sec" ] || gap "${f##*/}: refers to $ref, which is no page"
	done
done
exit $fail
