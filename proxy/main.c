/* holdfast: a sidecar that holds every client connection in front of an
 * HTTP server that can serve only one at a time. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "server.h"

#define DEFAULT_LISTEN "0.0.0.0:8080"
#define DEFAULT_BACKEND "127.0.0.1:8000"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: holdfast [-c FILE]            run with a configuration file\n"
            "       holdfast -t -c FILE           check the file and exit\n"
            "       holdfast --listen ADDR --backend ADDR[,ADDR...]\n"
            "                                     one mapping, other settings default\n"
            "       holdfast                      listen on " DEFAULT_LISTEN
            ", backend " DEFAULT_BACKEND "\n"
            "       holdfast -V | --version       print the version\n"
            "       holdfast -h | --help\n");
}

/* --help: the usage, then every configuration key with its default; the
 * man page says what each one means. */
static void help(void)
{
    usage(stdout);
    printf("\nconfiguration keys and their defaults (meaning of each: "
           "man holdfast, holdfast(1)):\n");
    hf_config_print_keys(stdout);
    printf("\nsignals: SIGTERM/SIGINT drain and exit, SIGHUP reloads the "
           "file, SIGUSR1 reopens the access log\n");
}

static void print_error(void *ud, const char *msg)
{
    (void)ud;
    fprintf(stderr, "%s\n", msg);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"test", no_argument, NULL, 't'},
        {"listen", required_argument, NULL, 'l'},
        {"backend", required_argument, NULL, 'b'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *path = NULL, *listen = NULL, *backend = NULL;
    bool test = false;
    hf_config_t *cfg = NULL;
    int opt, errors;

    while ((opt = getopt_long(argc, argv, "c:tvVh", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': path = optarg; break;
        case 't': test = true; break;
        case 'l': listen = optarg; break;
        case 'b': backend = optarg; break;
        case 'v':
        case 'V': printf("holdfast %s\n", HF_VERSION); return 0;
        case 'h': help(); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "holdfast: unexpected argument '%s'\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (path != NULL && (listen != NULL || backend != NULL)) {
        fprintf(stderr, "holdfast: -c and --listen/--backend exclude each other\n");
        usage(stderr);
        return 2;
    }
    if ((listen == NULL) != (backend == NULL)) {
        fprintf(stderr, "holdfast: --listen and --backend go together\n");
        usage(stderr);
        return 2;
    }
    if (test && path == NULL && listen == NULL) {
        fprintf(stderr, "holdfast: -t needs -c FILE\n");
        usage(stderr);
        return 2;
    }

    if (path != NULL && test)
        errors = hf_config_check(path, &cfg, print_error, NULL);
    else if (path != NULL)
        errors = hf_config_load(path, &cfg, print_error, NULL);
    else if (listen != NULL)
        errors = hf_config_from_args(listen, backend, &cfg, print_error, NULL);
    else
        errors = hf_config_from_args(DEFAULT_LISTEN, DEFAULT_BACKEND, &cfg,
                                     print_error, NULL);
    if (errors != 0) {
        fprintf(stderr, "holdfast: %d configuration error%s\n", errors,
                errors == 1 ? "" : "s");
        return 1;
    }
    if (test) {
        printf("holdfast: %s: configuration is valid (%zu mapping%s)\n",
               path ? path : "command line", cfg->nmappings,
               cfg->nmappings == 1 ? "" : "s");
        hf_config_free(cfg);
        return 0;
    }
    if (path == NULL && listen == NULL)
        hf_log_info("no configuration given: built-in default mapping "
                    DEFAULT_LISTEN " -> " DEFAULT_BACKEND);
    return hf_server_run(cfg, path);
}
