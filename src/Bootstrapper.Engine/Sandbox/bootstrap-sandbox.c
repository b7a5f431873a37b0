/*
 * bootstrap-sandbox: run one command inside a staging root, contained.
 *
 *   bootstrap-sandbox [--network] [--umask OCTAL] [--stand-in PROGRAM PATH FD]... ROOT -- COMMAND [ARG...]
 *   bootstrap-sandbox --check DIR
 *
 * --check sets up everything (namespaces, jail, pivot_root, a proc, the capability cut) around DIR without
 * writing into it or running anything, then exits 0: a build asks this before downloading, so a host or a container
 * that cannot give a sandbox is told so at once.
 *
 * Why a C program: .NET cannot fork, and every step below must happen in the child between fork and exec.
 * The layout, in the new mount namespace (the host never sees any of it):
 *
 *   /            a small read-only tmpfs (the "jail"), PID 1 (this program) lives here
 *   /root        ROOT, bind-mounted; the command is chrooted here
 *   /root/proc   a proc for the new PID namespace
 *
 * The host's root is detached after pivot_root, so nothing of the host is reachable: not through /proc/1/root
 * (PID 1's root is the jail), not through the classic chroot() escape (it ends in the jail), not through a
 * mount (CAP_SYS_ADMIN is not in the command's capability set). PID 1's root differs from the command's on
 * purpose: ischroot(1) compares / with /proc/1/root, and libc6's postinst sleeps a second when it finds no chroot.
 *
 * Steps, in order:
 *   1. unshare mount, PID, IPC, UTS (and network unless --network) namespaces; fork: the child is PID 1;
 *   2. PID 1 opens ROOT with O_PATH|O_NOFOLLOW (a symlink planted as the root is refused);
 *   3. PID 1: SIGKILL when the host-side parent dies (so killing the build kills the namespace); a session
 *      of its own (no controlling terminal: /dev/tty leads nowhere); all mounts private; a tmpfs over ROOT's
 *      path (only a mount point now); ROOT bound from the descriptor onto /root inside it, nodev; pivot_root;
 *      /proc for the new PID namespace; the host's null, zero, full, random, urandom and tty bound over the
 *      root's nodes (see bind_devices); the old root detached; the jail remounted read-only;
 *   4. PID 1 cuts its capability bounding set to what package managers need (the set container engines give a
 *      build step) and sets no_new_privs, then forks the command, which inherits both: chroot /root, chdir /,
 *      umask, exec;
 *   5. PID 1 reaps every process until the command exits, then exits with its status: the kernel kills what
 *      is left of the namespace (double-forked daemons included).
 *
 * --stand-in binds the host's PROGRAM, read-only, over the root's regular file PATH (absolute, resolved inside the
 * root) for this command only, and leaves the file it covers open on descriptor FD (10-1023) for the stand-in to
 * fall back to (bootstrap-maintscript-helper.c). Nothing is written into the root; without a regular file at PATH
 * nothing is bound. Up to four.
 *
 * Exit status: the command's (128 + signal when killed), 125 when the sandbox could not be set up (the message
 * on stderr starts with "bootstrap-sandbox:"), 127/126 when the command cannot be executed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define SETUP_FAILED 125
#define MAX_STAND_INS 4

static void die(const char *fmt, ...)
{
    int saved = errno;
    va_list ap;
    fputs("bootstrap-sandbox: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (saved != 0) fprintf(stderr, ": %s", strerror(saved));
    fputc('\n', stderr);
    _exit(SETUP_FAILED);
}

/* The capabilities a build step keeps: the default set of Docker and podman for a container (what `RUN apt-get
 * install` has always run with), so every maintainer script that works in a Dockerfile works here. Everything
 * else (CAP_SYS_ADMIN for mounts, CAP_SYS_PTRACE, CAP_SYS_MODULE, CAP_DAC_READ_SEARCH for open_by_handle_at,
 * CAP_NET_ADMIN, CAP_SYS_RAWIO, CAP_SYS_BOOT, ...) leaves the bounding set before the command starts. */
