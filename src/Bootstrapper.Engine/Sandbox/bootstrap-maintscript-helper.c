/*
 * bootstrap-maintscript-helper: a host-native stand-in for the helpers maintainer scripts call most,
 * dpkg-maintscript-helper and deb-systemd-helper, bound over them by bootstrap-sandbox (--stand-in) while
 * maintainer scripts run in a root. Which one it stands in for: the name it was executed as.
 *
 * Why: on a first install, debhelper's `dpkg-maintscript-helper rm_conffile|dir_to_symlink|symlink_to_dir ARGS
 * -- install` (preinst) and `-- configure` (postinst, no old version) do nothing but check their arguments: the
 * real helper is a shell script that starts basename and `dpkg --validate-version` for that. Under qemu-user each
 * of those is an emulated process; bookworm minbase makes ~90 such calls (tzdata, debian-archive-keyring, apt...).
 *
 * What it does: it decides, from its arguments, the environment and (for postinst) the file system, whether the
 * real helper (dpkg 1.21/1.22, whose rules this follows; the build binds the stand-in only over those) would
 * provably do nothing and print nothing. Then it exits 0. In every other case (an upgrade, an abort, a postrm,
 * mv_conffile, a leftover .dpkg-backup, a bad argument, a version outside the plainest form, DPKG_ROOT or
 * DPKG_DEBUG set...) it runs the real script: the sandbox opened it before the bind, on descriptor
 * MAINTSCRIPT_HELPER_FD, and it runs as `/bin/sh -c SCRIPT PATH ARGS`, which gives the script the same $0 and
 * arguments as the kernel's `#!/bin/sh` would.
 *
 * deb-systemd-helper (init-system-helpers 1.65-1.69, a Perl script; the build binds over that exact text only):
 * a first install's postinst runs `unmask UNIT` and `--quiet was-enabled UNIT` before `enable UNIT`. With no mask
 * link, no mask state directories and no enable state file, the first does nothing and the second exits 0
 * silently; the stand-in answers those and runs the real script (descriptor SYSTEMD_HELPER_FD) for everything
 * else, as `/usr/bin/perl -e 'BEGIN { $0 = PATH }' -e '#line 1 "PATH"' -e SCRIPT -- ARGS` (same $0, same file
 * name and line numbers in Perl's messages).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* Agreed with MaintscriptHelperStandIn.cs: above what shells hand out (dash 0-9; bash's {var} from 10 upwards,
 * lowest free). */
#define MAINTSCRIPT_HELPER_FD 223
#define SYSTEMD_HELPER_FD 224
/* The script is passed as one argument; the kernel's limit for one argument is 128 KiB. */
#define MAX_SCRIPT (120 * 1024)

/* Runs the covered script, open on fd, with the same $0 (the path the caller executed) and arguments. */
static int run_real(int fd, int perl, char **argv)
{
    static char script[MAX_SCRIPT + 1];
    static char line[4200], zero[4200];
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "bootstrap-maintscript-helper: the real %s is not open on descriptor %d "
                        "(this stand-in only works under bootstrap-sandbox --stand-in)\n", argv[0], fd);
        return 2;
    }
    size_t length = 0;
    for (;;) {
        ssize_t n = pread(fd, script + length, MAX_SCRIPT - length, (off_t)length);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("bootstrap-maintscript-helper: reading the real dpkg-maintscript-helper");
            return 2;
        }
        if (n == 0) break;
        length += (size_t)n;
        if (length == MAX_SCRIPT) {
            fprintf(stderr, "bootstrap-maintscript-helper: the real %s is larger than %d bytes\n", argv[0], MAX_SCRIPT);
            return 2;
        }
    }
    script[length] = '\0';
    /* $0 is the path the caller executed, as the kernel gives it to a #! interpreter. */
    const char *path = (const char *)getauxval(AT_EXECFN);
    if (path == NULL) path = argv[0];
    int argc = 0;
    while (argv[argc] != NULL) argc++;
    char **args = calloc((size_t)argc + 10, sizeof *args);
    if (args == NULL) return 2;
    int n = 0;
    if (!perl) {
        args[n++] = "/bin/sh";
        args[n++] = "-c";
        args[n++] = script;
        args[n++] = (char *)path;
    } else {
        if (strchr(path, '"') != NULL || strlen(path) > 4000) return 2;
        snprintf(zero, sizeof zero, "BEGIN { $0 = \"%s\" }", path);
        snprintf(line, sizeof line, "#line 1 \"%s\"", path);
        args[n++] = "/usr/bin/perl";
        args[n++] = "-e";
        args[n++] = zero;
        args[n++] = "-e";
        args[n++] = line;
        args[n++] = "-e";
        args[n++] = script;
        args[n++] = "--";
    }
    for (int i = 1; i < argc; i++) args[n++] = argv[i];
    execv(args[0], args);
    fprintf(stderr, "bootstrap-maintscript-helper: executing %s: %s\n", args[0], strerror(errno));
    return 2;
}

