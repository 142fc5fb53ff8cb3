#!/bin/bash
# Includes point down the table of ARCHITECTURE.md ("Folders, and what may
# include what"): a folder includes headers of its own and of the folders
# it may use, never of one above it. Prints each offending include as FILE:LINE and exits 1
# when there is one.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

# folder -> the folders it may use (besides itself)
declare -A may=(
	[cmd]="container runtime userns netns overlay image state lib"
	[container]="runtime netns overlay image state userns lib"
	[runtime]="lib"
	[userns]="lib"
	[netns]="lib"
	[overlay]="lib"
	[image]="overlay state lib"
	[state]="lib"
	[lib]=""
)

bad=0
for dir in "${!may[@]}"; do
	[ -d "$dir" ] || continue
	while IFS=: read -r file line text; do
		inc=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]\([^">]*\)[">].*/\1/p' <<<"$text")
		case $inc in */*) ;; *) continue ;; esac
		to=${inc%%/*}
		[ "$to" = "$dir" ] && continue
		# only our own folders count (<sys/...>, <linux/...> do not)
		[ -n "${may[$to]+x}" ] || continue
		case " ${may[$dir]} " in *" $to "*) continue ;; esac
		echo "$file:$line: includes \"$inc\", but $dir/ may use only: ${may[$dir]:-nothing but itself} (see DESIGN.md)"
		bad=1
	done < <(grep -n '^[[:space:]]*#[[:space:]]*include' "$dir"/*.[ch] 2>/dev/null)
done
exit $bad