static const int kept_caps[] = {
    CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_SETPCAP,
    CAP_NET_BIND_SERVICE, CAP_NET_RAW, CAP_SYS_CHROOT, CAP_MKNOD, CAP_AUDIT_WRITE, CAP_SETFCAP,
};

static int is_kept(int cap)
{
    for (size_t i = 0; i < sizeof kept_caps / sizeof kept_caps[0]; i++)
        if (kept_caps[i] == cap) return 1;
    return 0;
}

static void limit_capabilities(void)
{
    for (int cap = 0; cap < 64; cap++) {
        if (is_kept(cap)) continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
            die("dropping capability %d from the bounding set", cap);
    }
    errno = 0;
    /* root's permitted set after exec is (inheritable & file) | (bounding & file): clear the inheritable and
     * ambient sets too, so the bounding set is the whole story. */
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        die("clearing the ambient capabilities");
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (size_t i = 0; i < sizeof kept_caps / sizeof kept_caps[0]; i++) {
        int cap = kept_caps[i];
        data[cap / 32].effective |= 1u << (cap % 32);
        data[cap / 32].permitted |= 1u << (cap % 32);
    }
    if (syscall(SYS_capset, &header, data) != 0) die("setting the capability sets");
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die("setting no_new_privs");
}

static void make_dir(const char *path, mode_t mode)
{
    if (mkdir(path, mode) != 0 && errno != EEXIST) die("mkdir %s", path);
    errno = 0;
}

/* The root is mounted nodev: a device node in it is inert, so a script with CAP_MKNOD cannot make itself a
 * node for a host disk and write to it. The harmless character devices scripts use are bound in from the host
 * instead, over the root's own nodes (Debian roots carry them; see ChrootDevices), or, for a root that has no
 * /dev/null yet (an Alpine root before its first package), onto a small tmpfs /dev as apk does. Paths resolve
 * inside the jail, so a hostile dev symlink cannot lead out. */
static const char *const device_names[] = { "null", "zero", "full", "random", "urandom", "tty" };

static void bind_devices(const char *host_dev)
{
    struct stat st;
    char source[256], target[64];
    int have_dev = lstat("/root/dev/null", &st) == 0;
    if (!have_dev) {
        make_dir("/root/dev", 0755);
        if (mount("tmpfs", "/root/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") != 0)
            die("mounting a tmpfs on /dev of the root");
    }
    for (size_t i = 0; i < sizeof device_names / sizeof device_names[0]; i++) {
        snprintf(source, sizeof source, "%s/%s", host_dev, device_names[i]);
        snprintf(target, sizeof target, "/root/dev/%s", device_names[i]);
        if (have_dev) {
            /* Only over a node the root really has (or the empty file that stands in for one where a user namespace
             * cannot mknod): never create entries in the image's /dev. */
            if (lstat(target, &st) != 0 || !(S_ISCHR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0))) {
                errno = 0;
                continue;
            }
        } else {
            int fd = open(target, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
            if (fd < 0) die("creating %s", target);
            close(fd);
        }
        if (mount(source, target, NULL, MS_BIND, NULL) != 0) die("binding %s", source);
    }
}