static int is_empty(const char *s) { return s == NULL || s[0] == '\0'; }

static int in_set(char c, const char *extra)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c != '\0' && strchr(extra, c) != NULL);
}

/* True only for versions `dpkg --validate-version` surely accepts: [EPOCH:]UPSTREAM[-REVISION], an epoch of at most
 * 9 digits, an upstream starting with a digit and holding only alphanumerics and . + ~ - (no further colon), a
 * non-empty revision of alphanumerics and . + ~. Anything else goes to the real helper, which lets dpkg judge. */
static int plain_version(const char *v)
{
    const char *colon = strchr(v, ':');
    if (colon != NULL) {
        size_t digits = (size_t)(colon - v);
        if (digits == 0 || digits > 9) return 0;
        for (const char *p = v; p < colon; p++)
            if (*p < '0' || *p > '9') return 0;
        v = colon + 1;
    }
    const char *hyphen = strrchr(v, '-');
    const char *end = hyphen != NULL ? hyphen : v + strlen(v);
    if (v == end || v[0] < '0' || v[0] > '9') return 0;
    for (const char *p = v; p < end; p++)
        if (!in_set(*p, ".+~-")) return 0;
    if (hyphen != NULL) {
        if (hyphen[1] == '\0') return 0;
        for (const char *p = hyphen + 1; *p; p++)
            if (!in_set(*p, ".+~")) return 0;
    }
    return 1;
}

/* Words the shell's `[ "$1" != "--" -a $# -gt 0 ]` could read as test operators: such calls go to the real helper. */
static int plain_word(const char *s)
{
    return !is_empty(s) && s[0] != '-' && s[0] != '!' && s[0] != '(' && s[0] != ')' && s[0] != '=';
}

