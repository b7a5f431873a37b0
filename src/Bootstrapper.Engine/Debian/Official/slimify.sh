#!/bin/bash
# The "slim" variant of Debian's official images, as debuerreotype-slimify (debuerreotype 0.15, Apache-2.0) makes
# it, run inside the image's root by the image's own bash, find and dpkg-query (so the patterns mean exactly what
# they mean to debuerreotype: find -path, dpkg -S). Arguments: none. The lists below are debuerreotype's
# .slimify-excludes and .slimify-includes, comments dropped, sorted and de-duplicated as the script sorts them.
set -Eeuo pipefail
# debuerreotype's .constants.sh sets this umask for every script: the man directories made below are 0775.
umask 0002
export LC_ALL=C

slimExcludes=(
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
slimIncludes=(
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

# Man page section directories stay (empty), as in debuerreotype (its issue 10: some postinsts expect them).
shopt -s nullglob
extraSpecialDirectories=( /usr/share/man/man[0-9]/ )
shopt -u nullglob

dpkgCfgFile=/etc/dpkg/dpkg.cfg.d/docker
mkdir -p "$(dirname "$dpkgCfgFile")"
{
	echo '# This is the "slim" variant of the Debian base image.'
	echo '# Many files which are normally unnecessary in containers are excluded,'
	echo '# and this configuration file keeps them that way.'
} > "$dpkgCfgFile"

findMatchIncludes=()
for slimInclude in "${slimIncludes[@]}"; do
	[ "${#findMatchIncludes[@]}" -eq 0 ] || findMatchIncludes+=( '-o' )
	findMatchIncludes+=( -path "$slimInclude" )
done
findMatchIncludes=( '(' "${findMatchIncludes[@]}" ')' )

for slimExclude in "${slimExcludes[@]}"; do
	{
		echo
		echo "# dpkg -S '$slimExclude'"
		if dpkgOutput="$(dpkg -S "$slimExclude" 2>&1)"; then
			echo "$dpkgOutput" | sed 's/: .*//g; s/, /\n/g' | sort -u | xargs
		else
			echo "$dpkgOutput"
		fi | fold -w 76 -s | sed 's/^/#  /'
		echo "path-exclude $slimExclude"
	} >> "$dpkgCfgFile"

	if [[ "$slimExclude" == *'/*' ]]; then
		if [ -d "$(dirname "$slimExclude")" ]; then
			# Files that no include matches go first; then dangling links and empty directories (and empty
			# files), again and again, until none is left: dpkg's filters.c does the same in two passes.
			# (debuerreotype runs `-exec rm -f {} ;` here: the same files, one rm process each, ~8 s for bookworm.)
			find "$(dirname "$slimExclude")" -depth -mindepth 1 -not \( -type d -o -type l \) \
				-not "${findMatchIncludes[@]}" -delete
			while [ "$(find "$(dirname "$slimExclude")" -depth -mindepth 1 \( -empty -o -xtype l \) \
				-exec rm -rf '{}' ';' -printf '.' | wc -c)" -gt 0 ]; do true; done
		fi
	else
		rm -f "$slimExclude"
	fi
done
{
	echo
	for slimInclude in "${slimIncludes[@]}"; do
		echo "path-include $slimInclude"
	done
} >> "$dpkgCfgFile"
chmod 0644 "$dpkgCfgFile"

if [ "${#extraSpecialDirectories[@]}" -gt 0 ]; then
	mkdir -p "${extraSpecialDirectories[@]}"
fi