/* Per-mount flags of the root's own file system, kept when the bind is remounted nodev. */
static unsigned long mount_flags_of(const char *path)
{
    struct statvfs vfs;
    if (statvfs(path, &vfs) != 0) die("statvfs %s", path);
    unsigned long flags = 0;
    if (vfs.f_flag & ST_RDONLY) flags |= MS_RDONLY;
    if (vfs.f_flag & ST_NOSUID) flags |= MS_NOSUID;
    if (vfs.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
    if (vfs.f_flag & ST_NOATIME) flags |= MS_NOATIME;
    if (vfs.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
    if (vfs.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    return flags;
}

static int run_command(char **argv, mode_t mask)
{
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        if (chroot("/root") != 0) die("chroot /root");
        if (chdir("/") != 0) die("chdir / in the root");
        umask(mask);
        signal(SIGPIPE, SIG_DFL);
        execvp(argv[0], argv);
        int code = errno == ENOENT ? 127 : 126;
        fprintf(stderr, "bootstrap-sandbox: cannot execute %s in the root: %s\n", argv[0], strerror(errno));
        _exit(code);
    }
    /* PID 1: reap everything; the command's status is ours. */
    for (;;) {
        int status;
        pid_t done = waitpid(-1, &status, 0);
        if (done < 0) {
            if (errno == EINTR) continue;
            die("waiting for the command");
        }
        if (done != pid) continue;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    }
}

static int check_only;
static struct {
    const char *program;              /* the host's stand-in program */
    const char *path;                 /* the root's file it covers */
    int fd;                           /* where the covered file stays open */
    int program_fd;                   /* O_PATH descriptor of the program */
} stand_ins[MAX_STAND_INS];
static int stand_in_count;

/* Binds a stand-in over its path in the root (mounted at /root). The path is resolved as if /root were / (an
 * absolute symlink in the root cannot lead into the jail), the bind is read-only (a script cannot write to the
 * host's program), and the covered file stays open, without close-on-exec, on the stand-in's descriptor. */
static void bind_stand_in(int stand_in, const char *stand_in_path, int fd)
{
    int root_fd = open("/root", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0) die("opening /root");
    struct open_how how = { .flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
    int real = (int)syscall(SYS_openat2, root_fd, stand_in_path + 1, &how, sizeof how);
    close(root_fd);
    struct stat st;
    if (real < 0 || fstat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (real >= 0) close(real);
        errno = 0;
        return;
    }
    if (dup2(real, fd) != fd) die("keeping %s open", stand_in_path);
    int tree = open_tree(stand_in, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
    if (tree < 0) die("taking the stand-in for %s", stand_in_path);
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
    if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0) die("making the stand-in read-only");
    if (move_mount(tree, "", real, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        die("binding the stand-in over %s", stand_in_path);
    close(tree);
    close(real);
    close(stand_in);
}

static int init(const char *root, char **argv, mode_t mask, int parent_alive)
{
    /* Killing the host-side process must kill this namespace: its PID 1 dying takes every process with it. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) die("PR_SET_PDEATHSIG");
    /* The parent may have died before the line above: its end of the pipe is then closed (end-of-file). */
    char probe;
    if (read(parent_alive, &probe, 1) == 0) _exit(SETUP_FAILED);
    errno = 0;
    close(parent_alive);
    if (setsid() < 0) die("setsid");

    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) die("making the mounts private");
    /* A detached copy of the root's mount tree, taken in the new namespace before anything is mounted over
     * ROOT's path. AT_SYMLINK_NOFOLLOW: a symlink planted as the root is refused, never followed. */
    int tree = open_tree(AT_FDCWD, root, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW);
    if (tree < 0) die("taking the root %s", root);
    struct stat st;
    if (fstat(tree, &st) != 0) die("fstat of the root %s", root);
    if (!S_ISDIR(st.st_mode)) {
        errno = 0;
        die("the root %s is not a directory (a symbolic link there is never followed)", root);
    }
    /* ROOT's path is only a mount point from here on. */
    if (mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=64k") != 0)
        die("mounting the sandbox tmpfs on %s", root);
    if (chdir(root) != 0) die("chdir %s", root);
    make_dir("root", 0755);
    make_dir("old", 0700);
    if (move_mount(tree, "", AT_FDCWD, "root", MOVE_MOUNT_F_EMPTY_PATH) != 0) die("attaching the root %s", root);
    close(tree);
    if (mount(NULL, "root", NULL, MS_REMOUNT | MS_BIND | MS_NODEV | mount_flags_of("root"), NULL) != 0)
        die("remounting the root nodev");
    make_dir("hostdev", 0700);
    if (mount("/dev", "hostdev", NULL, MS_BIND | MS_REC, NULL) != 0) die("binding the host's /dev");
    if (syscall(SYS_pivot_root, ".", "old") != 0) die("pivot_root into %s", root);
    if (chdir("/") != 0) die("chdir / after pivot_root");

    if (check_only) {
        /* The same proc mount, on the jail instead of in the root: nothing is written into DIR. */
        make_dir("/proc-check", 0555);
        if (mount("proc", "/proc-check", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0) die("mounting a proc");
        if (umount2("/hostdev", MNT_DETACH) != 0 || umount2("/old", MNT_DETACH) != 0) die("detaching the host");
        limit_capabilities();
        return 0;
    }
    /* proc for the new PID namespace only; the command's own processes are all it shows. */
    if (lstat("/root/proc", &st) != 0) make_dir("/root/proc", 0555);
    else if (!S_ISDIR(st.st_mode)) {
        errno = 0;
        die("/proc in the root is not a directory; a package replaced it");
    }
    if (mount("proc", "/root/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        die("mounting /proc in the root");
    bind_devices("/hostdev");
    for (int i = 0; i < stand_in_count; i++) bind_stand_in(stand_ins[i].program_fd, stand_ins[i].path, stand_ins[i].fd);
    if (umount2("/hostdev", MNT_DETACH) != 0) die("detaching the host's /dev");
    rmdir("/hostdev");
    /* From here on, no path leads to the host. */
    if (umount2("/old", MNT_DETACH) != 0) die("detaching the host's root");
    rmdir("/old");
    if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
        die("making the sandbox's own root read-only");
    /* PID 1 gives up the same capabilities as the command (which inherits the result): with fewer than PID 1
     * the command could not even stat /proc/1/root, and ischroot would answer "cannot tell". */
    limit_capabilities();
    return run_command(argv, mask);
}

static void usage(void)
{
    fputs("usage: bootstrap-sandbox [--network] [--umask OCTAL] [--stand-in PROGRAM PATH FD]... ROOT -- COMMAND [ARG...]\n"
          "       bootstrap-sandbox --check DIR\n", stderr);
    _exit(SETUP_FAILED);
}

int main(int argc, char **argv)
{
    int network = 0;
    mode_t mask = 022;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0'; i++) {
        if (strcmp(argv[i], "--network") == 0) network = 1;
        else if (strcmp(argv[i], "--umask") == 0 && i + 1 < argc) mask = (mode_t)strtoul(argv[++i], NULL, 8) & 0777;
        else if (strcmp(argv[i], "--check") == 0) check_only = 1;
        else if (strcmp(argv[i], "--stand-in") == 0 && i + 3 < argc && stand_in_count < MAX_STAND_INS) {
            const char *program = argv[++i], *path = argv[++i];
            char *end;
            long fd = strtol(argv[++i], &end, 10);
            errno = 0;
            if (path[0] != '/' || path[1] == '\0') die("the stand-in's path must be absolute, not '%s'", path);
            if (*end != '\0' || fd < 10 || fd > 1023) die("the stand-in's descriptor must be 10-1023, not '%s'", argv[i]);
            stand_ins[stand_in_count].program = program;
            stand_ins[stand_in_count].path = path;
            stand_ins[stand_in_count].fd = (int)fd;
            stand_in_count++;
        }
        else usage();
    }
    if (check_only ? argc - i != 1 : argc - i < 3 || strcmp(argv[i + 1], "--") != 0) usage();
    const char *root = argv[i];
    char **command = check_only ? NULL : &argv[i + 2];
    if (root[0] != '/' || strcmp(root, "/") == 0) {
        errno = 0;
        die("the root must be an absolute path other than /, not '%s'", root);
    }

    int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | (network ? 0 : CLONE_NEWNET);
    if (unshare(flags) != 0) die("unshare (new mount, PID, IPC, UTS%s namespaces; needs root)", network ? "" : " and network");

    /* Opened in the new mount namespace: open_tree clones only mounts of the caller's own. */
    for (int s = 0; s < stand_in_count; s++)
        if ((stand_ins[s].program_fd = open(stand_ins[s].program, O_PATH | O_CLOEXEC)) < 0)
            die("opening the stand-in %s", stand_ins[s].program);

    int alive[2];
    if (pipe2(alive, O_CLOEXEC | O_NONBLOCK) != 0) die("pipe");
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        close(alive[1]);
        _exit(init(root, command, mask, alive[0]));
    }
    close(alive[0]);

    /* Host side: the namespace's PID 1 carries the command's status. A signal that kills us kills it too
     * (PR_SET_PDEATHSIG), so there is nothing to forward. */
    for (;;) {
        int status;
        if (waitpid(pid, &status, 0) < 0) {
            if (errno == EINTR) continue;
            die("waiting for the sandbox");
        }
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    }
}
