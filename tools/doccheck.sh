#!/bin/bash
# The man pages against the binary (make check's "docs"): every verb of
# `burrow --help` and every subcommand of a family (image, volume, secret,
# system, container) has a man page, and a family's page an entry for each
# subcommand; every option the code accepts, long and short, is in its page
# as an OPTIONS entry (a .TP or .IP tag) and in its --help; every option a page's
# entries name is one the code accepts; every page has EXIT STATUS and SEE
# ALSO; every burrow page a page refers to, NAME(N), exists; the options
# of every burrow command in the README and the pages' EXAMPLES are the
# command's. Prints one
# line per gap and exits 1 when there is one.
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
	# the pages as they are pass; each planted gap is named
	bin=${2:-$top/burrow}
	export DOCCHECK_CACHE=$tmp/cache
	"$0" "$bin" "$top/man" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
	bad=0
	plant() { # what, FILE, sed script on it (empty: remove it), the line the check must print
		rm -rf "$tmp/man" && cp -r "$top/man" "$tmp/man"
		if [ -n "$3" ]; then sed -i "$3" "$tmp/man/$2"; else rm "$tmp/man/$2"; fi
		if "$0" "$bin" "$tmp/man" >"$tmp/out" 2>&1 || ! grep -qxF -- "$4" "$tmp/out"; then
			echo "doccheck --self-test: $1 went unnoticed (wanted '$4'):"
			cat "$tmp/out"
			bad=1
		fi
	}
	plant "a missing option" burrow-stop.1 '/^\.BR \\-i ", " \\-\\-ignore/s/ignore/ignor/' \
		"stop: --ignore is not in burrow-stop.1"
	plant "an option the code does not take" burrow-stop.1 '/^\.BR \\-i ", " \\-\\-ignore/s/ignore/ignor/' \
		"burrow-stop.1: --ignor is no option of the commands it documents"
	plant "a missing short option" burrow-stop.1 's/^\.BR \\-i ", " \\-\\-ignore$/.B \\-\\-ignore/' \
		"stop: -i is not in burrow-stop.1"
	plant "an entry that lost its .TP" burrow-run.1 '/^\.TP$/{N;s/^\.TP\n\(\.BI \\-\\-cap\\-add\)/\1/}' \
		"run: --cap-add is not in burrow-run.1"
	plant "a missing subcommand" burrow-container.1 's/ stats,//' \
		"container stats: the subcommand is not in burrow-container.1"
	plant "a SEE ALSO to no page" burrow-stop.1 's/^\.BR burrow-kill (1),/.BR burrow-kil (1),/' \
		"burrow-stop.1: refers to burrow-kil(1), which is no page"
	plant "a verb without a page" burrow-pause.1 "" "pause: no man page (burrow-pause.1)"
	plant "a podman option said not taken that is" burrow-run.1 's/^\(unknown flags here.*\)$/\1 \\fB\\-\\-rm\\fR,/' \
		"burrow-run.1: says --rm is not taken, but burrow run takes it"
	plant "an example with an option the verb lacks" burrow-stop.1 's/^burrow stop \\-t 1 web db$/burrow stop \\-T 1 web db/' \
		"burrow-stop.1: burrow stop: no option -T"
	plant "a page that does not say how it exits" burrow-stop.1 's/^\.SH EXIT STATUS/.SH EXIT/' \
		"burrow-stop.1: no EXIT STATUS section"
	sed 's/stats --no-stream box/stats --no-strem box/; s/logs -f --tail 5 web/logs -F --tail 5 web/' \
		"$top/README.md" >"$tmp/README.md"
	rm -rf "$tmp/man" && cp -r "$top/man" "$tmp/man"
	if DOCCHECK_README=$tmp/README.md "$0" "$bin" "$tmp/man" >"$tmp/out" 2>&1 ||
		[ "$(cat "$tmp/out")" != "README.md: burrow logs: no option -F"$'\n'"README.md: burrow stats: no option --no-strem" ]; then
		echo "doccheck --self-test: the README's unknown options went unnoticed:"
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
# burrow with a storage of its own, in case a command did something; its
# answers kept in DOCCHECK_CACHE (the self-test's runs share them)
cache=${DOCCHECK_CACHE:-$tmp/cache}
mkdir -p "$cache"
b() { # [preload [global]] ARG...: with tools/doccheck-optdump.c, and its DOCCHECK_GLOBAL
	local key mode=plain env=()
	case ${1:-} in
	preload) mode=$1 env=(LD_PRELOAD="$tmp/optdump.so") && shift ;;
	global) mode=$1 env=(LD_PRELOAD="$tmp/optdump.so" DOCCHECK_GLOBAL=1) && shift ;;
	esac
	key="$mode $*"
	key=${key//[^a-zA-Z0-9=-]/_}
	[ -f "$cache/$key" ] || env "${env[@]}" "$bin" --root "$tmp/root" --runroot "$tmp/run" "$@" </dev/null >"$cache/$key" 2>&1
	printf '%s\n' "$(<"$cache/$key")"
}
in_help() { # option help-text: --OPTION is in it
	[[ $2 =~ --$1([^a-z0-9-]|$) ]]
}
opts() { b preload "$@" --help | sed -n 's/^opt \([^ ]*\) \([0-9]\)$/\1:\2/p' | sort -u; }
shorts() { b preload "$@" --help | sed -n 's/^short \(.\) [0-9]$/\1/p' | sort -u; }
# what the verb says to an option alone (and --help): "unknown" when it
# refuses it as unknown (a table shared with another verb: create has
# run's, push pull's), "refused" when it refuses it otherwise (an option of
# podman's it cannot have: --subuidname; its page says so, its --help need
# not), else nothing
refusal() { # name:has_arg cmd...
	local o=${1%:*} arg=${1#*:} out
	shift
	if [ "$arg" = 0 ]; then
		out=$(cd "$tmp" && b "$@" "--$o" --help)
	else
		out=$(cd "$tmp" && b "$@" "--$o=x" --help)
	fi
	if [[ $out == *"unknown flag '--$o'"* ]]; then
		echo unknown
	elif [[ $out != *"Usage: burrow"* && $out == *"--$o"* ]]; then
		echo refused
	fi
}

# the options a page's entries name: tags (the line after .TP or .TQ, an
# .IP line) that begin with an option, outside TROUBLESHOOTING (whose tags
# are messages)
tags() { # page
	awk '/^\.SH/ { skip = $0 ~ /TROUBLESHOOTING|EXAMPLES|SEE ALSO/ }
		!skip && (tag || /^\.IP /) && /^\.(B|BR|BI|IP) +"?(\\fB)?(\\-|-)/ { print }
		{ tag = $1 == ".TP" || $1 == ".TQ" }' "$1"
}
own_opts() { # page
	tags "$1" | grep -oE '(\\-|-){2}[a-z0-9]([a-z0-9]|\\-|-)*' | sed 's/\\//g; s/^--//'
	# short ones as -X
	tags "$1" | grep -oE '(^\.[A-Z]+ +|[ "]|\\fB)(\\-|-)[a-zA-Z]([^a-zA-Z0-9]|$)' |
		sed -E 's/^(\.[A-Z]+ +|[ "]|\\fB)(\\-|-)([a-zA-Z]).*/-\3/'
}
# and those of the page it is (.so man1/PAGE), or whose options it takes
# ("Every option of \fBburrow run\fR(1) but ...")
page_opts() { # page
	local so see
	so=$(sed -n '1s|^\.so man[1-9]/||p' "$1")
	[ -z "$so" ] || { page_opts "$man/$so"; return; }
	own_opts "$1"
	see=$(sed -n 's/^Every option of \\fBburrow \([a-z]*\)\\fR(1).*/burrow-\1.1/p' "$1" | head -1)
	[ -z "$see" ] || [ ! -f "$man/$see" ] || own_opts "$man/$see"
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

# the subcommands a family's page has entries for: the names a tag (.TP's
# line, .SS) begins with, "ls, list" or "attach, cp, create" alike
subs_of() { # page
	awk '(tag || /^\.SS /) && /^\.(B|BR|BI|SS) / { sub(/^\.[A-Z]+ +/, ""); gsub(/\\f[BIR]|"/, "");
			if (match($0, /^[a-z][a-z-]*(, *[a-z][a-z-]*)*/)) { n = split(substr($0, 1, RLENGTH), w, /, */);
				for (i = 1; i <= n; i++) print w[i] } }
		{ tag = $1 == ".TP" }' "$1"
}

page_of() { # cmd usage-words: the first page of "A B", then of the usage's words, less the last until one is there
	local words name
	name=burrow-${1// /-}.1
	[ -f "$man/$name" ] && { echo "$name"; return; }
	for words in "$2" "$1"; do
		set -- $words
		while [ $# -gt 0 ]; do
			name="burrow-$*"
			name=${name// /-}.1
			[ -f "$man/$name" ] && { echo "$name"; return; }
			set -- "${@:1:$(($# - 1))}"
		done
	done
}

# each command's page: burrow-A-B.1 for "A B", else that of the words its
# usage line begins with ("Usage: burrow images [OPTIONS]" for image ls),
# less the last word until there is one
# the preload must see the verbs' tables (cmd_getopt's "help", 0x100):
# without them every command would pass with no option at all
[ -n "$(opts stop)" ] || { echo "doccheck: no option table seen (tools/doccheck-optdump.c against cmd_getopt)"; exit 1; }
declare -A pageopt=() documented=()
documented_in() { # page: documented[] holds its options
	documented=()
	local o
	for o in $(page_opts "$1"); do documented[$o]=1; done
}
while read -r cmd; do
	help=$(b $cmd --help)
	usage=$(sed -n '1s/^Usage: burrow //p' <<<"$help" | awk '{ for (i = 1; i <= NF && $i ~ /^[a-z][a-z-]*$/; i++) printf "%s ", $i }')
	case $cmd in *" "*)
		[ -f "$man/burrow-${cmd%% *}.1" ] && subs_of "$man/burrow-${cmd%% *}.1" | grep -qx -- "${cmd#* }" ||
			gap "$cmd: the subcommand is not in burrow-${cmd%% *}.1"
		# a subcommand that is a verb of its own (container ps) was seen as that verb
		[ "${usage%% *}" = "${cmd%% *}" ] || continue
		;;
	esac
	page=$(page_of "$cmd" "$usage")
	if [ -z "$page" ]; then
		gap "$cmd: no man page (burrow-${cmd// /-}.1)"
		continue
	fi
	documented_in "$man/$page"
	for oa in $(opts $cmd); do
		o=${oa%:*} why=
		if [ -z "${documented[$o]:-}" ] || ! in_help "$o" "$help"; then
			why=$(refusal "$oa" $cmd)
			[ "$why" = unknown ] && continue
		fi
		pageopt["$page $o"]=1
		[ -n "${documented[$o]:-}" ] || gap "$cmd: --$o is not in $page"
		[ "$why" = refused ] || in_help "$o" "$help" || gap "$cmd: --$o is not in its --help"
	done
	for o in $(shorts $cmd); do
		[ -n "${documented[-$o]:-}" ] || gap "$cmd: -$o is not in $page"
		[[ $help =~ (^|[^a-zA-Z0-9-])-$o([^a-zA-Z0-9-]|$) ]] || gap "$cmd: -$o is not in its --help"
	done
done <"$tmp/cmds"

# the global options: burrow.1's
documented_in "$man/burrow.1"
help=$(b --help)
for oa in $(b global | sed -n 's/^opt \([^ ]*\) \([0-9]\)$/\1:\2/p' | sort -u); do
	o=${oa%:*}
	pageopt["burrow.1 $o"]=1
	[ -n "${documented[$o]:-}" ] || gap "burrow: global option --$o is not in burrow.1"
	in_help "$o" "$help" || [ "$(refusal "$oa")" = refused ] ||
		gap "burrow: global option --$o is not in its --help"
done

# options a page documents that no command of the page accepts
declare -A checked=()
for k in "${!pageopt[@]}"; do checked[${k%% *}]=1; done
for f in "$man"/*.[1-9]; do
	p=${f##*/}
	[ -n "${checked[$p]:-}" ] || continue
	for o in $(own_opts "$f" | grep -v '^-' | sort -u); do
		[ -n "${pageopt["$p $o"]:-}" ] || gap "$p: --$o is no option of the commands it documents"
	done
done

# the README's tour and the pages' EXAMPLES: each burrow command's leading
# options are the command's or global ones (its words, shell-quoted, split
# as the shell would)
readme=${DOCCHECK_README:-$top/README.md}
python3 - "$readme" "$man"/*.[1-9] >"$tmp/tour" <<'PY' || gap "cannot read the commands of README.md and the pages"
import os, re, shlex, sys
def commands(name, lines, prog):
    for line in lines:
        try:
            lex = shlex.shlex(line.strip(), posix=True, punctuation_chars=";&|")
            lex.whitespace_split = True
            words = list(lex)
        except ValueError:
            continue
        cmd = []
        for w in words + [";"]:
            if w in (";", "&&", "||", "|", "&"):
                if cmd and cmd[0] == prog:
                    print("\x1f".join([name] + cmd[1:]))
                cmd = []
            elif not (w.startswith("#") and not cmd):
                cmd.append(w)
readme = sys.argv[1]
text = open(readme).read().replace("\\\n", " ")
commands("README.md", [l for l in text.splitlines() if l.startswith("    ")], "./burrow")
for page in sys.argv[2:]:
    lines, ex, block = [], False, False
    for l in open(page).read().splitlines():
        if l.startswith(".SH"):
            ex = l.strip() == ".SH EXAMPLES"
        elif ex and l.startswith(".nf"):
            block = True
        elif ex and l.startswith(".fi"):
            block = False
        elif ex and block and not l.startswith("."):
            lines.append(re.sub(r"\\f[BIRP]", "", l).replace("\\-", "-").replace("\\(aq", "'").replace("\\e", "\\"))
    commands(os.path.basename(page), lines, "burrow")
PY
families=" image volume secret system container generate "
# the global options, which any command takes too
globals=$(b global | sed -n 's/^opt \([^ ]*\) \([0-9]\)$/\1:\2/p' | grep -v '^version:' | tr '\n' ' ')
while IFS=$'\x1f' read -r -a w; do
	[ ${#w[@]} -gt 1 ] || continue
	where=${w[0]} cmd=${w[1]} i=2
	[[ $families == *" $cmd "* && ${#w[@]} -gt 2 ]] && cmd="$cmd ${w[2]}" i=3
	long=" $(opts $cmd | tr '\n' ' ') $globals" short=$(b preload $cmd --help | sed -n 's/^short \(.\) \([0-9]\)$/\1\2/p' | tr -d '\n')
	while [ $i -lt ${#w[@]} ] && [[ ${w[i]} == -?* ]]; do
		a=${w[i]} i=$((i + 1))
		if [[ $a == --* ]]; then
			o=${a#--} o=${o%%=*}
			if [[ $long == *" $o:1 "* ]]; then
				[[ $a == *=* ]] || i=$((i + 1))
			elif [[ $long != *" $o:0 "* && $long != *" $o:2 "* ]]; then
				gap "$where: burrow $cmd: no option --$o"
			fi
			continue
		fi
		for ((k = 1; k < ${#a}; k++)); do
			c=${a:k:1}
			if [[ $short == *"${c}1"* ]]; then
				[ $((k + 1)) -lt ${#a} ] || i=$((i + 1))
				break
			fi
			[[ $short == *"${c}0"* ]] || gap "$where: burrow $cmd: no option -$c"
		done
	done
done <"$tmp/tour"

# podman's options a page says burrow does not take: none may be taken
for f in "$man"/burrow-*.1; do
	nottaken=$(sed -n "/^\.SH PODMAN'S OPTIONS THAT BURROW DOES NOT TAKE/,/^\.SH/p" "$f" | sed '1d' |
		grep -oE '(\\-|-){2}[a-z0-9]([a-z0-9]|\\-|-)*' | sed 's/\\//g; s/^--//' | sort -u)
	[ -n "$nottaken" ] || continue
	cmd=${f##*/burrow-} cmd=${cmd%.1}
	taken=" $(opts $cmd | tr '\n' ' ') "
	for o in $nottaken; do
		[[ $taken != *" $o:"* ]] || gap "${f##*/}: says --$o is not taken, but burrow $cmd takes it"
	done
done

# every command's page says how it exits, and what to read next
for f in "$man"/*.1; do
	sed -n 1p "$f" | grep -q '^\.so ' && continue
	grep -q '^\.SH EXIT STATUS' "$f" || gap "${f##*/}: no EXIT STATUS section"
	grep -q '^\.SH SEE ALSO' "$f" || gap "${f##*/}: no SEE ALSO section"
done

# every burrow page a page names exists: "burrow-x (1)" and "burrow-x\fR(1)"
for f in "$man"/*.[1-9] "$readme"; do
	for ref in $(grep -oE 'burrow(-[a-z]+)*(\.conf)?( |\\fR)?\([1-9]\)' "$f" | sed 's/\\fR//; s/ //' | sort -u); do
		name=${ref%(*} sec=${ref#*(}
		sec=${sec%)}
		[ -f "$man/$name.$sec" ] || gap "${f##*/}: refers to $ref, which is no page"
	done
done
exit $fail
