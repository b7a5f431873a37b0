/*
 * bootstrap-maintscript-helper: a host-native stand-in for dpkg-maintscript-helper, bound over
 * /usr/bin/dpkg-maintscript-helper by bootstrap-sandbox (--stand-in) while maintainer scripts run in a root.
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
 * REAL_HELPER_FD, and it runs as `/bin/sh -c SCRIPT PATH ARGS`, which gives the script the same $0 and
 * arguments as the kernel's `#!/bin/sh` would.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* Agreed with bootstrap-sandbox.c: above what shells hand out (dash 0-9; bash's {var} from 10 upwards, lowest free). */
#define REAL_HELPER_FD 223
/* The script is passed as one argument; the kernel's limit for one argument is 128 KiB. */
#define MAX_SCRIPT (120 * 1024)

static int run_real(char **argv)
{
    static char script[MAX_SCRIPT + 1];
    struct stat st;
    if (fstat(REAL_HELPER_FD, &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "bootstrap-maintscript-helper: the real dpkg-maintscript-helper is not open on descriptor %d "
                        "(this stand-in only works under bootstrap-sandbox --stand-in)\n", REAL_HELPER_FD);
        return 2;
    }
    size_t length = 0;
    for (;;) {
        ssize_t n = pread(REAL_HELPER_FD, script + length, MAX_SCRIPT - length, (off_t)length);
        if (n < 0) {
            if (errno == EINTR) continue;
            perror("bootstrap-maintscript-helper: reading the real dpkg-maintscript-helper");
            return 2;
        }
        if (n == 0) break;
        length += (size_t)n;
        if (length == MAX_SCRIPT) {
            fprintf(stderr, "bootstrap-maintscript-helper: the real dpkg-maintscript-helper is larger than %d bytes\n", MAX_SCRIPT);
            return 2;
        }
    }
    script[length] = '\0';
    /* $0 is the path the caller executed, as the kernel gives it to a #! interpreter. */
    const char *path = (const char *)getauxval(AT_EXECFN);
    int argc = 0;
    while (argv[argc] != NULL) argc++;
    char **args = calloc((size_t)argc + 4, sizeof *args);
    if (args == NULL) return 2;
    args[0] = "/bin/sh";
    args[1] = "-c";
    args[2] = script;
    args[3] = (char *)(path != NULL ? path : argv[0]);
    for (int i = 1; i < argc; i++) args[3 + i] = argv[i];
    execv("/bin/sh", args);
    perror("bootstrap-maintscript-helper: executing /bin/sh");
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

/* 1 when the real helper would do nothing for this call, 0 when it must run. */
static int provably_nothing(int argc, char **argv)
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

int main(int argc, char **argv)
{
    if (provably_nothing(argc, argv)) return 0;
    return run_real(argv);
}