static int exists_as(const char *path, int directory_not_symlink)
{
    struct stat st;
    if (directory_not_symlink) return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* 1 when the real dpkg-maintscript-helper would do nothing for this call, 0 when it must run. */
static int maintscript_helper_does_nothing(int argc, char **argv)
{
    const char *script = getenv("DPKG_MAINTSCRIPT_NAME");
    if (is_empty(script) || is_empty(getenv("DPKG_MAINTSCRIPT_PACKAGE"))) return 0;
    /* These change what the script prints or where it looks. */
    if (!is_empty(getenv("DPKG_ROOT")) || !is_empty(getenv("DPKG_DEBUG")) || !is_empty(getenv("DPKG_DATADIR"))) return 0;
    if (access("/usr/share/dpkg/sh/dpkg-error.sh", R_OK) != 0) return 0;
    if (argc < 2) return 0;
    const char *command = argv[1];
    int conffile = strcmp(command, "rm_conffile") == 0;
    int to_symlink = strcmp(command, "dir_to_symlink") == 0;
    int to_dir = strcmp(command, "symlink_to_dir") == 0;
    if (!conffile && !to_symlink && !to_dir) return 0;

    /* The command's parameters run up to "--"; the maintainer script's own follow it. */
    int dashes = -1;
    for (int i = 2; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) { dashes = i; break; }
    if (dashes < 0) return 0;
    int params = dashes - 2;
    char **param = argv + 2;
    for (int i = 0; i < params; i++)
        if (!plain_word(param[i])) return 0;
    const char *action = dashes + 1 < argc ? argv[dashes + 1] : "";
    const char *old_version = dashes + 2 < argc ? argv[dashes + 2] : "";
    if (is_empty(action)) return 0;

    /* rm_conffile CONFFILE [LASTVERSION [PACKAGE]]; the two others PATH TARGET [LASTVERSION [PACKAGE]]. */
    int first_optional = conffile ? 1 : 2;
    if (params < first_optional) return 0;
    const char *path = param[0];
    if (path[0] != '/') return 0;
    if (to_symlink) {
        size_t n = strlen(path);
        if (n < 2 || (n == 2 && path[1] == '/')) return 0;   /* "${1%/}" would leave nothing, or "/" */
    }
    if (to_dir && path[strlen(path) - 1] == '/') return 0;
    const char *last_version = params > first_optional ? param[first_optional] : "";
    if (!is_empty(last_version) && !plain_version(last_version)) return 0;

    if (strcmp(script, "preinst") == 0)
        /* Every command acts in preinst only for install/upgrade with an old version. */
        return strcmp(action, "install") == 0 && is_empty(old_version);
    if (strcmp(script, "postinst") != 0 || strcmp(action, "configure") != 0 || !is_empty(old_version)) return 0;
    if (conffile) return 1;   /* acts only with an old version */
    /* dir_to_symlink and symlink_to_dir finish a switch whatever the old version: only when no backup is left. */
    char backup[4096];
    size_t n = strlen(path);
    if (to_symlink && path[n - 1] == '/') n--;
    if (n + sizeof ".dpkg-backup" > sizeof backup) return 0;
    memcpy(backup, path, n);
    memcpy(backup + n, ".dpkg-backup", sizeof ".dpkg-backup");
    return !exists_as(backup, to_symlink);
}

static int absent(const char *path)
{
    struct stat st;
    return lstat(path, &st) != 0 && errno == ENOENT;
}

/* A unit name as debhelper writes it: no directory part, nothing Getopt::Long could read as an option. */
static int plain_unit(const char *s)
{
    return !is_empty(s) && s[0] != '-' && strchr(s, '/') == NULL && strlen(s) < 256;
}

/* 1 when the real deb-systemd-helper would do nothing and exit 0 for this call, 0 when it must run. */
static int systemd_helper_does_nothing(int argc, char **argv)
{
    if (is_empty(getenv("DPKG_MAINTSCRIPT_PACKAGE")) || !is_empty(getenv("DPKG_ROOT"))
        || getenv("_DEB_SYSTEMD_HELPER_DEBUG") != NULL || access("/usr/bin/perl", X_OK) != 0)
        return 0;
    char path[512];
    if (argc == 3 && strcmp(argv[1], "unmask") == 0 && plain_unit(argv[2])) {
        /* unmask_service: nothing without a mask link; then rmdir_if_empty of both masked-state directories. */
        snprintf(path, sizeof path, "/etc/systemd/system/%s", argv[2]);
        return absent(path) && absent("/var/lib/systemd/deb-systemd-helper-masked")
            && absent("/var/lib/systemd/deb-systemd-user-helper-masked");
    }
    if (argc == 4 && strcmp(argv[1], "--quiet") == 0 && strcmp(argv[2], "was-enabled") == 0 && plain_unit(argv[3])) {
        /* was_enabled: no state file, no recorded links, so "enabled" (exit 0), printed only without --quiet. */
        snprintf(path, sizeof path, "/var/lib/systemd/deb-systemd-helper-enabled/%s.dsh-also", argv[3]);
        return absent(path);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *path = (const char *)getauxval(AT_EXECFN);
    const char *name = path != NULL && strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path;
    if (name != NULL && strcmp(name, "deb-systemd-helper") == 0) {
        if (systemd_helper_does_nothing(argc, argv)) return 0;
        return run_real(SYSTEMD_HELPER_FD, 1, argv);
    }
    if (maintscript_helper_does_nothing(argc, argv)) return 0;
    return run_real(MAINTSCRIPT_HELPER_FD, 0, argv);
}
