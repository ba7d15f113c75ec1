/* What `holdfast -t` checks beyond the file itself: the paths the daemon
 * opens when it starts, as nginx -t opens its logs. Nothing is created or
 * written: a file that exists is opened for append and closed, one that does
 * not is judged by its directory. Only hf_config_check runs these; a plain
 * load (start-up, reload) lets the daemon meet the path itself, because an
 * unwritable temp_dir is served around (503 for bodies that would spill),
 * not refused. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "table.h"

/* Line of a [global] key in the file, HF_LINE_NONE when it kept its
 * default. */
static int global_line(const hf_build_t *b, const char *name)
{
    const hf_key_t *k = hf_key_find(HF_SCOPE_GLOBAL, name);
    int line = HF_LINE_NONE;

    for (size_t i = 0; i < b->raw->nsections; i++)
        if (b->st[i].scope == HF_SCOPE_GLOBAL && b->st[i].seen[k - hf_keys])
            line = b->st[i].seen[k - hf_keys];
    return line;
}

/* Whether a file can be created in dir: an existing, searchable, writable
 * directory. On failure writes the reason to why. */
static bool dir_writable(const char *dir, char *why, size_t size)
{
    struct stat st;

    if (stat(dir, &st) != 0) {
        snprintf(why, size, "directory %s: %s", dir, strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(why, size, "%s is not a directory", dir);
        return false;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(why, size, "directory %s is not writable: %s", dir,
                 strerror(errno));
        return false;
    }
    return true;
}

static void check_access_log(hf_build_t *b)
{
    const char *path = b->cfg->global.access_log;
    char why[PATH_MAX + 64], *dir, *slash;
    int fd;

    if (path == NULL || strcmp(path, "stdout") == 0)
        return;
    /* O_NONBLOCK: a FIFO without a reader must not hang the check. */
    fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd >= 0) {
        close(fd);
        return;
    }
    if (errno != ENOENT) {
        hf_errs_add(b->errs, global_line(b, "access_log"), "access_log",
                    "cannot open %s for append: %s", path, strerror(errno));
        return;
    }
    dir = hf_xstrdup(path);
    slash = strrchr(dir, '/');
    if (slash == NULL)
        strcpy(dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    if (!dir_writable(dir, why, sizeof(why)))
        hf_errs_add(b->errs, global_line(b, "access_log"), "access_log",
                    "cannot create %s: %s", path, why);
    free(dir);
}

static void check_temp_dir(hf_build_t *b)
{
    char why[PATH_MAX + 64];

    if (!dir_writable(b->cfg->global.temp_dir, why, sizeof(why)))
        hf_errs_add(b->errs, global_line(b, "temp_dir"), "temp_dir", "%s",
                    why);
}

void hf_validate_env(hf_build_t *b)
{
    check_access_log(b);
    check_temp_dir(b);
}

void hf_config_print_keys(FILE *f)
{
    enum hf_scope scope = HF_SCOPE_GLOBAL;

    fprintf(f, "[global]\n");
    for (size_t i = 0; i < hf_nkeys; i++) {
        const hf_key_t *k = &hf_keys[i];
        if (k->scope != scope) {
            scope = k->scope;
            fprintf(f, "[NAME]  one section per mapping\n");
        }
        fprintf(f, "  %-24s %s\n", k->name, k->def ? k->def : "(required)");
    }
}
