#!/bin/bash
# Makes the root the "slim" flavour of Debian's official images, run inside it by its own bash, find and dpkg-query,
# so that each pattern means what it means to dpkg (dpkg -S, path-exclude) and to find (-path). No arguments.
#
# What the official slim images are (measured against debuerreotype 0.15's output, tests/Bootstrapper.EndToEnd/Official):
# - documentation, info and man pages, translations and a few help trees are removed, except copyright files and
#   the C/English variants listed below;
# - /etc/dpkg/dpkg.cfg.d/docker keeps them out of later installs: a header, then for each removed pattern a comment
#   naming the packages that own files there (dpkg -S, folded to 76 columns) and its path-exclude line, then the
#   path-include lines of what is kept;
# - the man section directories that existed stay, empty (some postinsts expect them);
# - directories made here are 0775 (the official build runs under umask 0002).
set -Eeuo pipefail
umask 0002
export LC_ALL=C

# Kept out of the image, in dpkg's glob syntax (sorted, as the official file lists them).
drop=(
	'/usr/share/doc/*'
	'/usr/share/doc/kde/HTML/*/*'
	'/usr/share/gnome/help/*/*'
	'/usr/share/info/*'
	'/usr/share/linda/*'
	'/usr/share/lintian/overrides/*'
	'/usr/share/locale/*'
	'/usr/share/man/*'
	'/usr/share/omf/*/*-*.emf'
)
# Kept in spite of a pattern above.
keep=(
	'/usr/share/doc/*/copyright'
	'/usr/share/doc/kde/HTML/C/*'
	'/usr/share/gnome/help/*/C/*'
	'/usr/share/locale/all_languages'
	'/usr/share/locale/currency/*'
	'/usr/share/locale/l10n/*'
	'/usr/share/locale/languages'
	'/usr/share/locale/locale.alias'
	'/usr/share/omf/*/*-C.emf'
)
config=/etc/dpkg/dpkg.cfg.d/docker

shopt -s nullglob
man_sections=( /usr/share/man/man[0-9]/ )
shopt -u nullglob

# find's test for "matches one of the kept patterns".
kept_test=( '(' )
for pattern in "${keep[@]}"; do
	[ "${#kept_test[@]}" -eq 1 ] || kept_test+=( -o )
	kept_test+=( -path "$pattern" )
done
kept_test+=( ')' )

# The comment above a path-exclude line: the owning packages, one line, folded and prefixed with "#  ".
owners_comment() {
	local listing
	if listing="$(dpkg -S "$1" 2>&1)"; then
		printf '%s\n' "$listing" | sed 's/: .*//g; s/, /\n/g' | sort -u | xargs
	else
		printf '%s\n' "$listing"
	fi | fold -w 76 -s | sed 's/^/#  /'
}

# Removes what a pattern names. A trailing /* means "everything under that directory that is not kept": files and
# links that no kept pattern matches, then whatever is left empty or dangling, repeated until nothing more goes
# (dpkg's own filter does the same in two passes).
drop_pattern() {
	local pattern=$1 dir
	if [[ "$pattern" != *'/*' ]]; then
		rm -f "$pattern"
		return
	fi
	dir="$(dirname "$pattern")"
	[ -d "$dir" ] || return 0
	find "$dir" -depth -mindepth 1 -not \( -type d -o -type l \) -not "${kept_test[@]}" -delete
	while [ "$(find "$dir" -depth -mindepth 1 \( -empty -o -xtype l \) -exec rm -rf '{}' ';' -printf '.' | wc -c)" -gt 0 ]; do
		:
	done
}

mkdir -p "$(dirname "$config")"
printf '%s\n' \
	'# This is the "slim" variant of the Debian base image.' \
	'# Many files which are normally unnecessary in containers are excluded,' \
	'# and this configuration file keeps them that way.' > "$config"
for pattern in "${drop[@]}"; do
	{
		echo
		echo "# dpkg -S '$pattern'"
		owners_comment "$pattern"
		echo "path-exclude $pattern"
	} >> "$config"
	drop_pattern "$pattern"
done
{
	echo
	printf 'path-include %s\n' "${keep[@]}"
} >> "$config"
chmod 0644 "$config"

if [ "${#man_sections[@]}" -gt 0 ]; then
	mkdir -p "${man_sections[@]}"
fi
